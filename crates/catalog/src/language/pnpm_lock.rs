//! `pnpm-lock.yaml` (lock versions 5, 6 and 9): the keys of its `packages:`
//! map name each locked package, `/name/1.0.0` in v5, `/name@1.0.0` in v6,
//! `name@1.0.0` in v9, with peer suffixes in parentheses or after `_`.
//!
//! Format: <https://github.com/pnpm/spec/tree/master/lockfile>.

use super::npm;
use crate::package::{Location, Package, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};

const WANTS: [Want; 1] = [Want::whole("**/pnpm-lock.yaml", npm::MAX_LOCK_BYTES)];

/// Splits a `packages:` key into name and version: the name ends at the
/// first `@` or `/` after it (the scope's own `/` aside), and the separator
/// says which lock version wrote it.
fn split_key(key: &str) -> Option<(&str, &str)> {
    let key = key.trim().trim_matches(|c| c == '\'' || c == '"');
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next().unwrap_or(key);
    let name_start = if key.starts_with('@') {
        key.find('/')? + 1
    } else {
        0
    };
    let end = name_start + key.get(name_start..)?.find(['@', '/'])?;
    let name = key.get(..end)?;
    let version = key.get(end + 1..)?.split('_').next()?;
    Some((name, version))
}

/// One `packages:` entry: its key, and the `name:`/`version:` fields that
/// pnpm writes for tarball, git and directory dependencies.
struct Entry {
    key: String,
    name: Option<String>,
    version: Option<String>,
    dev: bool,
}

/// Whether `version` is a registry version, not a URL, path or commit.
fn is_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_digit()) && !version.contains(['/', ':'])
}

impl Entry {
    /// The package it names: the fields first, then the key. An entry with
    /// neither a name nor a version is named in a warning, not guessed.
    fn package(self, path: &str, location: &Location) -> Option<Package> {
        let from_key = split_key(&self.key);
        let name = self
            .name
            .as_deref()
            .or(from_key.map(|(name, _)| name))
            .filter(|name| !name.is_empty());
        let version = self
            .version
            .as_deref()
            .or(from_key.map(|(_, version)| version))
            .filter(|version| is_version(version));
        match (name, version) {
            (Some(name), Some(version)) => {
                Some(npm::package(name, version, location.clone(), self.dev))
            }
            _ => {
                tracing::warn!(
                    "{path}: pnpm entry {} names no package version; it is not reported",
                    portcullis_model::quote(&self.key)
                );
                None
            }
        }
    }
}

pub(super) fn parse(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = std::str::from_utf8(file.bytes).map_err(|_| ParseError::text("it is not UTF-8"))?;
    if !text.lines().any(|line| line.starts_with("lockfileVersion")) {
        return Err(ParseError::text("it has no `lockfileVersion`"));
    }
    // The entries are read line by line below; pnpm reads the file as YAML
    // first and refuses it when it is not, and so does this.
    serde_norway::from_str::<serde_norway::Value>(text)
        .map_err(|e| ParseError::text(format!("it is not valid YAML: {e}")))?;
    let location = Location::of(file, Proof::LockFile);
    let direct_dev = importer_dev_dependencies(text);
    let mut packages = Vec::new();
    let mut in_packages = false;
    let mut current: Option<Entry> = None;
    let mut finish = |entry: Option<Entry>| {
        packages.extend(entry.and_then(|entry| entry.package(file.path, &location)));
    };
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_packages = line.trim_end() == "packages:";
            finish(current.take());
            continue;
        }
        if !in_packages {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        let unquote = |value: &str| {
            value
                .trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .to_owned()
        };
        if indent == 2 && trimmed.ends_with(':') {
            finish(current.take());
            current = Some(Entry {
                key: trimmed.trim_end_matches(':').to_owned(),
                name: None,
                version: None,
                dev: false,
            });
        } else if let (4, Some(entry)) = (indent, &mut current) {
            if trimmed == "dev: true" {
                entry.dev = true;
            } else if let Some(name) = trimmed.strip_prefix("name: ") {
                entry.name = Some(unquote(name));
            } else if let Some(version) = trimmed.strip_prefix("version: ") {
                entry.version = Some(unquote(version));
            }
        }
    }
    finish(current);
    // Lock v9 no longer marks packages `dev`; its importers say which direct ones are.
    for package in &mut packages {
        if direct_dev.contains(&(package.name.clone(), package.version.clone())) {
            package.dev = true;
        }
    }
    Ok(packages)
}

/// (name, version) of the importers' direct `devDependencies` that no
/// importer also needs at run time (lock v6 and v9).
fn importer_dev_dependencies(text: &str) -> Vec<(String, String)> {
    let mut dev = Vec::new();
    let mut runtime = Vec::new();
    let mut in_importers = false;
    let mut group = "";
    let mut name = String::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_importers = line.trim_end() == "importers:";
            continue;
        }
        if !in_importers {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        match indent {
            4 => group = trimmed.trim_end_matches(':'),
            6 => {
                name = trimmed
                    .trim_end_matches(':')
                    .trim_matches(|c| c == '\'' || c == '"')
                    .to_owned()
            }
            8 => {
                if let Some(version) = trimmed.strip_prefix("version: ") {
                    let version = version
                        .split('(')
                        .next()
                        .unwrap_or(version)
                        .trim()
                        .to_owned();
                    // An alias's version names the real package: `lodash@4.17.4`.
                    let entry = match split_key(&version) {
                        Some((real, real_version)) if version.contains('@') => {
                            (real.to_owned(), real_version.to_owned())
                        }
                        _ => (name.clone(), version),
                    };
                    match group {
                        "devDependencies" => dev.push(entry),
                        _ => runtime.push(entry),
                    }
                }
            }
            _ => {}
        }
    }
    dev.retain(|entry| !runtime.contains(entry));
    dev
}

/// `pnpm-lock.yaml`.
pub(crate) struct PnpmLock;

impl Cataloger for PnpmLock {
    fn name(&self) -> &'static str {
        "pnpm-lock"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        parse(file).map(Found::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_lock_version_split() {
        assert_eq!(split_key("/lodash/4.17.21"), Some(("lodash", "4.17.21")));
        assert_eq!(
            split_key("/@types/node/18.18.14"),
            Some(("@types/node", "18.18.14"))
        );
        assert_eq!(split_key("/lodash@4.17.21"), Some(("lodash", "4.17.21")));
        assert_eq!(
            split_key("'@babel/core@7.23.0(supports-color@5.5.0)'"),
            Some(("@babel/core", "7.23.0"))
        );
        assert_eq!(split_key("/foo/1.0.0_bar@2.0.0"), Some(("foo", "1.0.0")));
    }

    #[test]
    fn real_v9_lock_takes_dev_flags_from_importers() {
        let bytes = crate::testutil::testdata("pnpm-lock-v9.yaml");
        let file = KeptFile {
            path: "app/pnpm-lock.yaml",
            bytes: &bytes,
            layer: None,
        };
        let found: Vec<(String, String, bool)> = parse(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.dev))
            .collect();
        assert_eq!(
            found,
            vec![
                ("lodash".into(), "4.17.15".into(), false),
                ("marked".into(), "0.3.6".into(), true),
                ("minimist".into(), "1.2.0".into(), false)
            ]
        );
    }

    #[test]
    fn packages_section_is_read_with_dev_flags() {
        let text = "lockfileVersion: 5.4\n\nspecifiers:\n  lodash: ^4.17.21\n\npackages:\n\n  /lodash/4.17.21:\n    resolution: {integrity: sha512-x}\n    dev: false\n\n  /marked/0.3.6:\n    resolution: {integrity: sha512-y}\n    dev: true\n";
        let file = KeptFile {
            path: "app/pnpm-lock.yaml",
            bytes: text.as_bytes(),
            layer: None,
        };
        let found: Vec<(String, bool)> = parse(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.dev))
            .collect();
        assert_eq!(
            found,
            vec![("lodash".into(), false), ("marked".into(), true)]
        );
    }

    #[test]
    fn real_locks_of_pnpm_7_8_and_9_read_aliases_tarballs_git_and_directories() {
        let read = |name: &str| {
            let bytes = crate::testutil::testdata(name);
            let file = KeptFile {
                path: "app/pnpm-lock.yaml",
                bytes: &bytes,
                layer: None,
            };
            let mut found: Vec<(String, String, bool)> = parse(&file)
                .unwrap()
                .into_iter()
                .map(|p| (p.name, p.version, p.dev))
                .collect();
            found.sort();
            found
        };
        let row = |name: &str, version: &str, dev: bool| (name.to_owned(), version.to_owned(), dev);
        let registry = vec![
            row("@sindresorhus/is", "0.7.0", false),
            row("lodash", "4.17.15", false),
            row("lodash", "4.17.4", false),
            row("marked", "0.3.6", true),
            row("minimist", "1.2.0", false),
        ];
        // pnpm 8 and 9 write the directory dependency without its version, and
        // pnpm 7 the git one without name or version: neither is guessed.
        let mut v5 = registry.clone();
        v5.insert(1, row("localdep", "2.0.0", false));
        assert_eq!(read("pnpm-v5-shapes.yaml"), v5);
        assert_eq!(read("pnpm-v6-shapes.yaml"), registry);
        let mut v9 = registry.clone();
        v9.insert(1, row("gitdep", "1.0.0", false));
        assert_eq!(read("pnpm-v9-shapes.yaml"), v9);
    }
}
