//! Installed Python distributions: `*.dist-info/METADATA`, and `*.egg-info`
//! as a folder (`PKG-INFO` inside) or as a single file. Their headers follow
//! the core metadata spec; names are reported as written and normalised
//! (PEP 503) in the purl.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/core-metadata/>.

use portcullis_layer::{KeptFile, Want};
use portcullis_model::{pep503_normalise, Purl};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::package::{Location, Package, PackageKind, Proof};

/// METADATA holds the long description too; 8 MiB is past any real one.
const MAX_METADATA_BYTES: u64 = 8 << 20;

const WANTS: [Want; 3] = [
    Want::whole("**/*.dist-info/METADATA", MAX_METADATA_BYTES),
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
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "Name" => name = Some(value.to_owned()),
            "Version" => version = Some(value.to_owned()),
            "License-Expression" => license = Some(value.to_owned()),
            "License" if license.is_none() && !value.is_empty() && value.len() < 80 => {
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
}
