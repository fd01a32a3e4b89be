//! Debian package versions, `[epoch:]upstream[-revision]`, ordered as dpkg
//! orders them: epochs numerically, then `verrevcmp` on upstream and revision,
//! where `~` sorts before everything, even the end of the string.
//!
//! Reference: `lib/dpkg/version.c` (`dpkg_version_compare`, `verrevcmp`),
//! <https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/version.c>, and
//! deb-version(7).

use std::cmp::Ordering;

use super::ParseError;

/// A parsed dpkg version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    text: String,
    epoch: u64,
    upstream: String,
    revision: String,
}

impl DpkgVersion {
    pub fn parse(text: &str) -> Result<DpkgVersion, ParseError> {
        let trimmed = text.trim();
        let (epoch, rest) = match trimmed.split_once(':') {
            Some((epoch, rest)) => (
                epoch
                    .parse::<u64>()
                    .map_err(|_| ParseError::new("dpkg", text, "the epoch is not a number"))?,
                rest,
            ),
            None => (0, trimmed),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(ParseError::new(
                "dpkg",
                text,
                "the upstream version is empty",
            ));
        }
        if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(ParseError::new(
                "dpkg",
                text,
                "the upstream version must start with a digit",
            ));
        }
        Ok(DpkgVersion {
            text: text.to_owned(),
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// dpkg's weight of a non-digit character: `~` lowest, then the end, then
/// letters, then everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let mut first_diff = 0;
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        while a.get(i).is_some_and(u8::is_ascii_digit) && b.get(j).is_some_and(u8::is_ascii_digit) {
            if first_diff == 0 {
                first_diff = i32::from(a[i]) - i32::from(b[j]);
            }
            i += 1;
            j += 1;
        }
        if a.get(i).is_some_and(u8::is_ascii_digit) {
            return Ordering::Greater;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            return Ordering::Less;
        }
        if first_diff != 0 {
            return first_diff.cmp(&0);
        }
    }
    Ordering::Equal
}

/// Epoch, then upstream, then revision, each by `verrevcmp`.
impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

order_from_ord!(DpkgVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a)
            .unwrap()
            .cmp(&DpkgVersion::parse(b).unwrap())
    }

    /// Cases following dpkg's own tests in `lib/dpkg/t/t-version.c` and deb-version(7),
    /// <https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/t/t-version.c>.
    #[test]
    fn dpkg_reference_vectors() {
        let cases = [
            ("0:1.0-1", "0:1.0-1", Ordering::Equal),
            ("1.0", "1.0", Ordering::Equal),
            ("1:1.0", "0:1.0", Ordering::Greater),
            ("2:1.0", "1:1.0", Ordering::Greater),
            ("1.0-1", "1.0-2", Ordering::Less),
            ("1.0-1", "1.0", Ordering::Greater),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0~rc1-1", "1.0-1", Ordering::Less),
            ("1.0~~", "1.0~", Ordering::Less),
            ("1.0~", "1.0", Ordering::Less),
            ("1.0a", "1.0", Ordering::Greater),
            ("1.0+1", "1.0a", Ordering::Greater),
            ("1.002", "1.2", Ordering::Equal),
            ("1.10", "1.9", Ordering::Greater),
            ("2.36-9+deb12u3", "2.36-9+deb12u14", Ordering::Less),
            ("1:1.2.13.dfsg-1", "1.2.13.dfsg-1", Ordering::Greater),
            ("3.0.11-1~deb12u2", "3.0.11-1", Ordering::Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(cmp(a, b), expected, "{a} vs {b}");
            assert_eq!(cmp(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn ascending_list_is_totally_ordered() {
        let ascending = [
            "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-0.1", "1.0-1", "1.0a", "1.0+b1", "1.1", "1:0.1",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn malformed_versions_are_refused() {
        assert!(DpkgVersion::parse("a:1.0").is_err());
        assert!(DpkgVersion::parse("").is_err());
        assert!(DpkgVersion::parse("abc").is_err());
    }
}
