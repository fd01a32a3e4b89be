//! npm packages from `package.json` files: installed ones (under
//! `node_modules`, or in Debian's `/usr/share/nodejs`) and a project's own.
//! `package-lock.json`, `yarn.lock` and `pnpm-lock.yaml` have their own files.
//!
//! Formats: <https://docs.npmjs.com/cli/configuring-npm/package-lock-json>.

use serde::Deserialize;

use portcullis_layer::{KeptFile, View, Want};
use portcullis_model::Purl;

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::package::{Location, Package, PackageKind, Proof};

/// A package.json is small; 1 MiB is far past any real one.
const MAX_PACKAGE_JSON_BYTES: u64 = 1 << 20;
/// Lock files of big monorepos reach tens of MiB.
pub(crate) const MAX_LOCK_BYTES: u64 = 64 << 20;

const WANTS: [Want; 1] = [Want::whole("**/package.json", MAX_PACKAGE_JSON_BYTES)];

/// Debian installs node modules here without a `node_modules` parent.
const SYSTEM_MODULE_DIRS: [&str; 2] = ["usr/share/nodejs", "usr/lib/nodejs"];

/// `pkg:npm/%40scope/name@1.0.0`.
pub(crate) fn purl(name: &str, version: &str) -> Purl {
    let purl = match name.split_once('/') {
        Some((scope, rest)) if scope.starts_with('@') => {
            Purl::new("npm", rest).with_namespace(scope)
        }
        Some(_) | None => Purl::new("npm", name),
    };
    purl.with_version(version)
}

/// An npm package proved at `location`.
pub(crate) fn package(name: &str, version: &str, location: Location, dev: bool) -> Package {
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

/// The name a module is installed under: its folder (`@scope/name` for a scoped one).
fn installed_name(path: &str) -> Option<&str> {
    let dir = path.strip_suffix("/package.json")?;
    let (parent, name) = dir.rsplit_once('/')?;
    if parent
        .rsplit('/')
        .next()
        .is_some_and(|p| p.starts_with('@'))
    {
        let scope_start = parent.rfind('/').map_or(0, |at| at + 1);
        return dir.get(scope_start..);
    }
    Some(name)
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
fn is_project(view: &View, path: &str) -> Result<bool, portcullis_layer::Error> {
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
pub(crate) struct NpmManifest;

impl Cataloger for NpmManifest {
    fn name(&self) -> &'static str {
        "npm-package-json"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, context: &Context<'_>) -> Result<Found, ParseError> {
        let installed = is_installed(file.path);
        // A package.json that is neither installed nor a project's is a fixture or a template.
        if !installed && !is_project(context.view, file.path)? {
            return Ok(Found::default());
        }
        let raw = serde_json::from_slice::<RawManifest>(file.bytes).map_err(ParseError::json)?;
        let packages = match (raw.name, raw.version) {
            (Some(name), Some(version)) if !name.is_empty() && !version.is_empty() => {
                // A project's own manifest declares it; an installed module's proves it.
                let proof = if installed {
                    Proof::Metadata
                } else {
                    Proof::LockFile
                };
                let mut package = package(&name, &version, Location::of(file, proof), false);
                package.licenses = license_of(raw.license.as_ref());
                // An alias is installed under its own folder name
                // (`node_modules/old-lodash` holding `lodash`).
                if installed {
                    if let Some(folder) = installed_name(file.path) {
                        package = package.also_named(folder);
                    }
                }
                vec![package]
            }
            _ => Vec::new(),
        };
        Ok(packages.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_modules_are_told_from_projects_by_their_parent() {
        assert!(is_installed("app/node_modules/lodash/package.json"));
        assert_eq!(
            installed_name("app/node_modules/old-lodash/package.json"),
            Some("old-lodash")
        );
        assert_eq!(
            installed_name("app/node_modules/@my/is/package.json"),
            Some("@my/is")
        );
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
