//! Packages from an SBOM made elsewhere, so it can be scanned without the
//! image: CycloneDX 1.4–1.6 JSON (`components`, nested ones too) and SPDX
//! 2.2–2.3 JSON (`packages` with a `purl` external ref). The purl says what
//! kind of package it is and, for distro packages, which release; the
//! component's own name and version are kept as written.
//!
//! Specs: <https://cyclonedx.org/docs/1.6/json/>, <https://spdx.github.io/spdx-spec/v2.3/>.

use serde::Deserialize;

use crate::package::{Location, Package, PackageKind, Proof, SourcePackage};
use crate::{Inventory, ParseError};
use portcullis_model::{Ecosystem, Purl};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDocument {
    bom_format: Option<String>,
    spdx_version: Option<String>,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default)]
    packages: Vec<RawSpdxPackage>,
}

#[derive(Deserialize)]
struct RawComponent {
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    components: Vec<RawComponent>,
    evidence: Option<RawEvidence>,
}

#[derive(Deserialize)]
struct RawEvidence {
    #[serde(default)]
    occurrences: Vec<RawOccurrence>,
}

#[derive(Deserialize)]
struct RawOccurrence {
    location: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSpdxPackage {
    name: Option<String>,
    version_info: Option<String>,
    #[serde(default)]
    external_refs: Vec<RawExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExternalRef {
    reference_type: String,
    reference_locator: String,
}

/// The distro ecosystem a purl's `distro` qualifier names (`debian-12`, `alpine-3.20.1`).
fn distro_ecosystem(purl: &Purl) -> Option<Ecosystem> {
    let distro = purl.qualifier("distro")?;
    let (id, version) = distro.split_once('-').unwrap_or((distro, ""));
    let major = version.split('.').next().unwrap_or(version).to_owned();
    Some(match id {
        "debian" => Ecosystem::Debian {
            release: (!major.is_empty()).then_some(major),
        },
        "ubuntu" => Ecosystem::Ubuntu {
            release: version.to_owned(),
            lts: false,
        },
        "alpine" => Ecosystem::Alpine {
            branch: (!version.is_empty()).then(|| {
                format!(
                    "v{}",
                    version.split('.').take(2).collect::<Vec<_>>().join(".")
                )
            }),
        },
        "almalinux" => Ecosystem::AlmaLinux { major },
        "rocky" => Ecosystem::RockyLinux { major },
        "rhel" | "redhat" => Ecosystem::RedHat,
        "wolfi" => Ecosystem::Wolfi,
        "chainguard" => Ecosystem::Chainguard,
        other => Ecosystem::OtherOs(other.to_owned()),
    })
}

/// A package from a purl, with the SBOM's own name and version when it gives them.
fn package(purl: Purl, name: Option<&str>, version: Option<&str>, path: &str) -> Option<Package> {
    let kind = match purl.kind() {
        "deb" => PackageKind::Deb,
        "apk" => PackageKind::Apk,
        "rpm" => PackageKind::Rpm,
        "npm" => PackageKind::Npm,
        "pypi" => PackageKind::Python,
        "golang" => PackageKind::Go,
        "cargo" => PackageKind::Cargo,
        "maven" => PackageKind::Java,
        "gem" => PackageKind::Gem,
        "composer" => PackageKind::Composer,
        "nuget" => PackageKind::NuGet,
        _ => return None,
    };
    let purl_name = match (kind, purl.namespace()) {
        (PackageKind::Java, Some(group)) => format!("{group}:{}", purl.name()),
        (PackageKind::Npm | PackageKind::Go | PackageKind::Composer, Some(namespace)) => {
            format!("{namespace}/{}", purl.name())
        }
        (_, _) => purl.name().to_owned(),
    };
    let purl_version = match (kind, purl.qualifier("epoch"), purl.version()) {
        (PackageKind::Rpm, Some(epoch), Some(version)) => Some(format!("{epoch}:{version}")),
        (_, _, version) => version.map(str::to_owned),
    };
    let version = version.map(str::to_owned).or(purl_version)?;
    let name = name.map(str::to_owned).unwrap_or(purl_name);
    let ecosystem = kind
        .language_ecosystem()
        .or_else(|| distro_ecosystem(&purl));
    let upstream = purl.qualifier("upstream").map(|upstream| SourcePackage {
        name: upstream.to_owned(),
        version: version.clone(),
    });
    Some(Package {
        kind,
        architecture: purl.qualifier("arch").map(str::to_owned),
        ecosystem,
        source: upstream,
        licenses: Vec::new(),
        locations: vec![Location {
            path: path.to_owned(),
            layer: None,
            proof: Proof::Metadata,
        }],
        dev: false,
        purl,
        name,
        version,
    })
}

fn components(list: &[RawComponent], sbom_path: &str, out: &mut Vec<Package>) {
    for component in list {
        if let Some(purl) = component
            .purl
            .as_deref()
            .and_then(|p| p.parse::<Purl>().ok())
        {
            let path = component
                .evidence
                .as_ref()
                .and_then(|e| e.occurrences.first())
                .map_or(sbom_path, |o| o.location.as_str());
            out.extend(package(
                purl,
                component.name.as_deref(),
                component.version.as_deref(),
                path,
            ));
        }
        components(&component.components, sbom_path, out);
    }
}

/// Reads a CycloneDX or SPDX JSON document.
pub fn read(bytes: &[u8], sbom_path: &str) -> Result<Inventory, ParseError> {
    let raw: RawDocument = serde_json::from_slice(bytes).map_err(ParseError::json)?;
    let mut packages = Vec::new();
    if raw.bom_format.as_deref() == Some("CycloneDX") {
        components(&raw.components, sbom_path, &mut packages);
    } else if raw
        .spdx_version
        .as_deref()
        .is_some_and(|v| v.starts_with("SPDX-2"))
    {
        for spdx in &raw.packages {
            let purl = spdx
                .external_refs
                .iter()
                .find(|r| r.reference_type == "purl")
                .and_then(|r| r.reference_locator.parse::<Purl>().ok());
            if let Some(purl) = purl {
                packages.extend(package(
                    purl,
                    spdx.name.as_deref(),
                    spdx.version_info.as_deref(),
                    sbom_path,
                ));
            }
        }
    } else {
        return Err(ParseError::text(
            "it is neither CycloneDX (`bomFormat`) nor SPDX 2 (`spdxVersion`) JSON",
        ));
    }
    packages.sort();
    packages.dedup();
    Ok(Inventory::new(None, packages, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclonedx_components_keep_their_names_and_distro() {
        let bom = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
            {"type":"library","name":"PyYAML","version":"5.3","purl":"pkg:pypi/pyyaml@5.3"},
            {"type":"library","name":"libc6","version":"2.36-9+deb12u4","purl":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc"},
            {"type":"library","name":"openssl-libs","version":"1:3.0.1-41.el9_0","purl":"pkg:rpm/almalinux/openssl-libs@3.0.1-41.el9_0?epoch=1&distro=almalinux-9.3"}]}"#;
        let inventory = read(bom, "/tmp/bom.json").unwrap();
        let names: Vec<(&str, &str, String)> = inventory
            .packages()
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.ecosystem
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert!(names.contains(&("PyYAML", "5.3", "PyPI".into())));
        assert!(names.contains(&("libc6", "2.36-9+deb12u4", "Debian:12".into())));
        assert!(names.contains(&("openssl-libs", "1:3.0.1-41.el9_0", "AlmaLinux:9".into())));
        assert!(read(b"{\"hello\":1}", "x").is_err());
    }
}
