//! rpm versions, `[epoch:]version[-release]`, ordered as rpm orders them:
//! epoch numerically, then `rpmvercmp` on version and on release. In
//! `rpmvercmp`, `~` sorts before anything (even the end), `^` after the end
//! but before anything else, numeric segments beat alphabetic ones.
//!
//! Reference: `rpmio/rpmvercmp.c`, <https://github.com/rpm-software-management/rpm/blob/master/rpmio/rpmvercmp.c>,
//! and its tests in `tests/rpmvercmp.at`.

use std::cmp::Ordering;

use super::ParseError;

/// A parsed rpm EVR; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    text: String,
    epoch: u64,
    version: String,
    release: String,
}

impl RpmVersion {
    pub fn parse(text: &str) -> Result<RpmVersion, ParseError> {
        let trimmed = text.trim();
        let (epoch, rest) = match trimmed.split_once(':') {
            Some((epoch, rest)) => (
                epoch
                    .parse::<u64>()
                    .map_err(|_| ParseError::new("rpm", text, "the epoch is not a number"))?,
                rest,
            ),
            None => (0, trimmed),
        };
        let (version, release) = rest.rsplit_once('-').unwrap_or((rest, ""));
        if version.is_empty() {
            return Err(ParseError::new("rpm", text, "the version is empty"));
        }
        Ok(RpmVersion {
            text: text.to_owned(),
            epoch,
            version: version.to_owned(),
            release: release.to_owned(),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Where the run of digits (or of letters) starting at `at` ends.
fn segment_end(s: &[u8], mut at: usize, numeric: bool) -> usize {
    while s.get(at).is_some_and(|c| {
        if numeric {
            c.is_ascii_digit()
        } else {
            c.is_ascii_alphabetic()
        }
    }) {
        at += 1;
    }
    at
}

fn without_leading_zeros(s: &[u8]) -> &[u8] {
    let zeros = s.iter().take_while(|c| **c == b'0').count();
    s.get(zeros..).unwrap_or_default()
}

/// Numbers compare by value (leading zeros dropped), letters by bytes.
fn compare_segments(a: &[u8], b: &[u8], numeric: bool) -> Ordering {
    if !numeric {
        return a.cmp(b);
    }
    let (a, b) = (without_leading_zeros(a), without_leading_zeros(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// rpm's `rpmvercmp`.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(|c| separator(*c)) {
            i += 1;
        }
        while b.get(j).is_some_and(|c| separator(*c)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = ca.is_ascii_digit();
        let (ea, eb) = (segment_end(a, i, numeric), segment_end(b, j, numeric));
        let (seg_a, seg_b) = (
            a.get(i..ea).unwrap_or_default(),
            b.get(j..eb).unwrap_or_default(),
        );
        i = ea;
        j = eb;
        if seg_b.is_empty() {
            // Segments of different types: a number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let order = compare_segments(seg_a, seg_b, numeric);
        if order != Ordering::Equal {
            return order;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, _) => Ordering::Greater,
    }
}

/// Epoch, then version, then release, as rpm 4.18's `rpmverCmp` (what
/// `rpm.vercmp` answers): a missing release is the empty one, so `1.0` is
/// below `1.0-1`. (rpm's dependency matching lets a missing release match
/// any; as an order that is not transitive, which the `version_order` fuzz
/// target found: `1.0-1` < `1.0-2`, yet both equal `1.0`.)
impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| rpmvercmp(&self.release, &other.release))
    }
}

order_from_ord!(RpmVersion);

#[cfg(test)]
mod tests {
    use super::*;

    /// From rpm's `tests/rpmvercmp.at` (RPMVERCMP lines), a representative subset.
    #[test]
    fn rpmvercmp_reference_vectors() {
        use Ordering::{Equal, Greater, Less};
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1", "2.0.1", Equal),
            ("2.0", "2.0.1", Less),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p10", Less),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("1b.fc17", "1.fc17", Less),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.01", Less),
            ("1.0^git1~pre", "1.0^git1", Less),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("2_0", "2_0", Equal),
            ("2.0", "2_0", Equal),
        ];
        for (a, b, expected) in cases {
            assert_eq!(rpmvercmp(a, b), expected, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn epochs_and_releases_order_evrs() {
        let v = |t: &str| RpmVersion::parse(t).unwrap();
        assert!(v("1:3.0.1-41.el9_0") > v("3.0.7-27.el9"));
        assert!(v("3.0.1-41.el9_0") < v("3.0.1-43.el9_0"));
        assert!(v("2:4.9.4-0.1.el9") > v("2:4.9.3-1.el9"));
        // rpm 4.18: `rpm --eval "%{lua: print(rpm.vercmp('1.0', '1.0-2'))}"` is -1.
        assert!(v("1.0") < v("1.0-1"));
        assert!(v("1.0-1") < v("1.0-2"));
        assert!(v("1.0") < v("1.0-2"));
    }
}
