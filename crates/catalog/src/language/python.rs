//! Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info` as a
//! folder (`PKG-INFO` inside) or as a single file, and an installed egg's
//! `*.egg/EGG-INFO/PKG-INFO`. Their headers are read as Python's
//! `email.parser` reads them (names in any case, the first of a repeated
//! header wins, indented lines continue the one above); names are reported
//! as written and normalised (PEP 503) in the purl.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/core-metadata/>.

use portcullis_layer::{KeptFile, Want};
use portcullis_model::{pep503_normalise, Purl};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::package::{Location, Package, PackageKind, Proof};

/// METADATA holds the long description too; 8 MiB is past any real one.
const MAX_METADATA_BYTES: u64 = 8 << 20;

const WANTS: [Want; 4] = [
    Want::whole("**/*.dist-info/METADATA", MAX_METADATA_BYTES),
    Want::whole("**/*.egg/EGG-INFO/PKG-INFO", MAX_METADATA_BYTES),
    Want::whole("**/*.egg-info/PKG-INFO", MAX_METADATA_BYTES),
    Want::whole("**/*.egg-info", MAX_METADATA_BYTES),
];

/// A PyPI package proved at `location`.
pub(crate) fn package(name: &str, version: &str, location: Location) -> Package {
    let purl = Purl::new("pypi", &pep503_normalise(name)).with_version(version);
    Package::language(PackageKind::Python, name, version, purl, location)
}

/// Reads `Name`, `Version` and the licence from core-metadata headers.
fn parse_metadata(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(file.bytes);
    let mut name = None;
    let mut version = None;
    let mut license = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        // A continuation line, or one that is no header: neither names anything.
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let first = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(value.to_owned());
            }
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => first(&mut name),
            "version" => first(&mut version),
            "license-expression" => license = Some(value.to_owned()),
            "license" if license.is_none() && !value.is_empty() && value.len() < 80 => {
                license = Some(value.to_owned());
            }
            _ => {}
        }
    }
    match (name, version) {
        (Some(name), Some(version)) => {
            let mut package = package(&name, &version, Location::of(file, Proof::Metadata));
            package.licenses = license.into_iter().collect();
            Ok(vec![package])
        }
        _ => Err(ParseError::text("it has no `Name` and `Version` headers")),
    }
}

/// Installed distributions' core metadata.
pub(crate) struct PythonMetadata;

impl Cataloger for PythonMetadata {
    fn name(&self) -> &'static str {
        "python-metadata"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        parse_metadata(file).map(Found::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_headers_give_name_version_and_licence() {
        // Source: PyYAML-5.3's METADATA (the debian-app fixture), headers only.
        let text = "Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\nSummary: YAML parser and emitter for Python\nLicense: MIT\nPlatform: Any\n\nlong description";
        let file = KeptFile {
            path: "x/pyyaml-5.3.dist-info/METADATA",
            bytes: text.as_bytes(),
            layer: Some(1),
        };
        let package = parse_metadata(&file).unwrap().remove(0);
        assert_eq!(
            (package.name.as_str(), package.version.as_str()),
            ("PyYAML", "5.3")
        );
        assert_eq!(package.purl.to_string(), "pkg:pypi/pyyaml@5.3");
        assert_eq!(package.licenses, vec!["MIT".to_owned()]);
        let broken = KeptFile {
            path: "x/METADATA",
            bytes: b"Metadata-Version: 2.1\n",
            layer: None,
        };
        assert!(parse_metadata(&broken).is_err());
    }

    #[test]
    fn headers_are_read_as_email_parser_reads_them() {
        // Lower-case names, a repeated Version (Python's msg["Version"] is the first).
        let text = "metadata-version: 2.1\nname: requests\nSummary: x\n  continued: not a header\nVERSION: 2.19.1\nVersion: 9.9.9\n";
        let file = KeptFile {
            path: "x/requests-2.19.1.dist-info/METADATA",
            bytes: text.as_bytes(),
            layer: None,
        };
        let package = parse_metadata(&file).unwrap().remove(0);
        assert_eq!(
            (package.name.as_str(), package.version.as_str()),
            ("requests", "2.19.1")
        );
    }

    #[test]
    fn an_installed_eggs_pkg_info_is_read() {
        // setuptools' own test egg (pkg_resources/tests/data, MIT).
        let bytes = crate::testutil::testdata("egg-PKG-INFO");
        let path = "usr/lib/python3/site-packages/my_test_package-1.0-py3.7.egg/EGG-INFO/PKG-INFO";
        let wanted = WANTS.iter().any(|want| {
            globset::GlobBuilder::new(want.pattern)
                .literal_separator(true)
                .build()
                .unwrap()
                .compile_matcher()
                .is_match(path)
        });
        assert!(wanted, "{path} is not selected");
        let file = KeptFile {
            path,
            bytes: &bytes,
            layer: None,
        };
        let package = parse_metadata(&file).unwrap().remove(0);
        assert_eq!(package.purl.to_string(), "pkg:pypi/my-test-package@1.0");
    }
}
