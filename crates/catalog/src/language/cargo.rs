//! Rust crates: `Cargo.lock` (every version of the format, v1 to v4), and the
//! dependency list `cargo auditable` embeds in binaries (the zlib-compressed
//! JSON in the `.dep-v0` section). The root crate and path dependencies are
//! not crates.io packages and are left out.
//!
//! Formats: <https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html>,
//! <https://github.com/rust-secure-code/cargo-auditable/blob/master/PARAMETERS.md>.

use serde::{Deserialize, Serialize};

use super::elf;
use crate::package::{Location, Package, PackageKind, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use portcullis_model::Purl;

const MAX_LOCK_BYTES: u64 = 64 << 20;
/// An audit section inflates to a few KiB; refuse more than 8 MiB.
const MAX_AUDIT_JSON_BYTES: u64 = 8 << 20;

const WANTS: [Want; 1] = [Want::whole("**/Cargo.lock", MAX_LOCK_BYTES)];

fn package(name: &str, version: &str, location: Location) -> Package {
    let purl = Purl::new("cargo", name).with_version(version);
    Package::language(PackageKind::Cargo, name, version, purl, location)
}

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    package: Vec<RawLockPackage>,
}

#[derive(Deserialize)]
struct RawLockPackage {
    name: String,
    version: String,
    source: Option<String>,
}

pub(super) fn lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = std::str::from_utf8(file.bytes).map_err(|_| ParseError::text("it is not UTF-8"))?;
    let raw: RawLock = toml::from_str(text).map_err(ParseError::toml)?;
    let location = Location::of(file, Proof::LockFile);
    Ok(raw
        .package
        .into_iter()
        .filter(|p| p.source.is_some())
        .map(|p| package(&p.name, &p.version, location.clone()))
        .collect())
}

/// One crate from a `.dep-v0` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct AuditedCrate {
    pub(super) name: String,
    pub(super) version: String,
}

#[derive(Deserialize)]
struct RawAudit {
    packages: Vec<RawAuditPackage>,
}

#[derive(Deserialize)]
struct RawAuditPackage {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    root: bool,
}

/// The crates a `cargo auditable` binary lists; `None` when it has no `.dep-v0`.
pub(super) fn audited(bytes: &[u8]) -> Option<Result<Vec<AuditedCrate>, String>> {
    let section = elf::section(bytes, ".dep-v0")?;
    let json = match portcullis_io::read_bounded(
        flate2::read::ZlibDecoder::new(section),
        MAX_AUDIT_JSON_BYTES,
    ) {
        Ok(Some(json)) => json,
        Ok(None) => {
            return Some(Err(format!(
                "its `.dep-v0` section inflates past {MAX_AUDIT_JSON_BYTES} bytes"
            )))
        }
        Err(error) => {
            return Some(Err(format!(
                "its `.dep-v0` section does not inflate: {error}"
            )))
        }
    };
    Some(
        serde_json::from_slice::<RawAudit>(&json)
            .map(|raw| {
                raw.packages
                    .into_iter()
                    .filter(|p| !p.root && p.source != "local")
                    .map(|p| AuditedCrate {
                        name: p.name,
                        version: p.version,
                    })
                    .collect()
            })
            .map_err(|error| format!("its `.dep-v0` section is not valid JSON: {error}")),
    )
}

pub(super) fn audited_packages(file: &KeptFile<'_>, crates: &[AuditedCrate]) -> Vec<Package> {
    let location = Location::of(file, Proof::Binary);
    crates
        .iter()
        .map(|c| package(&c.name, &c.version, location.clone()))
        .collect()
}

/// `Cargo.lock` files (`cargo auditable` binaries are read by `executable.rs`).
pub(crate) struct CargoLock;

impl Cataloger for CargoLock {
    fn name(&self) -> &'static str {
        "cargo-lock"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        lock(file).map(Found::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keeps_registry_crates_and_drops_the_root() {
        // Source: shared/fixtures/image-src/rust-svc/Cargo.lock (v3), trimmed.
        let text = "version = 3\n\n[[package]]\nname = \"regex\"\nversion = \"1.5.4\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"d07a8629359eb56f1e2fb1652bb04212c072a87ba68546a04065d525673ac461\"\n\n[[package]]\nname = \"rust-svc\"\nversion = \"0.1.0\"\ndependencies = [\n \"regex\",\n]\n";
        let file = KeptFile {
            path: "app/Cargo.lock",
            bytes: text.as_bytes(),
            layer: Some(2),
        };
        let found: Vec<(String, String)> = lock(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(found, vec![("regex".into(), "1.5.4".into())]);
        let broken = KeptFile {
            path: "Cargo.lock",
            bytes: b"[[package]\nname=",
            layer: None,
        };
        assert!(lock(&broken).is_err());
    }
}
