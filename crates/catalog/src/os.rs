//! Which operating system an image runs, from `/etc/os-release` (or
//! `/usr/lib/os-release`), else `/etc/alpine-release`, `/etc/debian_version`
//! or `/etc/redhat-release`, mapped to the OSV ecosystem string.
//!
//! See <https://www.freedesktop.org/software/systemd/man/latest/os-release.html>.

use std::collections::BTreeMap;

use portcullis_layer::{View, Want};
use portcullis_model::Ecosystem;

use super::Error;

/// os-release and the release files are tiny; 64 KiB is generous.
const MAX_RELEASE_FILE_BYTES: u64 = 64 << 10;

pub(super) const WANTS: [Want; 5] = [
    Want::whole("etc/os-release", MAX_RELEASE_FILE_BYTES),
    Want::whole("usr/lib/os-release", MAX_RELEASE_FILE_BYTES),
    Want::whole("etc/alpine-release", MAX_RELEASE_FILE_BYTES),
    Want::whole("etc/debian_version", MAX_RELEASE_FILE_BYTES),
    Want::whole("etc/redhat-release", MAX_RELEASE_FILE_BYTES),
];

/// The detected operating system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatingSystem {
    /// os-release `ID` (`debian`, `alpine`, `almalinux`, …).
    pub id: String,
    /// os-release `VERSION_ID` (`12`, `3.20.1`, `9.3`), when known.
    pub version: Option<String>,
    pub pretty_name: Option<String>,
    /// The OSV ecosystem its packages belong to.
    pub ecosystem: Ecosystem,
    /// The file that told.
    pub path: String,
}

impl OperatingSystem {
    /// The purl `distro` qualifier: `debian-12`, `alpine-3.20.1`.
    pub fn distro_qualifier(&self) -> String {
        match &self.version {
            Some(version) => format!("{}-{version}", self.id),
            None => self.id.clone(),
        }
    }
}

/// Parses os-release `KEY=value` lines, unquoting values.
fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.trim().split_once('='))
        .map(|(key, value)| {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            (key.trim().to_owned(), unquoted.replace("\\\"", "\""))
        })
        .collect()
}

fn major(version: &str) -> String {
    version.split('.').next().unwrap_or(version).to_owned()
}

fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Maps an os-release `ID` and `VERSION_ID` to an OSV ecosystem.
fn ecosystem_for(id: &str, version: Option<&str>, release_text: &str) -> Ecosystem {
    match (id, version) {
        ("debian", version) => Ecosystem::Debian {
            release: version.map(major),
        },
        ("ubuntu", Some(version)) => Ecosystem::Ubuntu {
            release: version.to_owned(),
            lts: release_text.contains("LTS"),
        },
        ("alpine", version) => Ecosystem::Alpine {
            branch: version.map(|v| format!("v{}", major_minor(v))),
        },
        ("almalinux", Some(version)) => Ecosystem::AlmaLinux {
            major: major(version),
        },
        ("rocky", Some(version)) => Ecosystem::RockyLinux {
            major: major(version),
        },
        ("rhel", _) => Ecosystem::RedHat,
        ("wolfi", _) => Ecosystem::Wolfi,
        ("chainguard", _) => Ecosystem::Chainguard,
        (other, _) => Ecosystem::OtherOs(other.to_owned()),
    }
}

/// Detects the OS from the first release file present.
pub(super) fn detect(view: &View) -> Result<Option<OperatingSystem>, Error> {
    for path in ["etc/os-release", "usr/lib/os-release"] {
        let Some(file) = view.file(path)? else {
            continue;
        };
        let text = String::from_utf8_lossy(file.bytes);
        let fields = parse_os_release(&text);
        let Some(id) = fields.get("ID").map(|id| id.to_ascii_lowercase()) else {
            continue;
        };
        let version = fields.get("VERSION_ID").cloned();
        let release_text = fields.get("VERSION").cloned().unwrap_or_default();
        return Ok(Some(OperatingSystem {
            ecosystem: ecosystem_for(&id, version.as_deref(), &release_text),
            id,
            version,
            pretty_name: fields.get("PRETTY_NAME").cloned(),
            path: file.path.to_owned(),
        }));
    }
    if let Some(file) = view.file("etc/alpine-release")? {
        let version = String::from_utf8_lossy(file.bytes).trim().to_owned();
        return Ok(Some(from_release_file("alpine", Some(version), file.path)));
    }
    if let Some(file) = view.file("etc/redhat-release")? {
        let text = String::from_utf8_lossy(file.bytes).trim().to_owned();
        return Ok(Some(from_redhat_release(&text, file.path)));
    }
    if let Some(file) = view.file("etc/debian_version")? {
        let text = String::from_utf8_lossy(file.bytes).trim().to_owned();
        let numbered = text.starts_with(|c: char| c.is_ascii_digit());
        return Ok(Some(from_release_file(
            "debian",
            numbered.then(|| major(&text)),
            file.path,
        )));
    }
    Ok(None)
}

fn from_release_file(id: &str, version: Option<String>, path: &str) -> OperatingSystem {
    OperatingSystem {
        ecosystem: ecosystem_for(id, version.as_deref(), ""),
        id: id.to_owned(),
        version,
        pretty_name: None,
        path: path.to_owned(),
    }
}

/// `AlmaLinux release 9.3 (Shamrock Pink)`, `Rocky Linux release 9.2 (Blue Onyx)`,
/// `Red Hat Enterprise Linux release 8.9 (Ootpa)`.
fn from_redhat_release(text: &str, path: &str) -> OperatingSystem {
    let version = text
        .split_whitespace()
        .skip_while(|word| *word != "release")
        .nth(1)
        .map(str::to_owned);
    let id = if text.starts_with("AlmaLinux") {
        "almalinux"
    } else if text.starts_with("Rocky") {
        "rocky"
    } else if text.starts_with("Red Hat") {
        "rhel"
    } else if text.starts_with("CentOS") {
        "centos"
    } else if text.starts_with("Fedora") {
        "fedora"
    } else {
        "redhat-like"
    };
    let mut os = from_release_file(id, version, path);
    os.pretty_name = Some(text.to_owned());
    os
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_maps_to_osv_ecosystems() {
        // Source: the os-release files of debian:12, ubuntu:22.04, alpine:3.20 and almalinux:9.
        let cases = [
            ("ID=debian\nVERSION_ID=\"12\"\n", "Debian:12"),
            (
                "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\n",
                "Ubuntu:22.04:LTS",
            ),
            ("ID=alpine\nVERSION_ID=3.20.1\n", "Alpine:v3.20"),
            ("ID=\"almalinux\"\nVERSION_ID=\"9.3\"\n", "AlmaLinux:9"),
            ("ID=\"rocky\"\nVERSION_ID=\"9.2\"\n", "Rocky Linux:9"),
            ("ID=\"rhel\"\nVERSION_ID=\"8.9\"\n", "Red Hat"),
            ("ID=wolfi\nVERSION_ID=20230201\n", "Wolfi"),
        ];
        for (text, expected) in cases {
            let fields = parse_os_release(text);
            let id = fields.get("ID").unwrap();
            let version = fields.get("VERSION_ID").map(String::as_str);
            let release = fields.get("VERSION").cloned().unwrap_or_default();
            assert_eq!(
                ecosystem_for(id, version, &release).to_string(),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn redhat_release_names_distro_and_version() {
        let os = from_redhat_release(
            "AlmaLinux release 9.3 (Shamrock Pink)",
            "etc/redhat-release",
        );
        assert_eq!(os.ecosystem.to_string(), "AlmaLinux:9");
        let os = from_redhat_release("Rocky Linux release 9.2 (Blue Onyx)", "etc/redhat-release");
        assert_eq!(os.ecosystem.to_string(), "Rocky Linux:9");
    }
}
