//! NuGet versions: up to four numbers (a missing one is zero), then SemVer
//! 2.0 pre-release labels compared case-insensitively; metadata is ignored.
//!
//! Reference: <https://learn.microsoft.com/en-us/nuget/concepts/package-versioning#version-precedence>.

use std::cmp::Ordering;

use super::ParseError;

/// A parsed NuGet version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    text: String,
    numbers: [u64; 4],
    labels: Vec<String>,
}

impl NuGetVersion {
    pub fn parse(text: &str) -> Result<NuGetVersion, ParseError> {
        let trimmed = text.trim();
        let core = trimmed.split('+').next().unwrap_or(trimmed);
        let (numbers_text, labels_text) = match core.split_once('-') {
            Some((numbers, labels)) => (numbers, Some(labels)),
            None => (core, None),
        };
        let parts: Vec<&str> = numbers_text.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return Err(ParseError::new(
                "nuget",
                text,
                "it needs one to four numbers",
            ));
        }
        let mut numbers = [0u64; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = part
                .parse()
                .map_err(|_| ParseError::new("nuget", text, "a version part is not a number"))?;
        }
        let labels = labels_text
            .map(|labels| labels.split('.').map(str::to_ascii_lowercase).collect())
            .unwrap_or_default();
        Ok(NuGetVersion {
            text: text.to_owned(),
            numbers,
            labels,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

fn label_cmp(a: &str, b: &str) -> Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Numbers, then a release above its pre-releases, then labels one by one.
impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self
                    .labels
                    .iter()
                    .zip(&other.labels)
                    .map(|(a, b)| label_cmp(a, b))
                    .find(|o| o.is_ne())
                    .unwrap_or_else(|| self.labels.len().cmp(&other.labels.len())),
            }
        })
    }
}

order_from_ord!(NuGetVersion);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuget_precedence() {
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-Alpha.1",
            "1.0.0-beta",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "13.0.1",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (
                    NuGetVersion::parse(a).unwrap(),
                    NuGetVersion::parse(b).unwrap(),
                );
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(
            NuGetVersion::parse("1.0").unwrap(),
            NuGetVersion::parse("1.0.0.0+meta").unwrap()
        );
    }
}
