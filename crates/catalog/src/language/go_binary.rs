//! Go binaries: the build info the Go linker embeds (Go ≥ 1.18 layout, with
//! inline strings): the toolchain version, the main module, and every
//! dependency with its replacement. Found in the `.go.buildinfo` section, or,
//! when section headers are stripped, by its magic anywhere in the file.
//!
//! Layout: `debug/buildinfo` in the Go source,
//! <https://github.com/golang/go/blob/master/src/debug/buildinfo/buildinfo.go>.

use serde::{Deserialize, Serialize};

use super::elf;
use crate::package::{Location, Package, PackageKind, Proof};
use crate::ParseError;
use portcullis_layer::KeptFile;
use portcullis_model::Purl;

const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// The flag bit for inline, varint-prefixed strings (Go ≥ 1.18).
const FLAG_INLINE_STRINGS: u8 = 0x2;
/// Where the inline strings start after the magic.
const INLINE_STRINGS_OFFSET: usize = 32;
/// The sentinels around the module info string.
const MODINFO_SENTINEL_BYTES: usize = 16;

/// What a Go binary says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct BuildInfo {
    /// `go1.19.8`.
    pub(super) go_version: String,
    /// The main module path and version (`(devel)` for a local build).
    pub(super) main: Option<Module>,
    /// Dependencies after replacements: (path, version).
    pub(super) deps: Vec<Module>,
    /// `GOOS` and `GOARCH` from the build settings.
    #[serde(default)]
    pub(super) goos: Option<String>,
    #[serde(default)]
    pub(super) goarch: Option<String>,
}

fn uvarint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value: u64 = 0;
    for (index, byte) in bytes.iter().take(10).enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((usize::try_from(value).ok()?, index + 1));
        }
    }
    None
}

fn inline_string(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let (length, used) = uvarint(bytes.get(at..)?)?;
    let start = at + used;
    Some((
        bytes.get(start..start.checked_add(length)?)?,
        start + length,
    ))
}

/// A module path and its version.
type Module = (String, String);

fn parse_modinfo(text: &str) -> (Option<Module>, Vec<Module>) {
    let mut main = None;
    let mut deps: Vec<Module> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["mod", path, version, ..] => main = Some(((*path).to_owned(), (*version).to_owned())),
            ["dep", path, version, ..] => deps.push(((*path).to_owned(), (*version).to_owned())),
            ["=>", path, version, ..] => {
                if let Some(last) = deps.last_mut() {
                    *last = ((*path).to_owned(), (*version).to_owned());
                }
            }
            _ => {}
        }
    }
    (main, deps)
}

/// Reads build info from an executable; `None` when it is not a Go binary
/// or predates the inline layout.
pub(super) fn build_info(bytes: &[u8]) -> Option<BuildInfo> {
    let start = match elf::section(bytes, ".go.buildinfo") {
        Some(section) if section.starts_with(BUILDINFO_MAGIC) => section,
        Some(_) | None => {
            let at = memchr::memmem::find(bytes, BUILDINFO_MAGIC)?;
            bytes.get(at..)?
        }
    };
    let flags = *start.get(BUILDINFO_MAGIC.len() + 1)?;
    if flags & FLAG_INLINE_STRINGS == 0 {
        return None;
    }
    let (version, next) = inline_string(start, INLINE_STRINGS_OFFSET)?;
    let (modinfo, _) = inline_string(start, next)?;
    let modinfo = if modinfo.len() > 2 * MODINFO_SENTINEL_BYTES {
        modinfo.get(MODINFO_SENTINEL_BYTES..modinfo.len() - MODINFO_SENTINEL_BYTES)?
    } else {
        modinfo
    };
    let modinfo = String::from_utf8_lossy(modinfo);
    let (main, deps) = parse_modinfo(&modinfo);
    let setting = |key: &str| {
        modinfo.lines().find_map(|line| {
            let value = line
                .strip_prefix("build\t")?
                .strip_prefix(key)?
                .strip_prefix('=')?;
            Some(value.to_owned())
        })
    };
    Some(BuildInfo {
        go_version: String::from_utf8_lossy(version).into_owned(),
        main,
        deps,
        goos: setting("GOOS"),
        goarch: setting("GOARCH"),
    })
}

/// `pkg:golang/golang.org/x/net@v0.7.0`.
pub(super) fn purl(path: &str, version: &str) -> Purl {
    let purl = match path.rsplit_once('/') {
        Some((namespace, name)) => Purl::new("golang", name).with_namespace(namespace),
        None => Purl::new("golang", path),
    };
    purl.with_version(version)
}

/// The packages a binary's build info proves: the main module, its
/// dependencies, and the toolchain as `stdlib`.
pub(super) fn packages(file: &KeptFile<'_>, info: &BuildInfo) -> Result<Vec<Package>, ParseError> {
    let location = Location::of(file, Proof::Binary);
    let mut out = Vec::new();
    if let Some((path, version)) = &info.main {
        out.push(Package::language(
            PackageKind::Go,
            path,
            version,
            purl(path, version),
            location.clone(),
        ));
    }
    for (path, version) in &info.deps {
        out.push(Package::language(
            PackageKind::Go,
            path,
            version,
            purl(path, version),
            location.clone(),
        ));
    }
    let toolchain = info.go_version.trim_start_matches("go");
    let toolchain = toolchain.split([' ', '+', '-']).next().unwrap_or(toolchain);
    if !toolchain.is_empty() {
        let version = format!("v{toolchain}");
        out.push(Package::language(
            PackageKind::Go,
            "stdlib",
            &version,
            purl("stdlib", &version),
            location,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo_applies_replacements() {
        let text = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.7.0\th1:x\ndep\tgithub.com/a/b\tv1.0.0\th1:y\n=>\tgithub.com/fork/b\tv1.0.1\th1:z\nbuild\t-compiler=gc\n";
        let (main, deps) = parse_modinfo(text);
        assert_eq!(main, Some(("example.com/app".into(), "(devel)".into())));
        assert_eq!(
            deps,
            vec![
                ("golang.org/x/net".into(), "v0.7.0".into()),
                ("github.com/fork/b".into(), "v1.0.1".into())
            ]
        );
    }

    #[test]
    fn inline_build_info_is_read_without_section_headers() {
        let mut blob = b"garbage before".to_vec();
        let mut info = BUILDINFO_MAGIC.to_vec();
        info.extend_from_slice(&[8, FLAG_INLINE_STRINGS]);
        info.resize(INLINE_STRINGS_OFFSET, 0);
        let version = b"go1.19.8";
        info.push(version.len() as u8);
        info.extend_from_slice(version);
        let modinfo = [&[0u8; 16][..], b"mod\tex.com/a\t(devel)\t\n", &[0u8; 16]].concat();
        info.push(modinfo.len() as u8);
        info.extend_from_slice(&modinfo);
        blob.extend_from_slice(&info);
        let parsed = build_info(&blob).unwrap();
        assert_eq!(parsed.go_version, "go1.19.8");
        assert_eq!(parsed.main, Some(("ex.com/a".into(), "(devel)".into())));
        assert_eq!(
            purl("golang.org/x/net", "v0.7.0").to_string(),
            "pkg:golang/golang.org/x/net@v0.7.0"
        );
    }
}
