//! Ecosystems as OSV names them, with the distro release where matching needs it.
//!
//! See <https://ossf.github.io/osv-schema/#affectedpackage-field> for the strings.

use std::fmt;

/// Where a package comes from. Distro variants carry their release, because a
/// `Debian:12` advisory says nothing about `Debian:11`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    /// Debian, by major release (`12`); `None` for testing/sid, which has no number.
    Debian {
        release: Option<String>,
    },
    /// Ubuntu, by `YY.MM` release, with `:LTS` for long-term releases.
    Ubuntu {
        release: String,
        lts: bool,
    },
    /// Alpine, by branch (`v3.20`, or `edge`).
    Alpine {
        branch: Option<String>,
    },
    AlmaLinux {
        major: String,
    },
    RockyLinux {
        major: String,
    },
    RedHat,
    Wolfi,
    Chainguard,
    /// An operating system OSV has no ecosystem for: its `ID` from os-release.
    OtherOs(String),
    Npm,
    PyPI,
    Go,
    CratesIo,
    Maven,
    RubyGems,
    Packagist,
    NuGet,
}

impl Ecosystem {
    /// The purl namespace for packages of this distro (`pkg:deb/debian/…`).
    pub fn purl_namespace(&self) -> String {
        match self {
            Ecosystem::Debian { .. } => "debian".to_owned(),
            Ecosystem::Ubuntu { .. } => "ubuntu".to_owned(),
            Ecosystem::Alpine { .. } => "alpine".to_owned(),
            Ecosystem::AlmaLinux { .. } => "almalinux".to_owned(),
            Ecosystem::RockyLinux { .. } => "rocky".to_owned(),
            Ecosystem::RedHat => "redhat".to_owned(),
            Ecosystem::Wolfi => "wolfi".to_owned(),
            Ecosystem::Chainguard => "chainguard".to_owned(),
            Ecosystem::OtherOs(id) => id.to_ascii_lowercase(),
            Ecosystem::Npm
            | Ecosystem::PyPI
            | Ecosystem::Go
            | Ecosystem::CratesIo
            | Ecosystem::Maven
            | Ecosystem::RubyGems
            | Ecosystem::Packagist
            | Ecosystem::NuGet => String::new(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ecosystem::Debian {
                release: Some(release),
            } => write!(f, "Debian:{release}"),
            Ecosystem::Debian { release: None } => f.write_str("Debian"),
            Ecosystem::Ubuntu { release, lts: true } => write!(f, "Ubuntu:{release}:LTS"),
            Ecosystem::Ubuntu {
                release,
                lts: false,
            } => write!(f, "Ubuntu:{release}"),
            Ecosystem::Alpine {
                branch: Some(branch),
            } => write!(f, "Alpine:{branch}"),
            Ecosystem::Alpine { branch: None } => f.write_str("Alpine"),
            Ecosystem::AlmaLinux { major } => write!(f, "AlmaLinux:{major}"),
            Ecosystem::RockyLinux { major } => write!(f, "Rocky Linux:{major}"),
            Ecosystem::RedHat => f.write_str("Red Hat"),
            Ecosystem::Wolfi => f.write_str("Wolfi"),
            Ecosystem::Chainguard => f.write_str("Chainguard"),
            Ecosystem::OtherOs(id) => f.write_str(id),
            Ecosystem::Npm => f.write_str("npm"),
            Ecosystem::PyPI => f.write_str("PyPI"),
            Ecosystem::Go => f.write_str("Go"),
            Ecosystem::CratesIo => f.write_str("crates.io"),
            Ecosystem::Maven => f.write_str("Maven"),
            Ecosystem::RubyGems => f.write_str("RubyGems"),
            Ecosystem::Packagist => f.write_str("Packagist"),
            Ecosystem::NuGet => f.write_str("NuGet"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_ecosystems_render_as_osv_names() {
        let cases = [
            (
                Ecosystem::Debian {
                    release: Some("12".into()),
                },
                "Debian:12",
            ),
            (
                Ecosystem::Ubuntu {
                    release: "22.04".into(),
                    lts: true,
                },
                "Ubuntu:22.04:LTS",
            ),
            (
                Ecosystem::Alpine {
                    branch: Some("v3.20".into()),
                },
                "Alpine:v3.20",
            ),
            (Ecosystem::AlmaLinux { major: "9".into() }, "AlmaLinux:9"),
            (Ecosystem::RockyLinux { major: "9".into() }, "Rocky Linux:9"),
            (Ecosystem::RedHat, "Red Hat"),
            (Ecosystem::Wolfi, "Wolfi"),
        ];
        for (ecosystem, expected) in cases {
            assert_eq!(ecosystem.to_string(), expected);
        }
    }
}
