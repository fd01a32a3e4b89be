//! SPDX 2.3 JSON SBOMs: the image as the described package, each OS package
//! contained in it with its purl (a `PACKAGE-MANAGER` external ref), declared
//! licences, and the file and layer that proved it (`sourceInfo`).
//!
//! Spec: <https://spdx.github.io/spdx-spec/v2.3/>. Licence names that are not
//! SPDX identifiers (Debian's `GPL-2+`, rpm's `ASL 2.0`) become `LicenseRef-`
//! entries with the original text, as the spec requires. No maintained Rust
//! crate writes SPDX 2.3 JSON, so these serde types are our own.

use std::collections::BTreeMap;

use serde::Serialize;

use super::RenderConfig;
use portcullis_catalog::Inventory;
use portcullis_source::TargetSummary;

/// SPDX license-list identifiers common in distro packages, written as is.
const KNOWN_SPDX_IDS: [&str; 24] = [
    "0BSD",
    "AFL-2.1",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC0-1.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MPL-2.0",
    "OpenSSL",
    "PSF-2.0",
    "Unlicense",
    "Zlib",
    "curl",
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<Package>,
    relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    name: String,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    download_location: &'static str,
    files_analyzed: bool,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    /// Other names the package is installed under (an npm alias).
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

/// `LicenseRef-` ids may hold letters, digits, `.` and `-` only.
fn license_ref(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("LicenseRef-{cleaned}")
}

/// The declared-licence expression for `names`, registering `LicenseRef-`s.
fn declared(names: &[String], extracted: &mut BTreeMap<String, String>) -> String {
    if names.is_empty() {
        return "NOASSERTION".to_owned();
    }
    let ids: Vec<String> = names
        .iter()
        .map(|name| {
            if KNOWN_SPDX_IDS.contains(&name.as_str()) {
                name.clone()
            } else {
                let id = license_ref(name);
                extracted.insert(id.clone(), name.clone());
                id
            }
        })
        .collect();
    if ids.len() == 1 {
        ids.concat()
    } else {
        format!("({})", ids.join(" AND "))
    }
}

/// How a package's aliases are written in its SPDX `comment` (SPDX 2.3 has
/// no field for them); `portcullis_catalog`'s SBOM reader reads it back.
const ALIAS_COMMENT: &str = "also installed as: ";

/// The SPDX package of one inventory package.
fn library(
    target: &TargetSummary,
    package: &portcullis_catalog::Package,
    spdx_id: String,
    extracted: &mut BTreeMap<String, String>,
) -> Package {
    Package {
        name: package.name.clone(),
        spdx_id,
        version_info: Some(package.version.clone()),
        download_location: "NOASSERTION",
        files_analyzed: false,
        license_concluded: "NOASSERTION",
        license_declared: declared(&package.licenses, extracted),
        copyright_text: "NOASSERTION",
        source_info: Some(format!(
            "{} package ({}) found in {}{}",
            package.kind.name(),
            package.evidence().name(),
            package
                .locations
                .iter()
                .map(|l| format!(
                    "{} ({}, {})",
                    l.path,
                    target.layer_label(l.layer),
                    l.proof.name()
                ))
                .collect::<Vec<_>>()
                .join("; "),
            // Trivy's phrase for the source package, which SPDX 2.3 has no field for.
            package
                .source
                .as_ref()
                .map_or(String::new(), |source| format!(
                    "; built package from: {} {}",
                    source.name, source.version
                ))
        )),
        comment: (!package.aliases.is_empty())
            .then(|| format!("{ALIAS_COMMENT}{}", package.aliases.join(", "))),
        primary_package_purpose: Some("LIBRARY"),
        external_refs: vec![ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: package.purl.to_string(),
        }],
    }
}

pub(super) fn document(
    target: &TargetSummary,
    inventory: &Inventory,
    config: &RenderConfig,
) -> Document {
    let mut extracted = BTreeMap::new();
    let mut packages = vec![Package {
        name: target.reference.clone(),
        spdx_id: "SPDXRef-Image".to_owned(),
        version_info: target.manifest_digest.as_ref().map(ToString::to_string),
        download_location: "NOASSERTION",
        files_analyzed: false,
        license_concluded: "NOASSERTION",
        license_declared: "NOASSERTION".to_owned(),
        copyright_text: "NOASSERTION",
        source_info: Some(format!("{} target", target.kind.name())),
        // SPDX 2.3 has no field for what a tool could not read: the
        // image's comment says it, one line per part, as CycloneDX's
        // `portcullis:analysis:skipped` properties do.
        comment: inventory.partial().then(|| {
            let lines: Vec<String> = inventory
                .diagnostics
                .iter()
                .map(|d| {
                    format!(
                        "not evaluated: {} ({}): {}",
                        d.path,
                        target.layer_label(d.layer),
                        d.message
                    )
                })
                .collect();
            format!("analysis was partial\n{}", lines.join("\n"))
        }),
        primary_package_purpose: Some("CONTAINER"),
        external_refs: Vec::new(),
    }];
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".to_owned(),
        relationship_type: "DESCRIBES",
        related_spdx_element: "SPDXRef-Image".to_owned(),
    }];
    for (index, package) in inventory.packages().iter().enumerate() {
        let spdx_id = format!("SPDXRef-Package-{}-{}", package.kind.name(), index + 1);
        relationships.push(Relationship {
            spdx_element_id: "SPDXRef-Image".to_owned(),
            relationship_type: "CONTAINS",
            related_spdx_element: spdx_id.clone(),
        });
        packages.push(library(target, package, spdx_id, &mut extracted));
    }
    let seed: Vec<String> = packages
        .iter()
        .filter_map(|p| p.external_refs.first())
        .map(|r| r.reference_locator.clone())
        .collect();
    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: target.reference.clone(),
        document_namespace: format!(
            "https://portcullis.dev/spdx/{}",
            super::uuid_from(&format!("{}\n{}", target.reference, seed.join("\n")))
        ),
        creation_info: CreationInfo {
            created: config.created.clone(),
            creators: vec![format!(
                "Tool: {}-{}",
                portcullis_model::TOOL_NAME,
                portcullis_model::TOOL_VERSION
            )],
        },
        packages,
        relationships,
        has_extracted_licensing_infos: extracted
            .into_iter()
            .map(|(license_id, text)| ExtractedLicense {
                license_id,
                name: text.clone(),
                extracted_text: text,
            })
            .collect(),
    }
}
