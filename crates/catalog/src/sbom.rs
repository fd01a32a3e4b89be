//! Packages from an SBOM made elsewhere, so it can be scanned without the
//! image: CycloneDX 1.4–1.6 JSON (`components`, nested ones too) and SPDX
//! 2.2–2.3 JSON (`packages` with a `purl` external ref). The purl says what
//! kind of package it is and, for distro packages, which release; the purl
//! also gives the package's identity (`group:name` for Maven, `@scope/name`,
//! `vendor/name`, the Go module path), as each tool writes the component's
//! `name` differently. The source package a distro package was built from
//! comes from the purl's `upstream` qualifier or the properties Portcullis,
//! Syft and Trivy write; SPDX's from `sourceInfo` (`built package from: …`).
//! A component whose purl cannot be read, or names no version, makes the SBOM
//! unusable: a gate must not drop a package it was told about.
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
    #[serde(default)]
    properties: Vec<RawProperty>,
}

#[derive(Deserialize)]
struct RawProperty {
    name: String,
    #[serde(default)]
    value: String,
}

/// The properties that name a component's source package, per tool: name, version.
const SOURCE_PROPERTIES: [(&str, &str); 3] = [
    (
        "portcullis:package:source-name",
        "portcullis:package:source-version",
    ),
    ("syft:metadata:source", "syft:metadata:sourceVersion"),
    (
        "aquasecurity:trivy:SrcName",
        "aquasecurity:trivy:SrcVersion",
    ),
];

/// SPDX's `sourceInfo` phrase for the source package (Trivy's and Portcullis's).
const SPDX_SOURCE_PREFIX: &str = "built package from: ";

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
    source_info: Option<String>,
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

/// What an SBOM says of one package besides its purl.
struct Described<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    /// The source package's name and version, when the SBOM gives them.
    source: Option<(String, Option<String>)>,
    path: &'a str,
}

/// The package kind a purl type names; `None` for types that are no package
/// Portcullis matches (`generic`, `oci`, `github`…).
fn kind_of(purl: &Purl) -> Option<PackageKind> {
    Some(match purl.kind() {
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
    })
}

/// The package's name as its ecosystem spells it, from the purl; the SBOM's
/// own spelling is kept when it is the same name in another case (`PyYAML`).
fn identity(kind: PackageKind, purl: &Purl, written: Option<&str>) -> String {
    let from_purl = match (kind, purl.namespace()) {
        (PackageKind::Java, Some(group)) => format!("{group}:{}", purl.name()),
        (PackageKind::Npm | PackageKind::Go | PackageKind::Composer, Some(namespace)) => {
            format!("{namespace}/{}", purl.name())
        }
        (_, _) => purl.name().to_owned(),
    };
    match written {
        Some(name) if name.eq_ignore_ascii_case(&from_purl) => name.to_owned(),
        Some(_) | None => from_purl,
    }
}

/// The source package from the purl's `upstream` qualifier, as Syft writes
/// it: `glibc` or `glibc@2.36-9` for deb, the source rpm's file name
/// (`openssl-3.0.7-27.el9.src.rpm`: name, version, release) for rpm.
fn upstream_of(purl: &Purl) -> Option<(String, Option<String>)> {
    let upstream = purl.qualifier("upstream").filter(|u| !u.is_empty())?;
    if let Some(nvr) = upstream.strip_suffix(".src.rpm") {
        let mut parts = nvr.rsplitn(3, '-');
        let (release, version, name) = (parts.next()?, parts.next()?, parts.next()?);
        let epoch = purl
            .qualifier("epoch")
            .map_or(String::new(), |e| format!("{e}:"));
        return Some((name.to_owned(), Some(format!("{epoch}{version}-{release}"))));
    }
    Some(match upstream.split_once('@') {
        Some((name, version)) => (name.to_owned(), Some(version.to_owned())),
        None => (upstream.to_owned(), None),
    })
}

/// A package from a purl and what the SBOM says of it; `Ok(None)` for a purl
/// type that is no package, an error for one that names no version.
fn package(purl: Purl, described: Described<'_>) -> Result<Option<Package>, ParseError> {
    let Some(kind) = kind_of(&purl) else {
        return Ok(None);
    };
    let purl_version = match (kind, purl.qualifier("epoch"), purl.version()) {
        (PackageKind::Rpm, Some(epoch), Some(version)) => Some(format!("{epoch}:{version}")),
        (_, _, version) => version.map(str::to_owned),
    };
    let Some(version) = described
        .version
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .or(purl_version)
    else {
        return Err(ParseError::text(format!(
            "the package `{}` has no version, neither in its purl nor beside it",
            portcullis_model::quote(&purl.to_string())
        )));
    };
    let name = identity(kind, &purl, described.name);
    let ecosystem = kind
        .language_ecosystem()
        .or_else(|| distro_ecosystem(&purl));
    let source = described
        .source
        .or_else(|| upstream_of(&purl))
        .map(|(source, source_version)| SourcePackage {
            name: source,
            version: source_version.unwrap_or_else(|| version.clone()),
        });
    Ok(Some(Package {
        kind,
        architecture: purl.qualifier("arch").map(str::to_owned),
        ecosystem,
        source,
        licenses: Vec::new(),
        locations: vec![Location {
            path: described.path.to_owned(),
            layer: None,
            proof: Proof::Metadata,
        }],
        dev: false,
        purl,
        name,
        version,
    }))
}

/// Reads a purl an SBOM gives; a malformed one makes the SBOM unusable.
fn parse_purl(text: &str, name: Option<&str>) -> Result<Purl, ParseError> {
    text.parse::<Purl>().map_err(|error| {
        ParseError::text(format!(
            "the package `{}` has the purl `{}`, which is not a package URL: {error}",
            portcullis_model::quote(name.unwrap_or("?")),
            portcullis_model::quote(text)
        ))
    })
}

/// A CycloneDX component's source package, from the properties each tool writes.
fn component_source(properties: &[RawProperty]) -> Option<(String, Option<String>)> {
    let value = |key: &str| {
        properties
            .iter()
            .find(|p| p.name == key && !p.value.is_empty())
            .map(|p| p.value.clone())
    };
    SOURCE_PROPERTIES
        .iter()
        .find_map(|(name, version)| Some((value(name)?, value(version))))
}

/// An SPDX package's source package, from `sourceInfo`'s `built package from: NAME VERSION`.
fn spdx_source(source_info: Option<&str>) -> Option<(String, Option<String>)> {
    let (_, rest) = source_info?.split_once(SPDX_SOURCE_PREFIX)?;
    let rest = rest.split(';').next().unwrap_or(rest).trim();
    let mut words = rest.split_whitespace();
    let name = words.next()?.to_owned();
    Some((name, words.next().map(str::to_owned)))
}

fn components(
    list: &[RawComponent],
    sbom_path: &str,
    out: &mut Vec<Package>,
) -> Result<(), ParseError> {
    for component in list {
        if let Some(text) = component.purl.as_deref() {
            let purl = parse_purl(text, component.name.as_deref())?;
            let path = component
                .evidence
                .as_ref()
                .and_then(|e| e.occurrences.first())
                .map_or(sbom_path, |o| o.location.as_str());
            let described = Described {
                name: component.name.as_deref(),
                version: component.version.as_deref(),
                source: component_source(&component.properties),
                path,
            };
            out.extend(package(purl, described)?);
        }
        components(&component.components, sbom_path, out)?;
    }
    Ok(())
}

fn spdx_packages(
    list: &[RawSpdxPackage],
    sbom_path: &str,
    out: &mut Vec<Package>,
) -> Result<(), ParseError> {
    for spdx in list {
        let Some(reference) = spdx
            .external_refs
            .iter()
            .find(|r| r.reference_type == "purl")
        else {
            continue;
        };
        let purl = parse_purl(&reference.reference_locator, spdx.name.as_deref())?;
        let described = Described {
            name: spdx.name.as_deref(),
            version: spdx.version_info.as_deref(),
            source: spdx_source(spdx.source_info.as_deref()),
            path: sbom_path,
        };
        out.extend(package(purl, described)?);
    }
    Ok(())
}

/// Reads a CycloneDX or SPDX JSON document.
pub fn read(bytes: &[u8], sbom_path: &str) -> Result<Inventory, ParseError> {
    let raw: RawDocument = serde_json::from_slice(bytes).map_err(ParseError::json)?;
    let mut packages = Vec::new();
    if raw.bom_format.as_deref() == Some("CycloneDX") {
        components(&raw.components, sbom_path, &mut packages)?;
    } else if raw
        .spdx_version
        .as_deref()
        .is_some_and(|v| v.starts_with("SPDX-2"))
    {
        spdx_packages(&raw.packages, sbom_path, &mut packages)?;
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

    fn one(bom: &str) -> Package {
        let inventory = read(bom.as_bytes(), "/tmp/bom.json").unwrap();
        assert_eq!(inventory.packages().len(), 1, "{bom}");
        inventory.packages()[0].clone()
    }

    fn cyclonedx(component: &str) -> String {
        format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{component}]}}"#)
    }

    #[test]
    fn the_purl_gives_the_identity_whatever_the_name_says() {
        // Syft: Maven's group only in the purl; a Go module's last element as name.
        for (component, name) in [
            (
                r#"{"name":"commons-lang3","version":"3.9","purl":"pkg:maven/org.apache.commons/commons-lang3@3.9"}"#,
                "org.apache.commons:commons-lang3",
            ),
            (
                r#"{"name":"commons-lang3","group":"org.apache.commons","version":"3.9","purl":"pkg:maven/org.apache.commons/commons-lang3@3.9"}"#,
                "org.apache.commons:commons-lang3",
            ),
            (
                r#"{"name":"net","version":"v0.7.0","purl":"pkg:golang/golang.org/x/net@v0.7.0"}"#,
                "golang.org/x/net",
            ),
            (
                r#"{"name":"core","group":"@babel","version":"7.0.0","purl":"pkg:npm/%40babel/core@7.0.0"}"#,
                "@babel/core",
            ),
            (
                r#"{"name":"http-foundation","group":"symfony","version":"5.4.0","purl":"pkg:composer/symfony/http-foundation@5.4.0"}"#,
                "symfony/http-foundation",
            ),
            (
                r#"{"name":"Newtonsoft.Json","version":"12.0.1","purl":"pkg:nuget/Newtonsoft.Json@12.0.1"}"#,
                "Newtonsoft.Json",
            ),
            (
                r#"{"name":"PyYAML","version":"5.3","purl":"pkg:pypi/pyyaml@5.3"}"#,
                "PyYAML",
            ),
        ] {
            assert_eq!(one(&cyclonedx(component)).name, name, "{component}");
        }
    }

    #[test]
    fn the_source_package_comes_from_every_tool_s_spelling() {
        let source = |bom: &str| {
            let package = one(bom);
            package.source.map(|s| (s.name, s.version))
        };
        let glibc = Some(("glibc".to_owned(), "2.36-9+deb12u4".to_owned()));
        let purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12";
        for properties in [
            r#"[{"name":"portcullis:package:source-name","value":"glibc"},{"name":"portcullis:package:source-version","value":"2.36-9+deb12u4"}]"#,
            r#"[{"name":"syft:metadata:source","value":"glibc"}]"#,
            r#"[{"name":"aquasecurity:trivy:SrcName","value":"glibc"},{"name":"aquasecurity:trivy:SrcVersion","value":"2.36-9+deb12u4"}]"#,
        ] {
            let component = format!(
                r#"{{"name":"libc6","version":"2.36-9+deb12u4","purl":"{purl}","properties":{properties}}}"#
            );
            assert_eq!(source(&cyclonedx(&component)), glibc, "{properties}");
        }
        let upstream = format!(r#"{{"name":"libc6","purl":"{purl}&upstream=glibc"}}"#);
        assert_eq!(source(&cyclonedx(&upstream)), glibc);
        // Syft's rpm: the source rpm's file name.
        let srpm = r#"{"name":"openssl-libs","version":"1:3.0.7-27.el9","purl":"pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.3&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"}"#;
        assert_eq!(
            source(&cyclonedx(srpm)),
            Some(("openssl".to_owned(), "1:3.0.7-27.el9".to_owned()))
        );
        let spdx = format!(
            r#"{{"spdxVersion":"SPDX-2.3","packages":[{{"name":"libc6","versionInfo":"2.36-9+deb12u4",
            "sourceInfo":"built package from: glibc 2.36-9+deb12u4",
            "externalRefs":[{{"referenceType":"purl","referenceLocator":"{purl}"}}]}}]}}"#
        );
        assert_eq!(source(&spdx), glibc);
    }

    #[test]
    fn a_malformed_or_versionless_purl_makes_the_sbom_unusable() {
        for component in [
            r#"{"name":"x","version":"1","purl":"pkg:"}"#,
            r#"{"name":"x","version":"1","purl":"not a purl at all"}"#,
            r#"{"name":"libc6","purl":"pkg:deb/debian/libc6?distro=debian-12"}"#,
        ] {
            let Err(ParseError::Unusable(why)) = read(cyclonedx(component).as_bytes(), "b") else {
                panic!("{component} was accepted");
            };
            assert!(why.contains("purl") || why.contains("no version"), "{why}");
        }
        // A purl type that is no package (the image itself) is not one to match.
        let image = r#"{"name":"app","version":"1","purl":"pkg:oci/app@sha256%3Aabc"}"#;
        assert!(read(cyclonedx(image).as_bytes(), "b")
            .unwrap()
            .packages()
            .is_empty());
    }
}
