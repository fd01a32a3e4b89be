//! PHP packages: Composer's `vendor/composer/installed.json` (v1: a list;
//! v2: `{"packages": [...]}`) and `composer.lock` (`packages` and `packages-dev`).
//!
//! Format: <https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control>.

use serde::Deserialize;

use crate::package::{Location, Package, PackageKind, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use portcullis_model::Purl;

const MAX_COMPOSER_BYTES: u64 = 64 << 20;

const WANTS: [Want; 2] = [
    Want::whole("**/vendor/composer/installed.json", MAX_COMPOSER_BYTES),
    Want::whole("**/composer.lock", MAX_COMPOSER_BYTES),
];

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: String,
    #[serde(default)]
    license: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawInstalled {
    V2 { packages: Vec<RawPackage> },
    V1(Vec<RawPackage>),
}

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    packages: Vec<RawPackage>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<RawPackage>,
}

fn package(raw: RawPackage, location: Location, dev: bool) -> Package {
    let (vendor, name) = raw.name.split_once('/').unwrap_or(("", raw.name.as_str()));
    let purl = Purl::new("composer", name)
        .with_namespace(vendor)
        .with_version(&raw.version);
    let mut package = Package::language(
        PackageKind::Composer,
        &raw.name,
        &raw.version,
        purl,
        location,
    );
    package.licenses = raw.license;
    package.dev = dev;
    package
}

pub(super) fn installed(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let raw: RawInstalled = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    let packages = match raw {
        RawInstalled::V2 { packages } | RawInstalled::V1(packages) => packages,
    };
    let location = Location::of(file, Proof::Metadata);
    Ok(packages
        .into_iter()
        .map(|p| package(p, location.clone(), false))
        .collect())
}

pub(super) fn lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let raw: RawLock = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    let location = Location::of(file, Proof::LockFile);
    let mut out: Vec<Package> = raw
        .packages
        .into_iter()
        .map(|p| package(p, location.clone(), false))
        .collect();
    out.extend(
        raw.packages_dev
            .into_iter()
            .map(|p| package(p, location.clone(), true)),
    );
    Ok(out)
}

/// Composer's `vendor/composer/installed.json` and `composer.lock`.
pub(crate) struct Composer;

impl Cataloger for Composer {
    fn name(&self) -> &'static str {
        "composer"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        if file.path.ends_with("composer.lock") {
            lock(file)
        } else {
            installed(file)
        }
        .map(Found::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_json_v1_and_v2_read_alike() {
        let v1 = br#"[{"name":"monolog/monolog","version":"2.9.1","license":["MIT"]}]"#;
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"2.9.1","license":["MIT"]}],"dev":true}"#;
        for bytes in [&v1[..], &v2[..]] {
            let file = KeptFile {
                path: "app/vendor/composer/installed.json",
                bytes,
                layer: None,
            };
            let found = installed(&file).unwrap();
            assert_eq!(
                found[0].purl.to_string(),
                "pkg:composer/monolog/monolog@2.9.1"
            );
        }
    }
}
