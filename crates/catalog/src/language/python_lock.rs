//! Declared Python dependencies: `requirements*.txt` (and `requirements/*.txt`)
//! with their `-r`/`-c` includes, `poetry.lock`, `Pipfile.lock` and `uv.lock`.
//!
//! Formats: <https://pip.pypa.io/en/stable/reference/requirements-file-format/>,
//! <https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock>,
//! <https://github.com/pypa/pipfile>, <https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>.

use std::collections::BTreeMap;

use serde::Deserialize;

use portcullis_layer::{KeptFile, View, Want};

use super::{python, python_toml_lock};
use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::package::{Location, Package, Proof};

const MAX_LOCK_BYTES: u64 = 64 << 20;

const WANTS: [Want; 6] = [
    Want::whole("**/requirements*.txt", MAX_LOCK_BYTES),
    Want::whole("**/requirements/*.txt", MAX_LOCK_BYTES),
    Want::whole("**/constraints*.txt", MAX_LOCK_BYTES),
    Want::whole("**/poetry.lock", MAX_LOCK_BYTES),
    Want::whole("**/Pipfile.lock", MAX_LOCK_BYTES),
    Want::whole("**/uv.lock", MAX_LOCK_BYTES),
];

/// The logical lines of a requirements file, as pip reads them
/// (`req_file.join_lines`, then `ignore_comments`): a line ending in `\\`
/// goes on on the next, unless it is a comment line; the comment (`#` at
/// the start or after whitespace) is cut from the joined line, so a
/// requirement's comment that ends in `\\` swallows the line after it.
fn logical_lines(text: &str) -> Vec<String> {
    let mut joined = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let comment_line = line.trim_start().starts_with('#');
        if !line.ends_with('\\') || comment_line {
            match current.take() {
                Some(mut head) => {
                    if comment_line {
                        head.push(' ');
                    }
                    head.push_str(line);
                    joined.push(head);
                }
                None => joined.push(line.to_owned()),
            }
        } else {
            current
                .get_or_insert_with(String::new)
                .push_str(line.trim_matches('\\'));
        }
    }
    joined.extend(current);
    joined
        .iter()
        .map(|line| strip_comment(line).trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

fn strip_comment(line: &str) -> &str {
    if line.starts_with('#') {
        return "";
    }
    let comment = line
        .char_indices()
        .zip(line.chars().skip(1))
        .find(|((_, c), next)| c.is_whitespace() && *next == '#');
    match comment {
        Some(((at, _), _)) => line.get(..at).unwrap_or(line),
        None => line,
    }
}

/// One logical line of a requirements file, as pip reads it.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    /// `name[extras]==version ; marker --hash=…`.
    Pin { name: &'a str, version: &'a str },
    /// A requirement without one exact version (`flask>=2`, `numpy==1.*`,
    /// `pkg @ https://…`): its installed version is not known here.
    Loose { name: &'a str, spec: &'a str },
    /// `-r FILE` (requirements) or `-c FILE` (constraints), relative to this file.
    Include { constraint: bool, path: &'a str },
    /// A line that depends on an environment variable (`${VERSION}`).
    Environment(&'a str),
    /// Options (`--index-url`, `-e .`) and blank lines.
    Other,
}

/// Whether `name` is a PyPI project name.
fn is_project_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Reads one logical line.
fn classify(line: &str) -> Line<'_> {
    let line = line.trim();
    if line.is_empty() {
        return Line::Other;
    }
    for (flag, constraint) in [
        ("--requirement", false),
        ("-r", false),
        ("--constraint", true),
        ("-c", true),
    ] {
        if let Some(rest) = line.strip_prefix(flag) {
            let path = rest.trim_start_matches('=').trim();
            if rest.starts_with([' ', '=', '\t']) && !path.is_empty() {
                return Line::Include { constraint, path };
            }
        }
    }
    if line.contains("${") {
        return Line::Environment(line);
    }
    if line.starts_with('-') {
        return Line::Other;
    }
    // Per-requirement options (`--hash`, `--config-settings`) follow the
    // requirement; the environment marker follows `;`.
    let requirement = line
        .split(" --")
        .next()
        .and_then(|r| r.split(';').next())
        .unwrap_or(line)
        .trim();
    let name_end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    let name = requirement.get(..name_end).unwrap_or_default();
    if !is_project_name(name) || requirement.contains("://") && !requirement.contains('@') {
        // A bare URL or a path: the project is not named.
        return Line::Other;
    }
    let rest = requirement.get(name_end..).unwrap_or_default().trim_start();
    // Extras: `name[a,b]`.
    let rest = match rest.strip_prefix('[') {
        Some(after) => after.split_once(']').map_or("", |(_, r)| r).trim_start(),
        None => rest,
    };
    // The older form PEP 508 still reads: `name (==1.0)`.
    let rest = match rest.strip_prefix('(') {
        Some(after) => after.strip_suffix(')').unwrap_or(after).trim(),
        None => rest,
    };
    if let Some(version) = rest.strip_prefix("==") {
        let version = version.trim().trim_start_matches('=');
        if !version.is_empty() && !version.contains(['*', ',', '<', '>', ' ', '!', '~']) {
            return Line::Pin { name, version };
        }
    }
    Line::Loose {
        name,
        spec: requirement,
    }
}

/// `name==version` → (name, version), for the line classifier's tests.
#[cfg(test)]
fn pinned(line: &str) -> Option<(&str, &str)> {
    match classify(line) {
        Line::Pin { name, version } => Some((name, version)),
        _ => None,
    }
}

/// Whether Portcullis reads `path` as a requirements file on its own (so an
/// include of it is not read twice): `requirements*.txt`, and any `.txt` in
/// a `requirements/` folder.
fn read_on_its_own(path: &str) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    name.ends_with(".txt")
        && (name.starts_with("requirements") || dir.rsplit('/').next() == Some("requirements"))
}

/// `-r`/`-c` nesting pip would follow further is refused past this depth.
const MAX_INCLUDE_DEPTH: usize = 8;

/// What a requirements file and the files it includes declare.
#[derive(Default)]
struct Declared {
    packages: Vec<Package>,
    /// Requirements without one version, with the file that declares them.
    loose: Vec<(String, String, Location)>,
    /// `-c` pins: normalised name → version.
    constraints: BTreeMap<String, String>,
    unread: Vec<String>,
}

/// Reads `file`, following its includes through `view`; `seen` stops cycles.
fn read_requirements(
    file: &KeptFile<'_>,
    view: Option<&View>,
    depth: usize,
    seen: &mut Vec<String>,
    declared: &mut Declared,
) -> Result<(), ParseError> {
    let text = String::from_utf8_lossy(file.bytes);
    let location = Location::of(file, Proof::LockFile);
    let dir = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    for line in logical_lines(&text) {
        match classify(&line) {
            Line::Pin { name, version } => {
                declared
                    .packages
                    .push(python::package(name, version, location.clone()));
            }
            Line::Loose { name, spec } => {
                declared
                    .loose
                    .push((name.to_owned(), spec.to_owned(), location.clone()));
            }
            Line::Environment(line) => declared.unread.push(format!(
                "`{}` depends on an environment variable only the build knows; not matched",
                portcullis_model::quote(line)
            )),
            Line::Include { constraint, path } => {
                let flag = if constraint { "-c" } else { "-r" };
                let Some(target) = resolve(dir, path) else {
                    declared.unread.push(format!(
                        "`{flag} {}` names a URL or a path outside the tree; not read",
                        portcullis_model::quote(path)
                    ));
                    continue;
                };
                if seen.contains(&target) {
                    continue;
                }
                if depth >= MAX_INCLUDE_DEPTH {
                    declared.unread.push(format!(
                        "`{flag} {}` nests deeper than {MAX_INCLUDE_DEPTH} includes; not read",
                        portcullis_model::quote(path)
                    ));
                    continue;
                }
                let included = match view {
                    Some(view) => view.file(&target)?,
                    None => None,
                };
                let Some(included) = included else {
                    declared.unread.push(format!(
                        "`{flag} {}` names `{target}`, which is not there or not kept (only `requirements*.txt`, `requirements/*.txt` and `constraints*.txt` are); its requirements are not matched",
                        portcullis_model::quote(path)
                    ));
                    continue;
                };
                // Read on its own already: its pins count once, from there.
                if !constraint && read_on_its_own(&target) {
                    continue;
                }
                seen.push(target);
                if constraint {
                    let mut pins = Declared::default();
                    read_requirements(&included, view, depth + 1, seen, &mut pins)?;
                    for package in pins.packages {
                        declared
                            .constraints
                            .entry(portcullis_model::pep503_normalise(&package.name))
                            .or_insert(package.version);
                    }
                    declared.unread.extend(pins.unread);
                } else {
                    read_requirements(&included, view, depth + 1, seen, declared)?;
                }
            }
            Line::Other => {}
        }
    }
    Ok(())
}

/// `path` from a line of a file in `dir`, as a path in the tree; `None` for
/// a URL or a path that climbs out.
fn resolve(dir: &str, path: &str) -> Option<String> {
    if path.contains("://") {
        return None;
    }
    let joined = match path.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None if dir.is_empty() => path.to_owned(),
        None => format!("{dir}/{path}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// A requirements file as pip reads it: continuations, per-requirement
/// options, `-r` and `-c` includes relative to the file. A requirement
/// without one exact version takes its `-c` pin; without one it is a
/// diagnostic (the gate cannot know what gets installed).
fn requirements(file: &KeptFile<'_>, view: Option<&View>) -> Result<Found, ParseError> {
    let name = file.path.rsplit('/').next().unwrap_or(file.path);
    // A constraints file installs nothing; it is read through `-c`.
    if name.starts_with("constraints") {
        return Ok(Found::default());
    }
    let mut declared = Declared::default();
    let mut seen = vec![file.path.to_owned()];
    read_requirements(file, view, 0, &mut seen, &mut declared)?;
    let Declared {
        mut packages,
        loose,
        constraints,
        mut unread,
    } = declared;
    for (name, spec, location) in loose {
        match constraints.get(&portcullis_model::pep503_normalise(&name)) {
            Some(version) => packages.push(python::package(&name, version, location)),
            None => unread.push(format!(
                "`{}` is not pinned to one version (`==`), so it cannot be matched; pin it (`pip-compile`, `uv pip compile`) or scan where it is installed",
                portcullis_model::quote(&spec)
            )),
        }
    }
    Ok(Found {
        packages,
        unread,
        ..Found::default()
    })
}

#[derive(Deserialize)]
struct RawPipfileLock {
    #[serde(default)]
    default: BTreeMap<String, RawPipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, RawPipfileEntry>,
}

#[derive(Deserialize)]
struct RawPipfileEntry {
    version: Option<String>,
}

fn pipfile_lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let raw: RawPipfileLock = serde_json::from_slice(file.bytes).map_err(ParseError::json)?;
    let location = Location::of(file, Proof::LockFile);
    let mut out = Vec::new();
    for (entries, dev) in [(&raw.default, false), (&raw.develop, true)] {
        for (name, entry) in entries {
            if let Some(version) = entry.version.as_deref().and_then(|v| v.strip_prefix("==")) {
                let mut package = python::package(name, version, location.clone());
                package.dev = dev;
                out.push(package);
            }
        }
    }
    Ok(out)
}

/// Python lock files and requirements files.
pub(crate) struct PythonLock;

impl Cataloger for PythonLock {
    fn name(&self) -> &'static str {
        "python-lock"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, context: &Context<'_>) -> Result<Found, ParseError> {
        let name = file.path.rsplit('/').next().unwrap_or(file.path);
        match name {
            "poetry.lock" | "uv.lock" => python_toml_lock::toml_lock(file).map(Found::from),
            "Pipfile.lock" => pipfile_lock(file).map(Found::from),
            _ => requirements(file, Some(context.view)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_uv_and_pipfile_locks_are_read() {
        let uv = crate::testutil::testdata("uv.lock");
        let file = KeptFile {
            path: "app/uv.lock",
            bytes: &uv,
            layer: None,
        };
        let names: Vec<(String, String)> = python_toml_lock::toml_lock(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert!(
            names.contains(&("pyyaml".into(), "5.3.1".into())),
            "{names:?}"
        );
        assert!(
            names.contains(&("urllib3".into(), "1.26.5".into())),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|(n, _)| n == "fixture-uv"),
            "the project itself is not a dependency"
        );
        let pipfile = crate::testutil::testdata("Pipfile.lock");
        let file = KeptFile {
            path: "app/Pipfile.lock",
            bytes: &pipfile,
            layer: None,
        };
        let found: Vec<(String, String, bool)> = pipfile_lock(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.dev))
            .collect();
        assert!(
            found.contains(&("requests".into(), "2.19.1".into(), false)),
            "{found:?}"
        );
        assert!(
            found.contains(&("urllib3".into(), "1.23".into(), false)),
            "{found:?}"
        );
        assert!(
            found.contains(&("pyyaml".into(), "5.3.1".into(), true)),
            "{found:?}"
        );
    }

    #[test]
    fn a_real_hashed_requirements_file_is_read_whole() {
        let bytes = crate::testutil::testdata("requirements-hashes.txt");
        let file = KeptFile {
            path: "app/requirements.txt",
            bytes: &bytes,
            layer: None,
        };
        let found = requirements(&file, None).unwrap();
        assert!(found.unread.is_empty(), "{:?}", found.unread);
        let mut pins: Vec<(String, String)> = found
            .packages
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        pins.sort();
        let text = String::from_utf8_lossy(&bytes);
        // The answer key: every `name==version` that starts a line, as uv wrote them.
        let mut expected: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| l.strip_suffix(" \\"))
            .filter_map(|l| l.split_once("=="))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        expected.sort();
        assert_eq!(expected.len(), 6);
        assert_eq!(pins, expected);
    }

    #[test]
    fn continued_and_optioned_lines_are_one_requirement() {
        let text = "pkgA==1.0 \\\n    --hash=sha256:00 \\\n    --hash=sha256:11\npkgB==2.0 --hash=sha256:22  # why\n# pkgC==3.0\npkgD==${VERSION}\n-r base.txt\npkgE[x] == 4.0 ; python_version > '3'\n";
        let file = KeptFile {
            path: "requirements.txt",
            bytes: text.as_bytes(),
            layer: None,
        };
        let found = requirements(&file, None).unwrap();
        let pins: Vec<(String, String)> = found
            .packages
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            pins,
            [("pkgA", "1.0"), ("pkgB", "2.0"), ("pkgE", "4.0")]
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        // What the gate cannot evaluate is said: the variable and the include
        // that is not there.
        assert_eq!(found.unread.len(), 2, "{:?}", found.unread);
        assert!(found.unread[0].contains("environment variable"));
        assert!(found.unread[1].contains("`-r base.txt` names `base.txt`"));
    }

    #[test]
    fn only_exact_pins_count() {
        assert_eq!(pinned("Django==3.2"), Some(("Django", "3.2")));
        assert_eq!(
            pinned("requests[socks]==2.19.1 ; python_version > '3'  # pinned"),
            Some(("requests", "2.19.1"))
        );
        assert_eq!(pinned("flask>=2.0"), None);
        assert_eq!(pinned("-r other.txt"), None);
        assert_eq!(pinned("numpy==1.*"), None);
        assert_eq!(
            classify("flask >= 2.0, < 3 ; python_version > '3.8'"),
            Line::Loose {
                name: "flask",
                spec: "flask >= 2.0, < 3"
            }
        );
        assert_eq!(
            classify("pkg @ https://example.com/pkg-1.0.tar.gz"),
            Line::Loose {
                name: "pkg",
                spec: "pkg @ https://example.com/pkg-1.0.tar.gz"
            }
        );
        assert_eq!(
            classify("--constraint=../constraints.txt"),
            Line::Include {
                constraint: true,
                path: "../constraints.txt"
            }
        );
        assert_eq!(classify("-e ."), Line::Other);
        assert_eq!(classify("./vendor/pkg"), Line::Other);
        assert_eq!(classify("--index-url https://pypi.org/simple"), Line::Other);
        assert_eq!(
            resolve("app/req", "../constraints.txt").as_deref(),
            Some("app/constraints.txt")
        );
        assert_eq!(resolve("app", "../../x.txt"), None);
        assert_eq!(resolve("app", "https://example.com/r.txt"), None);
    }
}
