//! Parse and order versions, one comparator per ecosystem; no I/O.
//!
//! [`Scheme::for_ecosystem`] picks the comparator; [`Version::parse`] reads a
//! version in it; two versions of one scheme compare with `partial_cmp`
//! (versions of different schemes never compare).

/// Derives `PartialOrd`, `PartialEq` and `Eq` from a type's `Ord`, so that
/// equality always agrees with the scheme's order (`1.0` == `1.0.0` where the
/// scheme says so), never with the text.
macro_rules! order_from_ord {
    ($type:ty) => {
        impl PartialOrd for $type {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $type {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }

        impl Eq for $type {}
    };
}

mod apk;
mod dpkg;
mod maven;
mod nuget;
mod packagist;
pub use packagist::ComposerVersion;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;

use portcullis_model::Ecosystem;

/// Why a version could not be read in a scheme.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{text}` is not a valid {scheme} version: {why}")]
pub struct ParseError {
    scheme: &'static str,
    text: String,
    why: String,
}

impl ParseError {
    pub fn new(scheme: &'static str, text: &str, why: &str) -> ParseError {
        ParseError {
            scheme,
            text: text.to_owned(),
            why: why.to_owned(),
        }
    }
}

/// The ordering rules of an ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Dpkg,
    Rpm,
    Apk,
    Pep440,
    Semver,
    Go,
    Maven,
    RubyGems,
    NuGet,
    Packagist,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "pep440",
            Scheme::Semver => "semver",
            Scheme::Go => "go",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Packagist => "packagist",
        }
    }

    /// The comparator OSV's `ECOSYSTEM` ranges use for `ecosystem`;
    /// `None` for an OS OSV has no ecosystem for.
    pub fn for_ecosystem(ecosystem: &Ecosystem) -> Option<Scheme> {
        Some(match ecosystem {
            Ecosystem::Debian { .. } | Ecosystem::Ubuntu { .. } => Scheme::Dpkg,
            Ecosystem::AlmaLinux { .. } | Ecosystem::RockyLinux { .. } | Ecosystem::RedHat => {
                Scheme::Rpm
            }
            Ecosystem::Alpine { .. } | Ecosystem::Wolfi | Ecosystem::Chainguard => Scheme::Apk,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Npm | Ecosystem::CratesIo => Scheme::Semver,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Packagist => Scheme::Packagist,
            Ecosystem::OtherOs(_) => return None,
        })
    }
}

/// A version parsed in one scheme.
#[derive(Debug, Clone)]
pub enum Version {
    Dpkg(dpkg::DpkgVersion),
    Rpm(rpm::RpmVersion),
    Apk(apk::ApkVersion),
    Pep440(pep440::Pep440Version),
    Semver(semver::SemVersion),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::ComposerVersion),
}

impl Version {
    pub fn parse(scheme: Scheme, text: &str) -> Result<Version, ParseError> {
        Ok(match scheme {
            Scheme::Dpkg => Version::Dpkg(dpkg::DpkgVersion::parse(text)?),
            Scheme::Rpm => Version::Rpm(rpm::RpmVersion::parse(text)?),
            Scheme::Apk => Version::Apk(apk::ApkVersion::parse(text)?),
            Scheme::Pep440 => Version::Pep440(pep440::Pep440Version::parse(text)?),
            Scheme::Semver => Version::Semver(semver::SemVersion::parse(text)?),
            Scheme::Go => Version::Semver(semver::SemVersion::parse_go(text)?),
            Scheme::Maven => Version::Maven(maven::MavenVersion::parse(text)?),
            Scheme::RubyGems => Version::RubyGems(rubygems::GemVersion::parse(text)?),
            Scheme::NuGet => Version::NuGet(nuget::NuGetVersion::parse(text)?),
            Scheme::Packagist => Version::Packagist(packagist::ComposerVersion::parse(text)?),
        })
    }

    /// The text it was parsed from.
    pub fn text(&self) -> &str {
        match self {
            Version::Dpkg(v) => v.text(),
            Version::Rpm(v) => v.text(),
            Version::Apk(v) => v.text(),
            Version::Pep440(v) => v.text(),
            Version::Semver(v) => v.text(),
            Version::Maven(v) => v.text(),
            Version::RubyGems(v) => v.text(),
            Version::NuGet(v) => v.text(),
            Version::Packagist(v) => v.text(),
        }
    }
}

/// Sorts `items` by `compare`, a version order, without relying on it being
/// transitive: an insertion sort, which never panics (the standard sorts may
/// when an order is not total). Maven's own order is not transitive for some
/// strings (`4.1.0.M1` > `4.1.)-RC` > `4.1.0.Final` > `4.1.0.M1`, as
/// maven-artifact's `ComparableVersion` says), and the versions sorted here
/// come from advisories. The lists are an advisory's events and fixed
/// versions: short, so the quadratic worst case does not matter.
pub fn sort_versions<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && compare(&items[j - 1], &items[j]) == Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Versions of one scheme order by that scheme; different schemes do not compare.
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => Some(a.cmp(b)),
            (Version::Rpm(a), Version::Rpm(b)) => Some(a.cmp(b)),
            (Version::Apk(a), Version::Apk(b)) => a.partial_cmp(b),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            (Version::Semver(a), Version::Semver(b)) => Some(a.cmp(b)),
            (Version::Maven(a), Version::Maven(b)) => Some(a.cmp(b)),
            (Version::RubyGems(a), Version::RubyGems(b)) => Some(a.cmp(b)),
            (Version::NuGet(a), Version::NuGet(b)) => Some(a.cmp(b)),
            (Version::Packagist(a), Version::Packagist(b)) => Some(a.cmp(b)),
            (
                Version::Dpkg(_)
                | Version::Rpm(_)
                | Version::Apk(_)
                | Version::Pep440(_)
                | Version::Semver(_)
                | Version::Maven(_)
                | Version::RubyGems(_)
                | Version::NuGet(_)
                | Version::Packagist(_),
                _,
            ) => None,
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Version-like strings: numbers, dots, dashes, tildes, letters.
    fn version_text() -> impl Strategy<Value = String> {
        "[0-9]{1,3}([.~+-]?[0-9a-z]{0,3}){0,4}"
    }

    proptest! {
        /// Each scheme's order is total: antisymmetric and transitive, and
        /// equality agrees with the order.
        #[test]
        fn order_is_total(a in version_text(), b in version_text(), c in version_text()) {
            for scheme in [Scheme::Dpkg, Scheme::Rpm, Scheme::Apk, Scheme::Pep440, Scheme::Semver, Scheme::Maven, Scheme::RubyGems, Scheme::NuGet, Scheme::Packagist] {
                let (Ok(va), Ok(vb), Ok(vc)) = (Version::parse(scheme, &a), Version::parse(scheme, &b), Version::parse(scheme, &c)) else {
                    continue;
                };
                // Only apk refuses to order (past invalid syntax, as apk-tools stops reading).
                let ab = va.partial_cmp(&vb);
                prop_assert!(ab.is_some() || scheme == Scheme::Apk, "{:?} {} {}", scheme, a, b);
                prop_assert_eq!(ab.map(Ordering::reverse), vb.partial_cmp(&va), "{:?} {} {}", scheme, a, b);
                prop_assert_eq!(va == vb, ab == Some(Ordering::Equal));
                let (Some(ab), Some(bc), Some(ac)) = (ab, vb.partial_cmp(&vc), va.partial_cmp(&vc)) else {
                    continue;
                };
                if ab != Ordering::Greater && bc != Ordering::Greater {
                    prop_assert_ne!(ac, Ordering::Greater, "{:?} {} {} {}", scheme, a, b, c);
                }
            }
        }
    }

    #[test]
    fn schemes_follow_ecosystems_and_never_cross() {
        assert_eq!(
            Scheme::for_ecosystem(&Ecosystem::Debian {
                release: Some("12".into())
            }),
            Some(Scheme::Dpkg)
        );
        assert_eq!(Scheme::for_ecosystem(&Ecosystem::Wolfi), Some(Scheme::Apk));
        let dpkg = Version::parse(Scheme::Dpkg, "1.0").unwrap();
        let rpm = Version::parse(Scheme::Rpm, "1.0").unwrap();
        assert_eq!(dpkg.partial_cmp(&rpm), None);
    }
}
