//! Composer (Packagist) versions: an optional `v`, up to four numbers, then
//! a stability: `dev` < `alpha` (`a`) < `beta` (`b`) < `RC` < stable <
//! `patch` (`pl`, `p`), each with an optional number.
//!
//! Reference: Composer's `VersionParser::normalize` and
//! `Comparator`, <https://github.com/composer/semver/blob/main/src/VersionParser.php>.

use std::cmp::Ordering;

use super::ParseError;

/// A parsed Composer version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    text: String,
    numbers: [u64; 4],
    stability: i32,
    stability_number: u64,
}

fn stability_of(name: &str) -> Option<i32> {
    Some(match name {
        "dev" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "rc" => 3,
        "stable" => 4,
        "patch" | "pl" | "p" => 5,
        _ => return None,
    })
}

impl ComposerVersion {
    pub fn parse(text: &str) -> Result<ComposerVersion, ParseError> {
        let bad = |why: &str| ParseError::new("packagist", text, why);
        let lower = text.trim().to_ascii_lowercase();
        let lower = lower.strip_prefix('v').unwrap_or(&lower);
        let end = lower
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(lower.len());
        let (numbers_text, rest) = lower.split_at(end);
        let parts: Vec<&str> = numbers_text.trim_end_matches('.').split('.').collect();
        if parts.is_empty() || parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
            return Err(bad("it needs one to four numbers"));
        }
        let mut numbers = [0u64; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = part
                .parse()
                .map_err(|_| bad("a version part is too large"))?;
        }
        let rest = rest.trim_start_matches(['-', '.', '_']);
        let (stability, stability_number) = if rest.is_empty() {
            (4, 0)
        } else {
            let name_end = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let (name, number) = rest.split_at(name_end);
            let stability =
                stability_of(name).ok_or_else(|| bad("it has an unknown stability suffix"))?;
            let number = number.trim_start_matches(['.', '-']);
            let number = if number.is_empty() {
                0
            } else {
                number
                    .parse()
                    .map_err(|_| bad("the stability number is not a number"))?
            };
            (stability, number)
        };
        Ok(ComposerVersion {
            text: text.to_owned(),
            numbers,
            stability,
            stability_number,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Numbers, then stability, then the stability's number.
impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.numbers, self.stability, self.stability_number).cmp(&(
            other.numbers,
            other.stability,
            other.stability_number,
        ))
    }
}

order_from_ord!(ComposerVersion);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composer_stabilities_order() {
        let ascending = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "v1.0.0-p1",
            "1.0.1",
            "2.9.1",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (
                    ComposerVersion::parse(a).unwrap(),
                    ComposerVersion::parse(b).unwrap(),
                );
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert!(ComposerVersion::parse("dev-master").is_err());
        // Composer normalises both to four numbers: `v3.0` is 3.0.0.0, stable.
        let parse = |text: &str| ComposerVersion::parse(text).unwrap();
        assert!(parse("v3.0.0-beta") < parse("v3.0"));
        assert!(parse("v3.0-beta2") > parse("3.0.0.0-beta1"));
        assert_eq!(parse("v3.0"), parse("3.0.0.0"));
    }
}
