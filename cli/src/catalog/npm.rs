//! npm packages: installed `package.json` files (under `node_modules`, or in
//! Debian's `/usr/share/nodejs`), a project's own `package.json`, and the lock
//! files `package-lock.json` (v1, v2, v3) and `node_modules/.package-lock.json`.
//! `yarn.lock` and `pnpm-lock.yaml` have their own files.
//!
//! Formats: <https://docs.npmjs.com/cli/configuring-npm/package-lock-json>.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::package::{Location, Package, PackageKind, Proof};
use super::{ParseError, Parsed};
use crate::layer::{KeptFile, View, Want};
use crate::model::Purl;

/// A package.json is small; 1 MiB is far past any real one.
const MAX_PACKAGE_JSON_BYTES: u64 = 1 << 20;
/// Lock files of big monorepos reach tens of MiB.
pub(super) const MAX_LOCK_BYTES: u64 = 64 << 20;

pub(super) const WANTS: [Want; 2] = [
    Want::whole("**/package.json", MAX_PACKAGE_JSON_BYTES),
    Want::whole("**/package-lock.json", MAX_LOCK_BYTES),
];

/// Debian installs node modules here without a `node_modules` parent.
const SYSTEM_MODULE_DIRS: [&str; 2] = ["usr/share/nodejs", "usr/lib/nodejs"];

/// `pkg:npm/%40scope/name@1.0.0`.
pub(super) fn purl(name: &str, version: &str) -> Purl {
    let purl = match name.split_once('/') {
        Some((scope, rest)) if scope.starts_with('@') => {
            Purl::new("npm", rest).with_namespace(scope)
        }
        Some(_) | None => Purl::new("npm", name),
    };
    purl.with_version(version)
}

/// An npm package proved at `location`.
pub(super) fn package(name: &str, version: &str, location: Location, dev: bool) -> Package {
    let mut package = Package::language(
        PackageKind::Npm,
        name,
        version,
        purl(name, version),
        location,
    );
    package.dev = dev;
    package
}

#[derive(Deserialize)]
struct RawManifest {
    name: Option<String>,
    version: Option<String>,
    license: Option<serde_json::Value>,
}

/// Whether the package.json at `path` belongs to an installed module.
fn is_installed(path: &str) -> bool {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut parent = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    let scoped = parent
        .rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with('@'));
    if scoped {
        parent = parent.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    parent == "node_modules"
        || parent.ends_with("/node_modules")
        || SYSTEM_MODULE_DIRS.contains(&parent)
}

/// Whether the package.json at `path` is a project's own (it has a lock or node_modules beside it).
fn is_project(view: &View, path: &str) -> Result<bool, crate::layer::Error> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let join = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    Ok(view.file(&join("package-lock.json"))?.is_some()
        || view.file(&join("yarn.lock"))?.is_some()
        || view.file(&join("pnpm-lock.yaml"))?.is_some()
        || view.has_below(&join("node_modules")))
}

fn license_of(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::String(text)) => vec![text.clone()],
        Some(serde_json::Value::Object(map)) => map
            .get("type")
            .and_then(|t| t.as_str())
            .map(|t| vec![t.to_owned()])
            .unwrap_or_default(),
        Some(_) | None => Vec::new(),
    }
}

/// Installed and project `package.json` files.
pub(super) fn manifests(view: &View) -> Result<Vec<Parsed<'_>>, crate::layer::Error> {
    let mut out = Vec::new();
    for file in view.files_named(&["package.json"]) {
        let installed = is_installed(file.path);
        if !installed && !is_project(view, file.path)? {
            continue;
        }
        let parsed = serde_json::from_slice::<RawManifest>(file.bytes)
            .map_err(ParseError::json)
            .map(|raw| match (raw.name, raw.version) {
                (Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => {
                    // A project's own manifest declares it; an installed module's proves it.
                    let proof = if installed {
                        Proof::Metadata
                    } else {
                        Proof::LockFile
                    };
                    let mut package = package(&name, &version, Location::of(&file, proof), false);
                    package.licenses = license_of(raw.license.as_ref());
                    vec![package]
                }
                _ => Vec::new(),
            });
        out.push((file, parsed));
    }
    Ok(out)
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
pub(super) fn lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_modules_are_told_from_projects_by_their_parent() {
        assert!(is_installed("app/node_modules/lodash/package.json"));
        assert!(is_installed("app/node_modules/@types/node/package.json"));
        assert!(is_installed("usr/share/nodejs/acorn/package.json"));
        assert!(is_installed("usr/share/nodejs/@types/node/package.json"));
        assert!(!is_installed("app/package.json"));
        assert!(!is_installed("app/node_modules/lodash/test/package.json"));
    }

    #[test]
    fn scoped_names_become_purl_namespaces() {
        assert_eq!(
            purl("@types/node", "18.18.14").to_string(),
            "pkg:npm/%40types/node@18.18.14"
        );
        assert_eq!(
            purl("lodash", "4.17.21").to_string(),
            "pkg:npm/lodash@4.17.21"
        );
    }
}
