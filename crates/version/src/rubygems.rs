//! RubyGems versions, ordered as `Gem::Version#<=>`: segments split at dots
//! and at digit/letter changes; numbers compare numerically, strings
//! lexically, a string (a pre-release) below any number; missing segments
//! count as zero. As `canonical_segments` does, trailing zeros are dropped
//! from the release part and from the pre-release part before comparing, so
//! `3.0.0.beta4` is `3.beta.4` and sorts below `3.0.pre` (`3.pre`).
//!
//! Reference: `lib/rubygems/version.rb`, <https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb>.

use std::cmp::Ordering;

use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(u128),
    Text(String),
}

/// A parsed gem version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct GemVersion {
    text: String,
    segments: Vec<Segment>,
}

impl GemVersion {
    pub fn parse(text: &str) -> Result<GemVersion, ParseError> {
        let trimmed = text.trim();
        let valid = !trimmed.is_empty()
            && trimmed.starts_with(|c: char| c.is_ascii_digit())
            && trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(ParseError::new("rubygems", text, "it is not a gem version"));
        }
        // `1.0-rc1` is read as `1.0.pre.rc1`, as RubyGems does.
        let normalised = trimmed.replace('-', ".pre.");
        let mut segments = Vec::new();
        for part in normalised.split('.') {
            let mut current = String::new();
            let mut digits = None;
            for c in part.chars() {
                let is_digit = c.is_ascii_digit();
                if digits.is_some_and(|d| d != is_digit) {
                    segments.push(segment(&current, text)?);
                    current.clear();
                }
                digits = Some(is_digit);
                current.push(c);
            }
            if !current.is_empty() {
                segments.push(segment(&current, text)?);
            }
        }
        Ok(GemVersion {
            text: text.to_owned(),
            segments: canonical(segments),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `Gem::Version#canonical_segments`: the numbers before the first string
/// and the rest, each without its trailing zeros.
fn canonical(mut segments: Vec<Segment>) -> Vec<Segment> {
    let is_zero = |s: &Segment| *s == Segment::Number(0);
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut prerelease = segments.split_off(split);
    while segments.last().is_some_and(is_zero) {
        segments.pop();
    }
    while prerelease.last().is_some_and(is_zero) {
        prerelease.pop();
    }
    segments.extend(prerelease);
    segments
}

fn segment(text: &str, original: &str) -> Result<Segment, ParseError> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        text.parse()
            .map(Segment::Number)
            .map_err(|_| ParseError::new("rubygems", original, "a number is too large"))
    } else {
        Ok(Segment::Text(text.to_owned()))
    }
}

/// Segment by segment, a missing one as `0`.
impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number(0);
        let longest = self.segments.len().max(other.segments.len());
        (0..longest)
            .map(|i| {
                let a = self.segments.get(i).unwrap_or(&zero);
                let b = other.segments.get(i).unwrap_or(&zero);
                match (a, b) {
                    (Segment::Number(a), Segment::Number(b)) => a.cmp(b),
                    (Segment::Text(a), Segment::Text(b)) => a.cmp(b),
                    (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
                    (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

order_from_ord!(GemVersion);

#[cfg(test)]
mod tests {
    use super::*;

    /// Following RubyGems' `test_gem_version.rb` (`test_spaceship`, `test_prerelease`).
    #[test]
    fn gem_versions_order_as_rubygems() {
        let ascending = [
            "0.9", "1.0.a", "1.0.a2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.2.0.a", "1.2", "1.10",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (GemVersion::parse(a).unwrap(), GemVersion::parse(b).unwrap());
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(
            GemVersion::parse("1.0").unwrap(),
            GemVersion::parse("1.0.0").unwrap()
        );
        assert_eq!(
            GemVersion::parse("1.0a").unwrap(),
            GemVersion::parse("1.0.a").unwrap()
        );
        assert!(GemVersion::parse("junk!").is_err());
        // canonical_segments (RubyGems 3.x): zeros before a pre-release are dropped.
        assert!(GemVersion::parse("3.0.0.beta4").unwrap() < GemVersion::parse("3.0.pre").unwrap());
        assert_eq!(
            GemVersion::parse("1.0.0.a1").unwrap(),
            GemVersion::parse("1.a.1").unwrap()
        );
    }
}
