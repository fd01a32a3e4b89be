//! Packages from an SBOM made elsewhere, so it can be scanned without the
//! image: CycloneDX 1.4–1.6 JSON (`components`, nested ones too) and SPDX
//! 2.2–2.3 JSON (`packages` with a `purl` external ref). The purl says what
//! kind of package it is and, for distro packages, which release; the purl
//! also gives the package's identity (`group:name` for Maven, `@scope/name`,
//! `vendor/name`, the Go module path), as each tool writes the component's
//! `name` differently. The source package a distro package was built from
//! comes from the purl's `upstream` qualifier or the properties Portcullis,
//! Syft and Trivy write; SPDX's from `sourceInfo` (`built package from: …`).
//! A component whose purl cannot be read makes the SBOM unusable; one that
//! names no version, or distro packages of no release Portcullis knows
//! (from `distro=` or the document's operating-system entry), are
//! diagnostics: a gate must not drop a package it was told about.
//!
//! Specs: <https://cyclonedx.org/docs/1.6/json/>, <https://spdx.github.io/spdx-spec/v2.3/>.

use serde::Deserialize;

use crate::inventory::Diagnostic;
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
    #[serde(rename = "type")]
    kind: Option<String>,
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
    primary_package_purpose: Option<String>,
    version_info: Option<String>,
    source_info: Option<String>,
    comment: Option<String>,
    #[serde(default)]
    external_refs: Vec<RawExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExternalRef {
    reference_type: String,
    reference_locator: String,
}

/// The distro ecosystem a purl's `distro` qualifier names (`debian-12`,
/// `debian-12.5`, `bookworm`, `alpine-3.20.1`, `almalinux-9.4`, Trivy's
/// `alma-9.3`), else the document's operating system (`os`: its id and
/// version, from an `operating-system` component or SPDX package).
fn distro_ecosystem(purl: &Purl, os: Option<&(String, String)>) -> Option<Ecosystem> {
    let (id, version) = match purl.qualifier("distro").filter(|d| !d.is_empty()) {
        Some(distro) => match distro.split_once('-') {
            Some((id, version)) => (id.to_ascii_lowercase(), version.to_owned()),
            None => match debian_codename(distro) {
                Some(release) => ("debian".to_owned(), release.to_owned()),
                None => (distro.to_ascii_lowercase(), String::new()),
            },
        },
        None => {
            let (id, version) = os?;
            (id.to_ascii_lowercase(), version.clone())
        }
    };
    let major = version.split('.').next().unwrap_or(&version).to_owned();
    Some(match id.as_str() {
        "debian" => Ecosystem::Debian {
            release: (!major.is_empty()).then_some(major),
        },
        "ubuntu" => Ecosystem::Ubuntu {
            release: version.clone(),
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
        "almalinux" | "alma" => Ecosystem::AlmaLinux { major },
        "rocky" | "rockylinux" => Ecosystem::RockyLinux { major },
        "rhel" | "redhat" => Ecosystem::RedHat,
        "wolfi" => Ecosystem::Wolfi,
        "chainguard" => Ecosystem::Chainguard,
        _ => Ecosystem::OtherOs(id),
    })
}

/// Debian's release codenames, as some tools write `distro=bookworm`.
fn debian_codename(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        _ => return None,
    })
}

/// What an SBOM says of one package besides its purl.
struct Described<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    /// The source package's name and version, when the SBOM gives them.
    source: Option<(String, Option<String>)>,
    path: &'a str,
    /// Other names it is installed under (`portcullis:package:alias`).
    aliases: Vec<String>,
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

/// What one SBOM entry is.
enum Entry {
    Package(Box<Package>),
    /// A purl type that is no package (`pkg:oci`, `pkg:generic`…).
    NotAPackage,
    /// A package Portcullis cannot evaluate (no version): said, not dropped.
    Unreadable(Diagnostic),
}

/// A package from a purl and what the SBOM says of it; `os` is the
/// document's operating system, for distro purls without `distro=`.
fn package(purl: Purl, described: Described<'_>, os: Option<&(String, String)>) -> Entry {
    let Some(kind) = kind_of(&purl) else {
        return Entry::NotAPackage;
    };
    let purl_version = match (kind, purl.qualifier("epoch"), purl.version()) {
        (PackageKind::Rpm, Some(epoch), Some(version)) => Some(format!("{epoch}:{version}")),
        (_, _, version) => version.map(str::to_owned),
    };
    let written = described
        .version
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .or(purl_version);
    let version = match (written, kind) {
        // Syft writes the toolchain as `go1.19.8`; a binary's build info
        // reads `v1.19.8` in the image scan.
        (Some(version), PackageKind::Go) if purl.name() == "stdlib" => match version.strip_prefix("go") {
            Some(rest) => format!("v{rest}"),
            None => version,
        },
        (Some(version), _) => version,
        // A Go main module built from a local tree: Trivy leaves its
        // `(devel)` out. There is nothing to match, as in an image scan.
        (None, PackageKind::Go) => "(devel)".to_owned(),
        (None, _) => {
            return Entry::Unreadable(Diagnostic {
                path: described.path.to_owned(),
                layer: None,
                message: format!(
                    "the package `{}` has no version, neither in its purl nor beside it: it cannot be matched",
                    portcullis_model::quote(&purl.to_string())
                ),
            })
        }
    };
    let name = identity(kind, &purl, described.name);
    let ecosystem = kind
        .language_ecosystem()
        .or_else(|| distro_ecosystem(&purl, os));
    let source = described
        .source
        .or_else(|| upstream_of(&purl))
        .map(|(source, source_version)| SourcePackage {
            name: source,
            version: source_version.unwrap_or_else(|| version.clone()),
        });
    Entry::Package(Box::new(Package {
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
        aliases: described.aliases,
        purl,
        name,
        version,
    }))
}

/// Where the entries of an SBOM go.
#[derive(Default)]
struct Read {
    /// The document's operating system (id, version), when it names one.
    os: Option<(String, String)>,
    packages: Vec<Package>,
    diagnostics: Vec<Diagnostic>,
}

impl Read {
    fn add(&mut self, entry: Entry) {
        match entry {
            Entry::Package(package) => self.packages.push(*package),
            Entry::NotAPackage => {}
            Entry::Unreadable(diagnostic) => self.diagnostics.push(diagnostic),
        }
    }
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
    let (name, version) = SOURCE_PROPERTIES
        .iter()
        .find_map(|(name, version)| Some((*name, value(name)?, value(version))))
        .map(|(key, name, version)| {
            // Trivy splits the source version as it splits the package's:
            // `SrcEpoch`, `SrcVersion` (upstream) and `SrcRelease` (Debian
            // revision, rpm release) make `[epoch:]version-release`.
            if key != "aquasecurity:trivy:SrcName" {
                return (name, version);
            }
            let version = version.map(|upstream| {
                let epoch = value("aquasecurity:trivy:SrcEpoch")
                    .filter(|e| e != "0")
                    .map_or(String::new(), |e| format!("{e}:"));
                match value("aquasecurity:trivy:SrcRelease") {
                    Some(release) => format!("{epoch}{upstream}-{release}"),
                    None => format!("{epoch}{upstream}"),
                }
            });
            (name, version)
        })?;
    Some((name, version))
}

/// An SPDX package's source package, from `sourceInfo`'s `built package from: NAME VERSION`.
fn spdx_source(source_info: Option<&str>) -> Option<(String, Option<String>)> {
    let (_, rest) = source_info?.split_once(SPDX_SOURCE_PREFIX)?;
    let rest = rest.split(';').next().unwrap_or(rest).trim();
    let mut words = rest.split_whitespace();
    let name = words.next()?.to_owned();
    Some((name, words.next().map(str::to_owned)))
}

fn components(list: &[RawComponent], sbom_path: &str, out: &mut Read) -> Result<(), ParseError> {
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
                aliases: component
                    .properties
                    .iter()
                    .filter(|p| p.name == "portcullis:package:alias" && !p.value.is_empty())
                    .map(|p| p.value.clone())
                    .collect(),
            };
            let entry = package(purl, described, out.os.as_ref());
            out.add(entry);
        }
        components(&component.components, sbom_path, out)?;
    }
    Ok(())
}

fn spdx_packages(
    list: &[RawSpdxPackage],
    sbom_path: &str,
    out: &mut Read,
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
            // Portcullis's SPDX writes an npm alias as `also installed as: a, b`.
            aliases: spdx
                .comment
                .as_deref()
                .and_then(|c| c.strip_prefix("also installed as: "))
                .map(|list| list.split(", ").map(str::to_owned).collect())
                .unwrap_or_default(),
        };
        let entry = package(purl, described, out.os.as_ref());
        out.add(entry);
    }
    Ok(())
}

/// The operating system a document names: a CycloneDX `operating-system`
/// component or an SPDX package whose purpose is `OPERATING-SYSTEM` (Trivy,
/// Syft): its name and version.
fn document_os(raw: &RawDocument) -> Option<(String, String)> {
    fn in_components(list: &[RawComponent]) -> Option<(String, String)> {
        list.iter().find_map(|c| {
            if c.kind.as_deref() == Some("operating-system") {
                return Some((c.name.clone()?, c.version.clone().unwrap_or_default()));
            }
            in_components(&c.components)
        })
    }
    in_components(&raw.components).or_else(|| {
        raw.packages.iter().find_map(|p| {
            (p.primary_package_purpose.as_deref() == Some("OPERATING-SYSTEM"))
                .then(|| Some((p.name.clone()?, p.version_info.clone().unwrap_or_default())))
                .flatten()
        })
    })
}

/// Reads a CycloneDX or SPDX JSON document.
pub fn read(bytes: &[u8], sbom_path: &str) -> Result<Inventory, ParseError> {
    let raw: RawDocument = serde_json::from_slice(bytes).map_err(ParseError::json)?;
    let mut read = Read {
        os: document_os(&raw),
        ..Read::default()
    };
    if raw.bom_format.as_deref() == Some("CycloneDX") {
        components(&raw.components, sbom_path, &mut read)?;
    } else if raw
        .spdx_version
        .as_deref()
        .is_some_and(|v| v.starts_with("SPDX-2"))
    {
        spdx_packages(&raw.packages, sbom_path, &mut read)?;
    } else {
        return Err(ParseError::text(
            "it is neither CycloneDX (`bomFormat`) nor SPDX 2 (`spdxVersion`) JSON",
        ));
    }
    let Read {
        mut packages,
        mut diagnostics,
        ..
    } = read;
    // Distro packages are matched against their release's advisories only:
    // without one that Portcullis has advisories for, none of them can be.
    let unplaced: Vec<&Package> = packages
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                PackageKind::Deb | PackageKind::Rpm | PackageKind::Apk
            ) && matches!(
                p.ecosystem,
                None | Some(Ecosystem::OtherOs(_))
                    | Some(Ecosystem::Debian { release: None })
                    | Some(Ecosystem::Alpine { branch: None })
            )
        })
        .collect();
    if let Some(first) = unplaced.first() {
        diagnostics.push(Diagnostic {
            path: sbom_path.to_owned(),
            layer: None,
            message: format!(
                "{} distro packages (the first `{}`) name no distribution release Portcullis has advisories for, neither in their purl's `distro=` nor in an operating-system entry: they could not be matched",
                unplaced.len(),
                portcullis_model::quote(&first.purl.to_string())
            ),
        });
    }
    packages.sort();
    packages.dedup();
    diagnostics.sort();
    diagnostics.dedup();
    Ok(Inventory::new(None, packages, diagnostics))
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
    fn a_malformed_purl_makes_the_sbom_unusable_and_a_versionless_one_is_said() {
        for component in [
            r#"{"name":"x","version":"1","purl":"pkg:"}"#,
            r#"{"name":"x","version":"1","purl":"not a purl at all"}"#,
        ] {
            let Err(ParseError::Unusable(why)) = read(cyclonedx(component).as_bytes(), "b") else {
                panic!("{component} was accepted");
            };
            assert!(why.contains("purl"), "{why}");
        }
        // No version: the package cannot be matched, and the analysis says so.
        let versionless = r#"{"name":"libc6","purl":"pkg:deb/debian/libc6?distro=debian-12"}"#;
        let inventory = read(cyclonedx(versionless).as_bytes(), "b").unwrap();
        assert!(inventory.packages().is_empty());
        assert_eq!(inventory.diagnostics.len(), 1);
        assert!(inventory.diagnostics[0].message.contains("no version"));
        // A Go main module built from a local tree, as Trivy writes it (no
        // version): `(devel)`, as the binary's build info says.
        let main = r#"{"name":"example.com/app","purl":"pkg:golang/example.com/app"}"#;
        assert_eq!(one(&cyclonedx(main)).version, "(devel)");
        // Trivy splits the source version: `SrcVersion` is the upstream part.
        let trivy = r#"{"name":"libc6","version":"2.36-9+deb12u14","purl":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?distro=debian-12.15","properties":[
            {"name":"aquasecurity:trivy:SrcName","value":"glibc"},
            {"name":"aquasecurity:trivy:SrcRelease","value":"9+deb12u14"},
            {"name":"aquasecurity:trivy:SrcVersion","value":"2.36"}]}"#;
        let source = one(&cyclonedx(trivy)).source.unwrap();
        assert_eq!(
            (source.name.as_str(), source.version.as_str()),
            ("glibc", "2.36-9+deb12u14")
        );
        let epoch = trivy.replace(
            r#"{"name":"aquasecurity:trivy:SrcName""#,
            r#"{"name":"aquasecurity:trivy:SrcEpoch","value":"1"},{"name":"aquasecurity:trivy:SrcName""#,
        );
        assert_eq!(
            one(&cyclonedx(&epoch)).source.unwrap().version,
            "1:2.36-9+deb12u14"
        );
        // Syft's `go1.19.8` toolchain reads as a binary's `v1.19.8`.
        let stdlib =
            r#"{"name":"stdlib","version":"go1.19.8","purl":"pkg:golang/stdlib@go1.19.8"}"#;
        assert_eq!(one(&cyclonedx(stdlib)).version, "v1.19.8");
        // A purl type that is no package (the image itself) is not one to match.
        let image = r#"{"name":"app","version":"1","purl":"pkg:oci/app@sha256%3Aabc"}"#;
        assert!(read(cyclonedx(image).as_bytes(), "b")
            .unwrap()
            .packages()
            .is_empty());
    }
}
