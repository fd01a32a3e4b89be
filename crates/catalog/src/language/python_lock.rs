//! Declared Python dependencies: pinned `requirements*.txt` lines
//! (`name==version`), `poetry.lock`, `Pipfile.lock` and `uv.lock`.
//!
//! Formats: <https://pip.pypa.io/en/stable/reference/requirements-file-format/>,
//! <https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock>,
//! <https://github.com/pypa/pipfile>, <https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile>.

use std::collections::BTreeMap;

use serde::Deserialize;

use portcullis_layer::{KeptFile, Want};

use super::python;
use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::package::{Location, Package, Proof};

const MAX_LOCK_BYTES: u64 = 64 << 20;

const WANTS: [Want; 4] = [
    Want::whole("**/requirements*.txt", MAX_LOCK_BYTES),
    Want::whole("**/poetry.lock", MAX_LOCK_BYTES),
    Want::whole("**/Pipfile.lock", MAX_LOCK_BYTES),
    Want::whole("**/uv.lock", MAX_LOCK_BYTES),
];

/// The logical lines of a requirements file, as pip reads them: a line
/// ending in `\\` goes on on the next, and `#` at the start or after
/// whitespace starts a comment.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = strip_comment(line);
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.trim().is_empty() {
        lines.push(current);
    }
    lines
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
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

/// `name[extras]==version ; marker --hash=… ` → (name, version); options,
/// URLs and unpinned requirements give nothing.
fn pinned(line: &str) -> Option<(&str, &str)> {
    // Per-requirement options (`--hash`, `--config-settings`) follow the requirement.
    let line = line.split(" --").next()?.split(';').next()?.trim();
    if line.starts_with('-') || line.contains("://") {
        return None;
    }
    let (name, version) = line.split_once("==")?;
    let name = name.split('[').next()?.trim();
    let version = version.trim().trim_start_matches('=');
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let exact = !version.is_empty() && !version.contains(['*', ',', '<', '>', ' ', '$']);
    (valid_name && exact).then_some((name, version))
}

/// Says what pip would read that Portcullis does not: other files named by
/// `-r`/`-c`, and `${VAR}`s, which only the build's environment knows.
fn warn_unread(path: &str, line: &str) {
    let line = line.trim();
    if let Some(other) = ["-r", "--requirement", "-c", "--constraint"]
        .iter()
        .find_map(|flag| line.strip_prefix(flag))
        .filter(|rest| rest.starts_with([' ', '=']))
    {
        tracing::warn!(
            "`{path}` names `{}`: its pins are read only when it is itself a `requirements*.txt`",
            portcullis_model::quote(other.trim_start_matches([' ', '=']).trim())
        );
    } else if line.contains("${") {
        tracing::warn!(
            "`{path}`: `{}` depends on an environment variable; not read",
            portcullis_model::quote(line)
        );
    }
}

fn requirements(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(file.bytes);
    let location = Location::of(file, Proof::LockFile);
    let mut packages = Vec::new();
    for line in logical_lines(&text) {
        match pinned(&line) {
            Some((name, version)) => {
                packages.push(python::package(name, version, location.clone()))
            }
            None => warn_unread(file.path, &line),
        }
    }
    Ok(packages)
}

#[derive(Deserialize)]
struct RawTomlLock {
    #[serde(default)]
    package: Vec<RawTomlPackage>,
}

#[derive(Deserialize)]
struct RawTomlPackage {
    name: String,
    version: Option<String>,
    /// poetry < 1.2 marks dev packages with `category = "dev"`.
    category: Option<String>,
    /// uv: the project itself is `source = { editable = "." }` or `{ virtual = "." }`.
    source: Option<toml::Value>,
}

fn toml_lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = std::str::from_utf8(file.bytes).map_err(|_| ParseError::text("it is not UTF-8"))?;
    let raw: RawTomlLock = toml::from_str(text).map_err(ParseError::toml)?;
    let location = Location::of(file, Proof::LockFile);
    Ok(raw
        .package
        .into_iter()
        .filter(|p| {
            !p.source
                .as_ref()
                .and_then(toml::Value::as_table)
                .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
        })
        .filter_map(|p| {
            let version = p.version?;
            let mut package = python::package(&p.name, &version, location.clone());
            package.dev = p.category.as_deref() == Some("dev");
            Some(package)
        })
        .collect())
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

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        let name = file.path.rsplit('/').next().unwrap_or(file.path);
        match name {
            "poetry.lock" | "uv.lock" => toml_lock(file),
            "Pipfile.lock" => pipfile_lock(file),
            _ => requirements(file),
        }
        .map(Found::from)
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
        let names: Vec<(String, String)> = toml_lock(&file)
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
        let mut pins: Vec<(String, String)> = requirements(&file)
            .unwrap()
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
        let pins: Vec<(String, String)> = requirements(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            pins,
            [("pkgA", "1.0"), ("pkgB", "2.0"), ("pkgE", "4.0")]
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
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
    }
}
