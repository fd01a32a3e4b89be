//! Alpine (and Wolfi) package versions: dotted numbers, an optional letter,
//! suffixes (`_alpha` < `_beta` < `_pre` < `_rc` < none < `_cvs` < `_svn`
//! < `_git` < `_hg` < `_p`, each with an optional number), an optional
//! `~hash`, then `-rN`.
//!
//! Reference: apk-tools `src/version.c` and its `test/version.data`,
//! <https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c>.

use std::cmp::Ordering;

use super::ParseError;

/// Suffix weights, pre-release ones below "no suffix" (0).
const SUFFIXES: [(&str, i32); 9] = [
    ("alpha", -4),
    ("beta", -3),
    ("pre", -2),
    ("rc", -1),
    ("cvs", 1),
    ("svn", 2),
    ("git", 3),
    ("hg", 4),
    ("p", 5),
];

/// A parsed apk version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: String,
    numbers: Vec<u64>,
    letter: Option<u8>,
    suffixes: Vec<(i32, u64)>,
    revision: u64,
}

fn bad(text: &str, why: &str) -> ParseError {
    ParseError::new("apk", text, why)
}

impl ApkVersion {
    pub fn parse(text: &str) -> Result<ApkVersion, ParseError> {
        let trimmed = text.trim();
        let (body, revision) = match trimmed.rsplit_once("-r") {
            Some((body, revision))
                if revision.bytes().all(|b| b.is_ascii_digit()) && !revision.is_empty() =>
            {
                (
                    body,
                    revision
                        .parse::<u64>()
                        .map_err(|_| bad(text, "the revision is too large"))?,
                )
            }
            _ => (trimmed, 0),
        };
        let body = body.split('~').next().unwrap_or(body);
        let (main, suffix_text) = match body.split_once('_') {
            Some((main, suffixes)) => (main, Some(suffixes)),
            None => (body, None),
        };
        let letter_at = main.find(|c: char| c.is_ascii_alphabetic());
        let (digits, letter) = match letter_at {
            Some(at) if at + 1 == main.len() => (&main[..at], main.as_bytes().get(at).copied()),
            Some(_) => return Err(bad(text, "only one letter may follow the numbers")),
            None => (main, None),
        };
        let numbers = digits
            .split('.')
            .map(|part| {
                part.parse::<u64>()
                    .map_err(|_| bad(text, "a version part is not a number"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut suffixes = Vec::new();
        for suffix in suffix_text.into_iter().flat_map(|s| s.split('_')) {
            let name_end = suffix
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(suffix.len());
            let (name, number) = suffix.split_at(name_end);
            let weight = SUFFIXES
                .iter()
                .find(|(known, _)| *known == name)
                .map(|(_, weight)| *weight)
                .ok_or_else(|| bad(text, "it has an unknown `_` suffix"))?;
            let number = if number.is_empty() {
                0
            } else {
                number
                    .parse()
                    .map_err(|_| bad(text, "a suffix number is too large"))?
            };
            suffixes.push((weight, number));
        }
        Ok(ApkVersion {
            text: text.to_owned(),
            numbers,
            letter,
            suffixes,
            revision,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Numbers (a longer list wins a tie), letter, suffixes (a missing one counts
/// as "no suffix"), then revision.
impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let numbers = {
            let shared = self
                .numbers
                .iter()
                .zip(&other.numbers)
                .map(|(a, b)| a.cmp(b))
                .find(|o| o.is_ne());
            shared.unwrap_or_else(|| self.numbers.len().cmp(&other.numbers.len()))
        };
        numbers
            .then_with(|| self.letter.cmp(&other.letter))
            .then_with(|| {
                let longest = self.suffixes.len().max(other.suffixes.len());
                (0..longest)
                    .map(|i| {
                        let a = self.suffixes.get(i).copied().unwrap_or((0, 0));
                        let b = other.suffixes.get(i).copied().unwrap_or((0, 0));
                        a.cmp(&b)
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
            .then_with(|| self.revision.cmp(&other.revision))
    }
}

order_from_ord!(ApkVersion);

#[cfg(test)]
mod tests {
    use super::*;

    /// Following apk-tools' `test/version.data` (`a < b` lines).
    #[test]
    fn ascending_versions_as_apk_tools_orders_them() {
        let ascending = [
            "1.0_alpha",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0-r2",
            "1.0_cvs",
            "1.0_git20200101",
            "1.0_p1",
            "1.0_p2",
            "1.0a",
            "1.0b",
            "1.0.1",
            "1.2",
            "1.10",
            "2.0_rc1",
            "2.0",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (ApkVersion::parse(a).unwrap(), ApkVersion::parse(b).unwrap());
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn unknown_suffixes_are_refused() {
        assert!(ApkVersion::parse("1.0_foo").is_err());
        assert!(ApkVersion::parse("1.x.0").is_err());
    }
}
