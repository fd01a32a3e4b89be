//! npm lock files: `package-lock.json` (v1, v2, v3) and
//! `node_modules/.package-lock.json`.
//!
//! Format: <https://docs.npmjs.com/cli/configuring-npm/package-lock-json>.

use std::collections::BTreeMap;

use serde::Deserialize;

use portcullis_layer::{KeptFile, Want};

use super::npm::{package, MAX_LOCK_BYTES};
use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::package::{Location, Package, Proof};

const WANTS: [Want; 1] = [Want::whole("**/package-lock.json", MAX_LOCK_BYTES)];

/// `package-lock.json` files.
pub(crate) struct NpmLock;

impl Cataloger for NpmLock {
    fn name(&self) -> &'static str {
        "npm-lock"
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

#[derive(Deserialize)]
struct RawLock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<u32>,
    #[serde(default)]
    packages: BTreeMap<String, RawLockPackage>,
    #[serde(default)]
    dependencies: BTreeMap<String, RawLockDependency>,
}

#[derive(Deserialize)]
struct RawLockPackage {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    link: bool,
}

#[derive(Deserialize)]
struct RawLockDependency {
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, RawLockDependency>,
}

/// The package name a `packages` key names: the part after the last `node_modules/`.
fn name_from_key(key: &str) -> &str {
    key.rsplit_once("node_modules/")
        .map_or(key, |(_, name)| name)
}

fn v1_dependencies(
    dependencies: &BTreeMap<String, RawLockDependency>,
    location: &Location,
    out: &mut Vec<Package>,
) {
    for (name, dependency) in dependencies {
        if let Some(version) = &dependency.version {
            // v1 writes links and git deps as URLs, not versions.
            if !version.contains(':') {
                out.push(package(name, version, location.clone(), dependency.dev));
            }
        }
        v1_dependencies(&dependency.dependencies, location, out);
    }
}

/// Parses a `package-lock.json` (v1, v2 or v3) or `node_modules/.package-lock.json`.
fn lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let raw: RawLock = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    // The hidden lock in node_modules records what is installed.
    let proof = if file.path.ends_with("node_modules/.package-lock.json") {
        Proof::Metadata
    } else {
        Proof::LockFile
    };
    let location = Location::of(file, proof);
    let mut out = Vec::new();
    if raw.lockfile_version.unwrap_or(1) >= 2 || !raw.packages.is_empty() {
        for (key, entry) in &raw.packages {
            if key.is_empty() || entry.link || !key.contains("node_modules/") {
                continue;
            }
            let name = entry.name.as_deref().unwrap_or_else(|| name_from_key(key));
            if let Some(version) = &entry.version {
                out.push(package(name, version, location.clone(), entry.dev));
            }
        }
    } else {
        v1_dependencies(&raw.dependencies, &location, &mut out);
    }
    Ok(out)
}
