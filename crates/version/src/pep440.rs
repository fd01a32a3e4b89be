//! Python versions, ordered as PEP 440 says (epochs, pre-, post- and
//! dev-releases, local versions), through `pep440_rs`.
//!
//! Spec: <https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering>.

use std::cmp::Ordering;
use std::str::FromStr;

use super::ParseError;

/// A parsed PEP 440 version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    text: String,
    version: pep440_rs::Version,
}

impl Pep440Version {
    pub fn parse(text: &str) -> Result<Pep440Version, ParseError> {
        let version = pep440_rs::Version::from_str(text.trim())
            .map_err(|e| ParseError::new("pep440", text, &e.to_string()))?;
        Ok(Pep440Version {
            text: text.to_owned(),
            version,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `pep440_rs`'s order: epoch, release, pre, post, dev, local.
impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.version.cmp(&other.version)
    }
}

order_from_ord!(Pep440Version);

#[cfg(test)]
mod tests {
    use super::*;

    /// The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering").
    #[test]
    fn pep440_summary_ordering() {
        let ascending = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (
                    Pep440Version::parse(a).unwrap(),
                    Pep440Version::parse(b).unwrap(),
                );
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(
            Pep440Version::parse("5.3").unwrap(),
            Pep440Version::parse("5.3.0").unwrap()
        );
    }
}
