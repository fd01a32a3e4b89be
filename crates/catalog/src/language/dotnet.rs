//! .NET packages: `*.deps.json` (the `libraries` of type `package`) written
//! next to a built application, and NuGet's `packages.lock.json`.
//!
//! Formats: <https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md>,
//! <https://learn.microsoft.com/en-us/nuget/consume-packages/package-references-in-project-files#locking-dependencies>.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::package::{Location, Package, PackageKind, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use portcullis_model::Purl;

const MAX_DOTNET_BYTES: u64 = 64 << 20;

const WANTS: [Want; 2] = [
    Want::whole("**/*.deps.json", MAX_DOTNET_BYTES),
    Want::whole("**/packages.lock.json", MAX_DOTNET_BYTES),
];

fn package(name: &str, version: &str, location: Location) -> Package {
    let purl = Purl::new("nuget", name).with_version(version);
    Package::language(PackageKind::NuGet, name, version, purl, location)
}

#[derive(Deserialize)]
struct RawDeps {
    #[serde(default)]
    libraries: BTreeMap<String, RawLibrary>,
}

#[derive(Deserialize)]
struct RawLibrary {
    #[serde(rename = "type")]
    kind: String,
}

pub(super) fn deps_json(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let raw: RawDeps = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    let location = Location::of(file, Proof::Metadata);
    Ok(raw
        .libraries
        .iter()
        .filter(|(_, library)| library.kind == "package")
        .filter_map(|(key, _)| key.split_once('/'))
        .map(|(name, version)| package(name, version, location.clone()))
        .collect())
}

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, RawLockEntry>>,
}

#[derive(Deserialize)]
struct RawLockEntry {
    #[serde(rename = "type")]
    kind: Option<String>,
    resolved: Option<String>,
}

pub(super) fn lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let raw: RawLock = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    let location = Location::of(file, Proof::LockFile);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for entries in raw.dependencies.values() {
        for (name, entry) in entries {
            if entry.kind.as_deref() == Some("Project") {
                continue;
            }
            if let Some(version) = &entry.resolved {
                if seen.insert((name.clone(), version.clone())) {
                    out.push(package(name, version, location.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// .NET's `*.deps.json` and `packages.lock.json`.
pub(crate) struct Dotnet;

impl Cataloger for Dotnet {
    fn name(&self) -> &'static str {
        "dotnet"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        if file.path.ends_with(".deps.json") {
            deps_json(file)
        } else {
            lock(file)
        }
        .map(Found::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deps_json_keeps_packages_not_projects() {
        let text = br#"{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},"libraries":{"app/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.1":{"type":"package","serviceable":true}}}"#;
        let file = KeptFile {
            path: "app/app.deps.json",
            bytes: text,
            layer: None,
        };
        let found = deps_json(&file).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].purl.to_string(),
            "pkg:nuget/Newtonsoft.Json@13.0.1"
        );
    }
}
