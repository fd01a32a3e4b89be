//! Packages from an SBOM made elsewhere, so it can be scanned without the
//! image: CycloneDX 1.4–1.6 JSON (`components`, nested ones too) and SPDX
//! 2.2–2.3 JSON (`packages` with a `purl` external ref). The purl says what
//! kind of package it is and, for distro packages, which release; the purl
//! also gives the package's identity (`group:name` for Maven, `@scope/name`,
//! `vendor/name`, the Go module path), as each tool writes the component's
//! `name` differently. The source package a distro package was built from
//! comes from the purl's `upstream` qualifier or the properties Portcullis,
//! Syft and Trivy write; SPDX's from `sourceInfo` (`built package from: …`).
//! Every component that is a package (a library, framework or application,
//! or anything with a version that is not a file, an operating system, an
//! image or the document's own subject) becomes a package or a diagnostic:
//! a purl that breaks the spec, a purl type Portcullis has no advisories
//! for, no purl and nothing that places it for certain (`placement`), no
//! version, or distro packages of no release Portcullis knows (from
//! `distro=` or the document's operating-system entry). A gate must not
//! drop a package it was told about.
//!
//! Specs: <https://cyclonedx.org/docs/1.6/json/>, <https://spdx.github.io/spdx-spec/v2.3/>.

use serde::Deserialize;

use crate::inventory::Diagnostic;
use crate::package::{Location, Package, PackageKind, Proof, SourcePackage};
use crate::{Inventory, ParseError};
use portcullis_model::{quote, Ecosystem, Purl};

mod placement;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDocument {
    bom_format: Option<String>,
    spdx_version: Option<String>,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default)]
    packages: Vec<RawSpdxPackage>,
    /// SPDX 2.2's list of what the document describes.
    #[serde(default)]
    document_describes: Vec<String>,
    #[serde(default)]
    relationships: Vec<RawRelationship>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRelationship {
    spdx_element_id: String,
    relationship_type: String,
    related_spdx_element: String,
}

#[derive(Deserialize)]
struct RawComponent {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    group: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
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
    #[serde(rename = "SPDXID")]
    spdx_id: Option<String>,
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
                    quote(&purl.to_string())
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

/// Roles (CycloneDX `type`, SPDX `primaryPackagePurpose`, lowercased) of
/// entries that are no package, unless their purl is one Portcullis matches.
const NOT_PACKAGE_ROLES: [&str; 8] = [
    "file",
    "operating-system",
    "container",
    "data",
    "machine-learning-model",
    "cryptographic-asset",
    "source",
    "device",
];

/// Purl types that name an image, not a package in it.
const IMAGE_PURL_TYPES: [&str; 2] = ["oci", "docker"];

/// One entry of an SBOM, in either format's words.
struct Listed<'a> {
    role: Option<String>,
    purl: Option<&'a str>,
    group: Option<&'a str>,
    cpes: Vec<&'a str>,
    /// Package types tools wrote for it or for the application it is in.
    tool_types: Vec<&'a str>,
    /// Whether the document says it describes this entry (SPDX).
    subject: bool,
    described: Described<'a>,
}

impl Listed<'_> {
    /// `name version` as the document writes them, for messages.
    fn label(&self) -> String {
        let name = self.described.name.unwrap_or("?");
        match self.described.version.filter(|v| !v.is_empty()) {
            Some(version) => quote(&format!("{name} {version}")),
            None => quote(name),
        }
    }

    fn unreadable(&self, why: String) -> Entry {
        Entry::Unreadable(Diagnostic {
            path: self.described.path.to_owned(),
            layer: None,
            message: format!(
                "the component `{}` {why}: it cannot be matched",
                self.label()
            ),
        })
    }
}

/// What one listed entry is: a package, no package, or a package the gate
/// cannot evaluate (said, never dropped).
fn entry(listed: Listed<'_>, os: Option<&(String, String)>) -> Entry {
    let not_a_package = listed
        .role
        .as_deref()
        .is_some_and(|role| NOT_PACKAGE_ROLES.contains(&role));
    let purl = match listed.purl {
        Some(text) => match text.parse::<Purl>() {
            Ok(purl) => purl,
            Err(error) => {
                return listed.unreadable(format!(
                    "has the purl `{}`, which is not a package URL ({})",
                    quote(text),
                    error.why()
                ))
            }
        },
        None => {
            let versionless = listed.described.version.is_none_or(str::is_empty);
            let grouping = versionless
                && listed.cpes.is_empty()
                && matches!(listed.role.as_deref(), None | Some("application"));
            if not_a_package || listed.subject || grouping {
                // A file, an OS, the document's subject, or a tool's
                // grouping of packages (Trivy's application per lock file).
                return Entry::NotAPackage;
            }
            let Some(version) = listed.described.version.filter(|v| !v.is_empty()) else {
                return listed.unreadable("has neither a purl nor a version".to_owned());
            };
            let unplaced = placement::Unplaced {
                name: listed.described.name.unwrap_or_default(),
                group: listed.group,
                version,
                tool_types: listed.tool_types.clone(),
                cpes: listed.cpes.clone(),
            };
            match placement::place(&unplaced) {
                Ok(purl) => purl,
                Err(why) => return listed.unreadable(format!("has no purl, and {why}")),
            }
        }
    };
    if kind_of(&purl).is_none() {
        if not_a_package || listed.subject || IMAGE_PURL_TYPES.contains(&purl.kind()) {
            return Entry::NotAPackage;
        }
        return listed.unreadable(format!(
            "is a `{}` package (`{}`), a purl type Portcullis has no advisories for",
            quote(purl.kind()),
            quote(&purl.to_string())
        ));
    }
    package(purl, listed.described, os)
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

/// Trivy's property for the package type of an application's components.
const TRIVY_TYPE: &str = "aquasecurity:trivy:Type";

/// The package types CycloneDX properties name (Syft's, Trivy's).
fn tool_types(properties: &[RawProperty]) -> impl Iterator<Item = &str> {
    properties
        .iter()
        .filter(|p| {
            matches!(
                p.name.as_str(),
                "syft:package:type" | "aquasecurity:trivy:PkgType" | TRIVY_TYPE
            )
        })
        .map(|p| p.value.as_str())
}

/// Reads `list`; `inherited` are the package types of the components it is nested in.
fn components(list: &[RawComponent], inherited: &[&str], sbom_path: &str, out: &mut Read) {
    for component in list {
        let path = component
            .evidence
            .as_ref()
            .and_then(|e| e.occurrences.first())
            .map_or(sbom_path, |o| o.location.as_str());
        let mut types: Vec<&str> = inherited.to_vec();
        types.extend(tool_types(&component.properties));
        let listed = Listed {
            role: component.kind.as_deref().map(str::to_ascii_lowercase),
            purl: component.purl.as_deref(),
            group: component.group.as_deref(),
            cpes: component.cpe.as_deref().into_iter().collect(),
            tool_types: types.clone(),
            subject: false,
            described: Described {
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
            },
        };
        let entry = entry(listed, out.os.as_ref());
        out.add(entry);
        components(&component.components, &types, sbom_path, out);
    }
}

/// The SPDX ids the document says it describes.
fn spdx_subjects(raw: &RawDocument) -> Vec<&str> {
    raw.document_describes
        .iter()
        .map(String::as_str)
        .chain(
            raw.relationships
                .iter()
                .filter(|r| {
                    r.relationship_type == "DESCRIBES" && r.spdx_element_id == "SPDXRef-DOCUMENT"
                })
                .map(|r| r.related_spdx_element.as_str()),
        )
        .collect()
}

fn spdx_packages(list: &[RawSpdxPackage], subjects: &[&str], sbom_path: &str, out: &mut Read) {
    for spdx in list {
        let reference = |kind: &'static str| {
            spdx.external_refs
                .iter()
                .filter(move |r| r.reference_type == kind)
                .map(|r| r.reference_locator.as_str())
        };
        let listed = Listed {
            role: spdx
                .primary_package_purpose
                .as_deref()
                .map(|p| p.to_ascii_lowercase().replace('_', "-")),
            purl: reference("purl").next(),
            group: None,
            cpes: reference("cpe23Type").collect(),
            tool_types: Vec::new(),
            subject: spdx
                .spdx_id
                .as_deref()
                .is_some_and(|id| subjects.contains(&id)),
            described: Described {
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
            },
        };
        let entry = entry(listed, out.os.as_ref());
        out.add(entry);
    }
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
        components(&raw.components, &[], sbom_path, &mut read);
    } else if raw
        .spdx_version
        .as_deref()
        .is_some_and(|v| v.starts_with("SPDX-2"))
    {
        spdx_packages(&raw.packages, &spdx_subjects(&raw), sbom_path, &mut read);
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
                quote(&first.purl.to_string())
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

    /// The diagnostics of reading `bom`, which must yield no package.
    fn said(bom: &str) -> Vec<String> {
        let inventory = read(bom.as_bytes(), "b").unwrap();
        assert!(inventory.packages().is_empty(), "{bom}");
        inventory
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    fn spdx(package: &str) -> String {
        format!(
            r#"{{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{package}]}}"#
        )
    }

    /// Issue 33: a component whose purl breaks the spec, of a purl type
    /// Portcullis cannot match, or with no purl and nothing that places it,
    /// is a diagnostic naming it, in both formats; never dropped.
    #[test]
    fn a_package_the_gate_cannot_place_is_said_with_its_name() {
        for (component, says) in [
            (
                r#"{"type":"library","name":"x","version":"1","purl":"pkg:%%%/::@@@/%%%"}"#,
                "`x 1` has the purl",
            ),
            (
                r#"{"name":"x","version":"1","purl":"pkg:"}"#,
                "not a package URL",
            ),
            (
                r#"{"name":"x","version":"1","purl":"not a purl at all"}"#,
                "not a package URL",
            ),
            (
                r#"{"type":"library","name":"lodash","version":"4.17.4"}"#,
                "`lodash 4.17.4` has no purl, and nothing",
            ),
            (
                r#"{"type":"framework","name":"spring"}"#,
                "neither a purl nor a version",
            ),
            (
                r#"{"type":"library","name":"zlib","version":"1.3","purl":"pkg:generic/zlib@1.3"}"#,
                "a purl type Portcullis has no advisories for",
            ),
        ] {
            let messages = said(&cyclonedx(component));
            assert_eq!(messages.len(), 1, "{component}: {messages:?}");
            assert!(messages[0].contains(says), "{component}: {messages:?}");
        }
        for (package, says) in [
            (
                r#"{"SPDXID":"SPDXRef-1","name":"x","versionInfo":"1","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:%%%/::@@@/%%%"}]}"#,
                "`x 1` has the purl",
            ),
            (
                r#"{"SPDXID":"SPDXRef-1","name":"lodash","versionInfo":"4.17.4","primaryPackagePurpose":"LIBRARY"}"#,
                "`lodash 4.17.4` has no purl",
            ),
        ] {
            let messages = said(&spdx(package));
            assert_eq!(messages.len(), 1, "{package}: {messages:?}");
            assert!(messages[0].contains(says), "{package}: {messages:?}");
        }
    }

    #[test]
    fn files_systems_images_subjects_and_groupings_are_no_packages() {
        for component in [
            r#"{"type":"file","name":"/etc/passwd","version":"1"}"#,
            r#"{"type":"operating-system","name":"debian","version":"12.5"}"#,
            r#"{"type":"container","name":"app","version":"sha256:abc"}"#,
            // Trivy's application per lock file: no version, no purl.
            r#"{"type":"application","name":"package-lock.json","properties":[{"name":"aquasecurity:trivy:Type","value":"npm"}]}"#,
        ] {
            assert_eq!(
                said(&cyclonedx(component)),
                Vec::<String>::new(),
                "{component}"
            );
        }
        // The document's own subject (Syft's source package) and an image.
        let subject = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-root"],
            "packages":[{"SPDXID":"SPDXRef-root","name":"/work/project","versionInfo":"1"},
            {"SPDXID":"SPDXRef-2","name":"img","versionInfo":"1","primaryPackagePurpose":"CONTAINER"}]}"#;
        assert_eq!(said(subject), Vec::<String>::new());
    }

    #[test]
    fn a_purl_less_component_is_placed_by_what_the_document_says_for_certain() {
        let lodash = one(&cyclonedx(
            r#"{"type":"library","name":"lodash","version":"4.17.4","cpe":"cpe:2.3:a:lodash:lodash:4.17.4:*:*:*:*:node.js:*:*"}"#,
        ));
        assert_eq!(lodash.purl.to_string(), "pkg:npm/lodash@4.17.4");
        // Nested in Trivy's application for a lock file.
        let nested = one(&cyclonedx(
            r#"{"type":"application","name":"package-lock.json","properties":[{"name":"aquasecurity:trivy:Type","value":"npm"}],
               "components":[{"type":"library","group":"@babel","name":"core","version":"7.0.0"}]}"#,
        ));
        assert_eq!(nested.name, "@babel/core");
        let syft = one(&spdx(
            r#"{"SPDXID":"SPDXRef-1","name":"requests","versionInfo":"2.19.0","externalRefs":[{"referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:python:requests:2.19.0:*:*:*:*:python:*:*"}]}"#,
        ));
        assert_eq!(syft.purl.to_string(), "pkg:pypi/requests@2.19.0");
    }

    #[test]
    fn a_versionless_purl_is_said() {
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
