//! Alpine (and Wolfi) package versions, ordered as apk-tools orders them:
//! the version is read as a stream of tokens (a first number, `.number`s, a
//! letter, `_suffix`es with numbers, `~hash`, `-rN`), each kind allowed only
//! after certain others, and two versions compare token by token.
//! Suffixes: `_alpha` < `_beta` < `_pre` < `_rc` < none < `_cvs` < `_svn` <
//! `_git` < `_hg` < `_p`. A number with a leading zero after a `.` compares
//! as text (as Gentoo does).
//!
//! Where a version stops being valid apk syntax (`5.1p1`: no digits may
//! follow the letter; `1.0_foo`), apk-tools stops reading and calls the rest
//! equal: so `5.1p1` = `5.1p2` to apk. Portcullis follows apk where its
//! answer is decided before the invalid part (`5.1p1` < `5.2`, `5.1p1` >
//! `5.1`) and refuses to order the two otherwise (the gate cannot say), so
//! an advisory range over such versions fails closed instead of passing.
//!
//! Reference: apk-tools `src/version.c` (`token_next`, `token_cmp`,
//! `apk_version_compare_fuzzy`) and its `test/version.data`,
//! <https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c>.

use std::cmp::Ordering;

use super::ParseError;

/// Token kinds in apk-tools' order: a version whose tokens run out first
/// (a later kind here, at the same position) is the smaller one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// `_suffix` ranks; "no suffix" is 0.
const SUFFIXES: [(&str, i8); 9] = [
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

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    /// The token's text (digits without the `.`, the letter, the suffix name, the hash).
    value: String,
    /// A suffix's rank.
    suffix: i8,
}

/// A parsed apk version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: String,
    /// Up to and including `End` or the first `Invalid`.
    tokens: Vec<Token>,
}

fn bad(text: &str, why: &str) -> ParseError {
    ParseError::new("apk", text, why)
}

/// The digits at the start of `rest`.
fn digits(rest: &str) -> &str {
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}

/// Reads the token after `previous` from `rest`; returns it and what is left.
fn next_token(previous: Kind, rest: &str) -> (Token, &str) {
    let token = |kind, value: &str, suffix| Token {
        kind,
        value: value.to_owned(),
        suffix,
    };
    let invalid = (token(Kind::Invalid, rest, 0), "");
    let Some(first) = rest.chars().next() else {
        return (token(Kind::End, "", 0), "");
    };
    match first {
        'a'..='z' => {
            if previous > Kind::Digit {
                return invalid;
            }
            let (letter, after) = rest.split_at(1);
            (token(Kind::Letter, letter, 0), after)
        }
        '.' | '0'..='9' => {
            let number = if first == '.' {
                if previous > Kind::Digit {
                    return invalid;
                }
                rest.get(1..).unwrap_or_default()
            } else {
                rest
            };
            let kind = match previous {
                Kind::InitialDigit | Kind::Digit => Kind::Digit,
                Kind::Suffix => Kind::SuffixNo,
                _ => return invalid,
            };
            let value = digits(number);
            if value.is_empty() {
                return invalid;
            }
            (token(kind, value, 0), &number[value.len()..])
        }
        '_' => {
            if previous > Kind::SuffixNo {
                return invalid;
            }
            let after = &rest[1..];
            let end = after
                .find(|c: char| !c.is_ascii_lowercase())
                .unwrap_or(after.len());
            let name = &after[..end];
            match SUFFIXES.iter().find(|(known, _)| *known == name) {
                Some((_, rank)) => (token(Kind::Suffix, name, *rank), &after[end..]),
                None => invalid,
            }
        }
        '~' => {
            if previous >= Kind::CommitHash {
                return invalid;
            }
            let after = &rest[1..];
            let end = after
                .find(|c: char| !c.is_ascii_hexdigit())
                .unwrap_or(after.len());
            if end == 0 {
                return invalid;
            }
            (token(Kind::CommitHash, &after[..end], 0), &after[end..])
        }
        '-' => {
            if previous >= Kind::RevisionNo {
                return invalid;
            }
            let Some(after) = rest.strip_prefix("-r") else {
                return invalid;
            };
            let value = digits(after);
            if value.is_empty() {
                return invalid;
            }
            (token(Kind::RevisionNo, value, 0), &after[value.len()..])
        }
        _ => invalid,
    }
}

/// Two runs of digits as numbers, whatever their length.
fn numeric(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// apk-tools' `token_cmp` for two tokens of one kind.
fn compare_tokens(a: &Token, b: &Token) -> Ordering {
    match a.kind {
        Kind::Digit if a.value.starts_with('0') || b.value.starts_with('0') => {
            a.value.as_bytes().cmp(b.value.as_bytes())
        }
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => {
            numeric(&a.value, &b.value)
        }
        Kind::Letter => a.value.as_bytes().cmp(b.value.as_bytes()),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::CommitHash | Kind::End | Kind::Invalid => a.value.as_bytes().cmp(b.value.as_bytes()),
    }
}

impl ApkVersion {
    pub fn parse(text: &str) -> Result<ApkVersion, ParseError> {
        let trimmed = text.trim();
        let first = digits(trimmed);
        if first.is_empty() {
            return Err(bad(text, "it does not start with a number"));
        }
        let mut tokens = vec![Token {
            kind: Kind::InitialDigit,
            value: first.to_owned(),
            suffix: 0,
        }];
        let mut rest = &trimmed[first.len()..];
        loop {
            let previous = tokens.last().map_or(Kind::InitialDigit, |t| t.kind);
            let (token, after) = next_token(previous, rest);
            let done = matches!(token.kind, Kind::End | Kind::Invalid);
            tokens.push(token);
            rest = after;
            if done {
                break;
            }
        }
        Ok(ApkVersion {
            text: text.to_owned(),
            tokens,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// apk-tools' order, or `None` where its answer would rest on text that
    /// is not valid apk version syntax.
    pub fn compare(&self, other: &ApkVersion) -> Option<Ordering> {
        let pairs = self.tokens.iter().zip(&other.tokens);
        for (a, b) in pairs {
            if a.kind != b.kind || matches!(a.kind, Kind::End | Kind::Invalid) {
                return decide(a, b);
            }
            let order = compare_tokens(a, b);
            if order.is_ne() {
                return Some(order);
            }
        }
        // Both lists end in `End` or `Invalid`, where the loop returns.
        None
    }
}

/// The tail of apk-tools' comparison, once the token kinds differ or end.
fn decide(a: &Token, b: &Token) -> Option<Ordering> {
    if a.kind == Kind::Invalid || b.kind == Kind::Invalid {
        return None;
    }
    if a.kind == b.kind {
        return Some(Ordering::Equal);
    }
    if a.kind == Kind::Suffix && a.suffix < 0 {
        return Some(Ordering::Less);
    }
    if b.kind == Kind::Suffix && b.suffix < 0 {
        return Some(Ordering::Greater);
    }
    Some(b.kind.cmp(&a.kind))
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.compare(other)
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Some(Ordering::Equal)
    }
}

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
                assert_eq!(va.compare(&vb), Some(i.cmp(&j)), "{a} vs {b}");
            }
        }
    }

    /// Lines of apk-tools' own `test/version.data` (GPL-2.0-only test
    /// vectors, <https://gitlab.alpinelinux.org/alpine/apk-tools>), chosen for
    /// letters, leading zeros, suffix chains, revisions and invalid tails.
    const APK_TOOLS_VERSION_DATA: &str = "\
2.34 > 0.1.0_alpha
23_foo > 4_beta
1.0 < 1.0bc
0.1.0_alpha2 > 0.1.0_alpha
1.1 > 1.1_alpha1
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
1.2.11 < 1.2.12.1
3.1_p16 < 3.1_p17
1.06-r6 < 006
006 > 1.0.0
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
1.00_beta2 > 0.9.2
4.2.52_p2-r1 < 4.2.52_p4-r2
1.02.07 < 1.02.10-r1
20060720 > 3.0.20060720
2.5.1-r8 < 2.5.1a-r1
3.0.0-r2 < 021109-r3
3.9_pre20060124 > 0.01
1.1.7 < 6b-r7
0.10.0 < 0.10.1_rc1
1.1a < 1.3a
0.15.1b-r2 > 0.15.1b
2.10.1 > 02.08.01b
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
1.2.12.04 < 1.2.12.05
0.59s-r11 < 0.65
0.20070118 < 0.20070207_rc1
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
2.2.3-r2 < 013
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
1.6.8_p12-r1 > 1.6.8_p9-r2
0.9.28.1 < 087-r1
1.2.5_rc2 > 0.1
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
";

    #[test]
    fn apk_tools_own_test_vectors_agree() {
        for line in APK_TOOLS_VERSION_DATA.lines() {
            let mut parts = line.split_whitespace();
            let (a, op, b) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let want = match op {
                "<" => Ordering::Less,
                ">" => Ordering::Greater,
                _ => Ordering::Equal,
            };
            let (va, vb) = (ApkVersion::parse(a).unwrap(), ApkVersion::parse(b).unwrap());
            assert_eq!(va.compare(&vb), Some(want), "{line}");
            assert_eq!(vb.compare(&va), Some(want.reverse()), "{line} (swapped)");
        }
    }

    /// `5.1p1`: apk reads no digits after the letter and stops; what it
    /// decides before that point stands, what it would call equal after it
    /// is refused (`None`), never guessed.
    #[test]
    fn a_letter_followed_by_digits_orders_only_as_far_as_apk_reads() {
        let v = |text| ApkVersion::parse(text).unwrap();
        assert_eq!(v("5.1p1").compare(&v("5.2")), Some(Ordering::Less));
        assert_eq!(v("5.1p1").compare(&v("5.1")), Some(Ordering::Greater));
        assert_eq!(v("5.1p1").compare(&v("5.1q")), Some(Ordering::Less));
        assert_eq!(v("5.1p1").compare(&v("5.1p2")), None);
        assert_eq!(v("5.1p1").compare(&v("5.1p1")), None);
        assert_eq!(v("1.0_foo").compare(&v("1.0_bar")), None);
        assert_eq!(v("1.0_foo").compare(&v("1.1")), Some(Ordering::Less));
        assert!(v("5.1p1") != v("5.1p2") && v("5.1p1") != v("5.1p1"));
        assert!(ApkVersion::parse("x1.0").is_err());
        assert!(ApkVersion::parse("").is_err());
    }
}
