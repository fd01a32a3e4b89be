//! Semantic versions (npm, crates.io, OSV `SEMVER` ranges) and Go module
//! versions. Precedence follows SemVer 2.0.0 §11: major, minor, patch, then a
//! pre-release sorts before its release and pre-release identifiers compare
//! numerically or lexically; build metadata is ignored. Go versions drop the
//! `v`, `+incompatible` and the `go` of toolchain versions first; loose
//! versions (`1.2`, `v1`) are padded with zeros.
//!
//! Spec: <https://semver.org/#spec-item-11>; Go: <https://go.dev/ref/mod#versions>.

use std::cmp::Ordering;

use super::ParseError;

/// A parsed semantic version; keeps the text it came from.
#[derive(Debug, Clone)]
pub struct SemVersion {
    text: String,
    version: semver::Version,
}

impl SemVersion {
    /// Parses strictly, then loosely: a `v` prefix and missing minor or patch are accepted.
    pub fn parse(text: &str) -> Result<SemVersion, ParseError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let version = semver::Version::parse(bare)
            .or_else(|_| semver::Version::parse(&pad(bare)))
            .map_err(|e| ParseError::new("semver", text, &e.to_string()))?;
        Ok(SemVersion {
            text: text.to_owned(),
            version,
        })
    }

    /// Parses a Go module or toolchain version (`v1.2.3+incompatible`, `go1.19.8`).
    pub fn parse_go(text: &str) -> Result<SemVersion, ParseError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix("go").unwrap_or(trimmed);
        let bare = bare.strip_suffix("+incompatible").unwrap_or(bare);
        let mut parsed = SemVersion::parse(bare)
            .map_err(|_| ParseError::new("go", text, "it is not a Go module version"))?;
        parsed.text = text.to_owned();
        Ok(parsed)
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `1.2` → `1.2.0`, `1` → `1.0.0`, keeping any `-pre` or `+build`.
fn pad(text: &str) -> String {
    let split = text.find(['-', '+']).unwrap_or(text.len());
    let (core, rest) = text.split_at(split);
    let parts = core.split('.').count();
    let zeros = ".0".repeat(3usize.saturating_sub(parts));
    format!("{core}{zeros}{rest}")
}

/// SemVer precedence: build metadata does not count.
impl Ord for SemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.version, &other.version);
        (a.major, a.minor, a.patch)
            .cmp(&(b.major, b.minor, b.patch))
            .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => a.pre.cmp(&b.pre),
            })
    }
}

order_from_ord!(SemVersion);

#[cfg(test)]
mod tests {
    use super::*;

    /// The precedence example of SemVer 2.0.0 §11.
    #[test]
    fn semver_spec_precedence_example() {
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for (i, a) in ascending.iter().enumerate() {
            for (j, b) in ascending.iter().enumerate() {
                let (va, vb) = (SemVersion::parse(a).unwrap(), SemVersion::parse(b).unwrap());
                assert_eq!(va.cmp(&vb), i.cmp(&j), "{a} vs {b}");
            }
        }
        let with_build = SemVersion::parse("1.0.0+20130313144700").unwrap();
        assert_eq!(with_build, SemVersion::parse("1.0.0").unwrap());
    }

    #[test]
    fn go_versions_drop_prefixes_and_incompatible() {
        let go = |t: &str| SemVersion::parse_go(t).unwrap();
        assert!(go("v0.7.0") < go("v0.7.1"));
        assert_eq!(go("v2.0.0+incompatible"), go("v2.0.0"));
        assert!(go("v0.0.0-20190125091013-d26f9f9a57f3") < go("v0.0.1"));
        assert!(
            go("v0.0.0-20180816102801-aaf60122140d") < go("v0.0.0-20190125091013-d26f9f9a57f3")
        );
        assert_eq!(go("go1.19.8"), SemVersion::parse("1.19.8").unwrap());
        assert!(go("1.16.0-0") < go("1.16.0"));
        assert!(SemVersion::parse("not.a.version").is_err());
        assert_eq!(
            SemVersion::parse("1.2").unwrap(),
            SemVersion::parse("1.2.0").unwrap()
        );
    }
}
