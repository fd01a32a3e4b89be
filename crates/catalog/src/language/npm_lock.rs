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
        lock(file)
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

/// The package a v1 `version` names: an alias (`npm:@scope/real@1.0.0`) is
/// the real package, a registry tarball URL (`…/-/name-1.2.0.tgz`) gives its
/// version, and a git or other URL is kept as written, so an advisory for
/// that name says it could not compare it rather than passing it.
fn v1_identity<'a>(name: &'a str, version: &'a str) -> (&'a str, &'a str) {
    if let Some(aliased) = version.strip_prefix("npm:") {
        let search_from = usize::from(aliased.starts_with('@'));
        if let Some(at) = aliased.get(search_from..).and_then(|rest| rest.find('@')) {
            let at = at + search_from;
            if let (Some(real), Some(real_version)) = (aliased.get(..at), aliased.get(at + 1..)) {
                return (real, real_version);
            }
        }
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    let tarball = version
        .rsplit_once("/-/")
        .and_then(|(_, file)| file.strip_suffix(".tgz"))
        .and_then(|file| file.strip_prefix(base))
        .and_then(|rest| rest.strip_prefix('-'));
    (name, tarball.unwrap_or(version))
}

fn v1_dependencies(
    dependencies: &BTreeMap<String, RawLockDependency>,
    location: &Location,
    out: &mut Vec<Package>,
) {
    for (name, dependency) in dependencies {
        if let Some(version) = &dependency.version {
            // npm writes a link as `file:`; it is the project's own code.
            if !version.starts_with("file:") {
                let (real, version) = v1_identity(name, version);
                out.push(package(real, version, location.clone(), dependency.dev).also_named(name));
            }
        }
        v1_dependencies(&dependency.dependencies, location, out);
    }
}

/// Parses a `package-lock.json` (v1, v2 or v3) or `node_modules/.package-lock.json`.
fn lock(file: &KeptFile<'_>) -> Result<Found, ParseError> {
    let raw: RawLock = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    // The hidden lock in node_modules records what is installed.
    let proof = if file.path.ends_with("node_modules/.package-lock.json") {
        Proof::Metadata
    } else {
        Proof::LockFile
    };
    let location = Location::of(file, proof);
    let mut out = Vec::new();
    let mut unread = Vec::new();
    if raw.lockfile_version.unwrap_or(1) >= 2 || !raw.packages.is_empty() {
        for (key, entry) in &raw.packages {
            if key.is_empty() || entry.link || !key.contains("node_modules/") {
                continue;
            }
            let installed_as = name_from_key(key);
            let name = entry.name.as_deref().unwrap_or(installed_as);
            match &entry.version {
                Some(version) => out.push(
                    package(name, version, location.clone(), entry.dev).also_named(installed_as),
                ),
                // npm writes a version for every installed entry but links.
                None => unread.push(format!(
                    "the entry {} has no `version`; it could not be matched",
                    portcullis_model::quote(key)
                )),
            }
        }
    } else {
        v1_dependencies(&raw.dependencies, &location, &mut out);
    }
    Ok(Found {
        packages: out,
        unread,
        ..Found::default()
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The packages of the real lock `testdata/<name>`.
    fn packages_of(name: &str) -> Vec<Package> {
        let bytes = crate::testutil::testdata(name);
        let file = KeptFile {
            path: "app/package-lock.json",
            bytes: &bytes,
            layer: None,
        };
        lock(&file).unwrap().packages
    }

    fn read(name: &str) -> Vec<(String, String, bool)> {
        let mut found: Vec<_> = packages_of(name)
            .into_iter()
            .map(|p| (p.name, p.version, p.dev))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn v1_and_v3_locks_by_npm_agree_on_aliases_tarballs_and_git() {
        let expected = |git: &str| {
            vec![
                ("@sindresorhus/is".to_owned(), "0.7.0".to_owned(), false),
                ("gitdep".to_owned(), git.to_owned(), false),
                ("lodash".to_owned(), "4.17.15".to_owned(), false),
                ("lodash".to_owned(), "4.17.4".to_owned(), false),
                ("marked".to_owned(), "0.3.6".to_owned(), true),
                ("minimist".to_owned(), "1.2.0".to_owned(), false),
            ]
        };
        // npm 6 records only the commit of a git dependency, npm 10 its version.
        assert_eq!(
            read("npm-v1-shapes.json"),
            expected("git+file:///tmp/locks/gitrepo#72750c312683d0101670128aad3cec6043838ae2")
        );
        assert_eq!(read("npm-v3-shapes.json"), expected("1.0.0"));
        // Each alias stays known under the name it was installed as.
        for lock_name in ["npm-v1-shapes.json", "npm-v3-shapes.json"] {
            assert_eq!(aliases(lock_name), expected_aliases(), "{lock_name}");
        }
    }

    /// (real name, version, aliases) of the packages installed under another name.
    fn aliases(name: &str) -> Vec<(String, String, Vec<String>)> {
        let mut found: Vec<_> = packages_of(name)
            .into_iter()
            .filter(|p| !p.aliases.is_empty())
            .map(|p| (p.name, p.version, p.aliases))
            .collect();
        found.sort();
        found
    }

    pub(crate) fn expected_aliases() -> Vec<(String, String, Vec<String>)> {
        vec![
            (
                "@sindresorhus/is".into(),
                "0.7.0".into(),
                vec!["@my/is".into()],
            ),
            ("lodash".into(), "4.17.4".into(), vec!["old-lodash".into()]),
        ]
    }
}
