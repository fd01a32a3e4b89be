//! `poetry.lock` and `uv.lock`: each locked package, and whether only
//! development needs it, as each tool decides:
//! - Poetry 2 (`lock-version = "2.1"`) writes each package's `groups`: a
//!   package outside `main` is development-only; Poetry before 1.2 wrote
//!   `category = "dev"`.
//! - uv writes no flag: a package is development-only when no path leads
//!   to it from the project (the package with `source = { editable = "." }`
//!   or `{ virtual = "." }`, every workspace member) through `dependencies`
//!   and every extra, only through `dev-dependencies` (what `uv export
//!   --no-default-groups --all-extras` leaves out).
//!
//! Formats: <https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock>,
//! <https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use portcullis_layer::KeptFile;

use super::python;
use crate::cataloger::ParseError;
use crate::package::{Location, Package, Proof};

#[derive(Deserialize)]
struct RawLock {
    #[serde(default)]
    package: Vec<RawPackage>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: Option<String>,
    /// Poetry < 1.2: `category = "dev"`.
    category: Option<String>,
    /// Poetry 2: the dependency groups that hold the package.
    groups: Option<Vec<String>>,
    /// uv: the project itself is `source = { editable = "." }` or `{ virtual = "." }`.
    source: Option<toml::Value>,
    /// uv: a list of [`RawDependency`]; Poetry: a table, not read here.
    dependencies: Option<toml::Value>,
    /// uv: each extra's list of [`RawDependency`].
    #[serde(rename = "optional-dependencies")]
    optional_dependencies: Option<toml::Value>,
}

/// A uv package's dependencies: its own, and each extra's.
#[derive(Default)]
struct Dependencies {
    own: Vec<RawDependency>,
    extras: BTreeMap<String, Vec<RawDependency>>,
}

/// uv: `{ name = "pyyaml", version = "5.3", extra = ["libyaml"] }`.
#[derive(Deserialize, Clone)]
struct RawDependency {
    name: String,
    version: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

impl RawPackage {
    fn is_project(&self) -> bool {
        self.source
            .as_ref()
            .and_then(toml::Value::as_table)
            .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
    }
}

/// uv: each package's dependency lists.
fn uv_dependencies(package: &RawPackage) -> Result<Dependencies, ParseError> {
    let list = |value: &toml::Value| -> Result<Vec<RawDependency>, ParseError> {
        value.clone().try_into().map_err(ParseError::toml)
    };
    let own = match &package.dependencies {
        Some(value) => list(value)?,
        None => Vec::new(),
    };
    let mut extras = BTreeMap::new();
    if let Some(table) = package
        .optional_dependencies
        .as_ref()
        .and_then(toml::Value::as_table)
    {
        for (extra, value) in table {
            extras.insert(extra.clone(), list(value)?);
        }
    }
    Ok(Dependencies { own, extras })
}

/// uv: the indexes of the packages a path from the project reaches.
fn reached_from_projects(packages: &[RawPackage]) -> Result<BTreeSet<usize>, ParseError> {
    let dependencies = packages
        .iter()
        .map(uv_dependencies)
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, package) in packages.iter().enumerate() {
        by_name
            .entry(portcullis_model::pep503_normalise(&package.name))
            .or_default()
            .push(i);
    }
    // The packages a dependency names: the one of its version when it says,
    // else every package of the name (uv names the version when it must).
    let targets = |dependency: &RawDependency| -> Vec<usize> {
        let all = by_name
            .get(&portcullis_model::pep503_normalise(&dependency.name))
            .cloned()
            .unwrap_or_default();
        match &dependency.version {
            Some(version) => all
                .into_iter()
                .filter(|&i| packages[i].version.as_deref() == Some(version.as_str()))
                .collect(),
            None => all,
        }
    };
    // (package, extra) pairs to visit; `None` is the package itself.
    let mut queue: Vec<(usize, Option<&str>)> = Vec::new();
    for (i, package) in packages.iter().enumerate() {
        if package.is_project() {
            queue.push((i, None));
            queue.extend(dependencies[i].extras.keys().map(|e| (i, Some(e.as_str()))));
        }
    }
    let mut visited: BTreeSet<(usize, Option<&str>)> = BTreeSet::new();
    while let Some((i, extra)) = queue.pop() {
        if !visited.insert((i, extra)) {
            continue;
        }
        let listed = match extra {
            None => dependencies[i].own.as_slice(),
            Some(extra) => dependencies[i]
                .extras
                .get(extra)
                .map_or(&[][..], Vec::as_slice),
        };
        for dependency in listed {
            for target in targets(dependency) {
                queue.push((target, None));
                queue.extend(dependency.extra.iter().map(|e| (target, Some(e.as_str()))));
            }
        }
    }
    Ok(visited.into_iter().map(|(i, _)| i).collect())
}

/// Every locked package of a `poetry.lock` or `uv.lock` but the project
/// itself, each marked development-only as its tool decides.
pub(crate) fn toml_lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = std::str::from_utf8(file.bytes).map_err(|_| ParseError::text("it is not UTF-8"))?;
    let raw: RawLock = toml::from_str(text).map_err(ParseError::toml)?;
    let location = Location::of(file, Proof::LockFile);
    let has_projects = raw.package.iter().any(RawPackage::is_project);
    let reached = if has_projects {
        reached_from_projects(&raw.package)?
    } else {
        BTreeSet::new()
    };
    Ok(raw
        .package
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_project())
        .filter_map(|(i, p)| {
            let version = p.version.as_deref()?;
            let mut package = python::package(&p.name, version, location.clone());
            package.dev = match &p.groups {
                Some(groups) => !groups.is_empty() && !groups.iter().any(|g| g == "main"),
                None if has_projects => !reached.contains(&i),
                None => p.category.as_deref() == Some("dev"),
            };
            Some(package)
        })
        .collect())
}
