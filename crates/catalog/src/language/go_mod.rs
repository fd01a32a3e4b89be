//! Go modules declared by a `go.mod`: its `require` lines (single and in
//! blocks), with `replace` directives applied, and the standard library a
//! source build gets, as `stdlib` (the `toolchain` directive's version, else
//! the `go` directive's, as OSV-Scanner reports it). Since Go 1.17, go.mod
//! lists every module the build needs, indirect ones included.
//!
//! Format: <https://go.dev/ref/mod#go-mod-file>.

use super::go_binary;
use crate::package::{Location, Package, PackageKind, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};

const MAX_GO_MOD_BYTES: u64 = 4 << 20;

const WANTS: [Want; 1] = [Want::whole("**/go.mod", MAX_GO_MOD_BYTES)];

/// The tokens of a directive line, comments dropped, quotes removed.
fn tokens(line: &str) -> Vec<&str> {
    line.split("//")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(|t| t.trim_matches('"'))
        .collect()
}

pub(super) fn parse(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = std::str::from_utf8(file.bytes).map_err(|_| ParseError::text("it is not UTF-8"))?;
    if !text.lines().any(|l| l.trim_start().starts_with("module")) {
        return Err(ParseError::text("it has no `module` directive"));
    }
    let mut requires: Vec<(String, String)> = Vec::new();
    let mut replaces: Vec<(String, Option<String>, String, String)> = Vec::new();
    let mut block: Option<&str> = None;
    let mut go: Option<&str> = None;
    let mut toolchain: Option<&str> = None;
    for line in text.lines() {
        let parts = tokens(line);
        let (verb, rest): (&str, &[&str]) = match (block, parts.as_slice()) {
            (Some(_), [")"]) => {
                block = None;
                continue;
            }
            (Some(verb), rest) => (verb, rest),
            (None, [verb, "("]) => {
                block = Some(if *verb == "require" {
                    "require"
                } else if *verb == "replace" {
                    "replace"
                } else {
                    "other"
                });
                continue;
            }
            (None, [verb, rest @ ..]) => (*verb, rest),
            (None, []) => continue,
        };
        match (verb, rest) {
            ("go", [version]) if block.is_none() => go = Some(version),
            ("toolchain", [name]) if block.is_none() => toolchain = Some(name),
            ("require", [path, version, ..]) => {
                requires.push(((*path).to_owned(), (*version).to_owned()))
            }
            ("replace", [old, "=>", new]) => {
                replaces.push(((*old).to_owned(), None, (*new).to_owned(), String::new()));
            }
            ("replace", [old, "=>", new, new_version]) => {
                replaces.push((
                    (*old).to_owned(),
                    None,
                    (*new).to_owned(),
                    (*new_version).to_owned(),
                ));
            }
            ("replace", [old, old_version, "=>", new, new_version]) => replaces.push((
                (*old).to_owned(),
                Some((*old_version).to_owned()),
                (*new).to_owned(),
                (*new_version).to_owned(),
            )),
            _ => {}
        }
    }
    let location = Location::of(file, Proof::LockFile);
    let mut out = Vec::new();
    if let Some(version) = stdlib_version(go, toolchain) {
        out.push(Package::language(
            PackageKind::Go,
            "stdlib",
            &version,
            go_binary::purl("stdlib", &version),
            location.clone(),
        ));
    }
    for (path, version) in requires {
        let replacement = replaces.iter().find(|(old, old_version, _, _)| {
            *old == path && old_version.as_ref().is_none_or(|v| *v == version)
        });
        let (path, version) = match replacement {
            // A replacement by a local directory has no version to match.
            Some((_, _, new, _)) if new.starts_with('.') || new.starts_with('/') => continue,
            Some((_, _, new, new_version)) => (new.clone(), new_version.clone()),
            None => (path, version),
        };
        let purl = go_binary::purl(&path, &version);
        out.push(Package::language(
            PackageKind::Go,
            &path,
            &version,
            purl,
            location.clone(),
        ));
    }
    Ok(out)
}

/// The standard library version a build of this module gets at least:
/// `toolchain go1.21.5` is `v1.21.5`; without one (or with `toolchain
/// default`), `go 1.21.0` is `v1.21.0` and `go 1.19`, the first release of
/// 1.19, `v1.19.0`.
fn stdlib_version(go: Option<&str>, toolchain: Option<&str>) -> Option<String> {
    let from_toolchain = toolchain
        .and_then(|name| name.strip_prefix("go"))
        .filter(|version| !version.is_empty());
    let version = from_toolchain.or(go)?;
    let numeric = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = version.split('.').collect();
    Some(match parts.as_slice() {
        [major, minor] if numeric(major) && numeric(minor) => format!("v{version}.0"),
        _ => format!("v{version}"),
    })
}

/// A Go module's `go.mod`.
pub(crate) struct GoMod;

impl Cataloger for GoMod {
    fn name(&self) -> &'static str {
        "go-mod"
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
    fn requires_are_read_and_replaced() {
        // Source: shared/fixtures/image-src/go-htmlcount/go.mod, plus a replace.
        let text = "module example.com/fixture/htmlcount\n\ngo 1.19\n\nrequire golang.org/x/net v0.7.0\n\nrequire (\n\tgithub.com/a/b v1.0.0 // indirect\n\tgithub.com/c/d v2.0.0\n)\n\nreplace github.com/a/b => github.com/fork/b v1.0.1\nreplace github.com/c/d => ../local\n";
        let file = KeptFile {
            path: "src/go.mod",
            bytes: text.as_bytes(),
            layer: None,
        };
        let found: Vec<(String, String)> = parse(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            found,
            vec![
                ("stdlib".into(), "v1.19.0".into()),
                ("golang.org/x/net".into(), "v0.7.0".into()),
                ("github.com/fork/b".into(), "v1.0.1".into())
            ]
        );
    }

    #[test]
    fn the_toolchain_directive_names_the_standard_library_before_the_go_one() {
        // <https://go.dev/ref/mod#go-mod-file-toolchain>.
        assert_eq!(
            stdlib_version(Some("1.21.0"), Some("go1.21.5")).as_deref(),
            Some("v1.21.5")
        );
        assert_eq!(
            stdlib_version(Some("1.22.1"), Some("default")).as_deref(),
            Some("v1.22.1")
        );
        assert_eq!(
            stdlib_version(Some("1.19"), None).as_deref(),
            Some("v1.19.0")
        );
        assert_eq!(stdlib_version(None, None), None);
    }
}
