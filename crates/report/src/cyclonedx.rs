//! CycloneDX 1.6 JSON SBOMs: the image as the metadata component, its OS as an
//! `operating-system` component, and each package as a `library` with its
//! purl, licences, and the file (evidence occurrence) and layer (property)
//! that proved it.
//!
//! Spec: <https://cyclonedx.org/docs/1.6/json/>. Written with our own serde
//! types: the `cyclonedx-bom` crate (0.8) emits at most spec 1.5.

use serde::Serialize;

use portcullis_catalog::{Inventory, Package};
use portcullis_source::TargetSummary;

const SPEC_VERSION: &str = "1.6";
const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    /// Filled for the VEX flavour (`cyclonedx-vex`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) vulnerabilities: Vec<super::cyclonedx_vex::Vulnerability>,
}

#[derive(Serialize)]
struct Metadata {
    tools: Tools,
    component: Component,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize, Default)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct LicenseChoice {
    license: License,
}

#[derive(Serialize)]
struct License {
    name: String,
}

#[derive(Serialize)]
struct Evidence {
    occurrences: Vec<Occurrence>,
}

#[derive(Serialize)]
struct Occurrence {
    location: String,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

fn property(name: &'static str, value: impl Into<String>) -> Property {
    Property {
        name,
        value: value.into(),
    }
}

pub(super) fn document(target: &TargetSummary, inventory: &Inventory) -> Bom {
    let mut components: Vec<Component> = inventory.os.iter().map(os_component).collect();
    for (package, bom_ref) in inventory
        .packages()
        .iter()
        .zip(package_refs(inventory.packages()))
    {
        components.push(package_component(target, package, bom_ref));
    }
    let seed: Vec<&str> = components
        .iter()
        .filter_map(|c| c.bom_ref.as_deref())
        .chain([target.reference.as_str()])
        .collect();
    Bom {
        schema: SCHEMA,
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: format!("urn:uuid:{}", super::uuid_from(&seed.join("\n"))),
        version: 1,
        metadata: Metadata {
            tools: Tools {
                components: vec![Component {
                    kind: "application",
                    name: portcullis_model::TOOL_NAME.to_owned(),
                    version: Some(portcullis_model::TOOL_VERSION.to_owned()),
                    ..Component::default()
                }],
            },
            component: image_component(target, inventory),
        },
        components,
        vulnerabilities: Vec::new(),
    }
}

/// The scanned image (or folder, or SBOM), with what could not be analysed.
fn image_component(target: &TargetSummary, inventory: &Inventory) -> Component {
    let mut image_properties = vec![property("portcullis:target:kind", target.kind.name())];
    if inventory.partial() {
        image_properties.push(property("portcullis:analysis:partial", "true"));
        for diagnostic in &inventory.diagnostics {
            image_properties.push(property(
                "portcullis:analysis:skipped",
                format!(
                    "{} ({}): {}",
                    diagnostic.path,
                    target.layer_label(diagnostic.layer),
                    diagnostic.message
                ),
            ));
        }
    }
    if let Some(platform) = &target.platform {
        image_properties.push(property("portcullis:image:platform", platform.to_string()));
    }
    for (index, diff_id) in target.layers.iter().enumerate() {
        image_properties.push(Property {
            name: "portcullis:image:layer",
            value: format!("{}:{diff_id}", index + 1),
        });
    }
    Component {
        kind: "container",
        bom_ref: Some("image".to_owned()),
        name: target.reference.clone(),
        version: target.manifest_digest.as_ref().map(ToString::to_string),
        properties: image_properties,
        ..Component::default()
    }
}

fn os_component(os: &portcullis_catalog::OperatingSystem) -> Component {
    Component {
        kind: "operating-system",
        bom_ref: Some("os".to_owned()),
        name: os.id.clone(),
        version: os.version.clone(),
        description: os.pretty_name.clone(),
        properties: vec![
            property("portcullis:os:ecosystem", os.ecosystem.to_string()),
            property("portcullis:location:path", format!("/{}", os.path)),
        ],
        ..Component::default()
    }
}

fn package_component(target: &TargetSummary, package: &Package, bom_ref: String) -> Component {
    let mut properties = vec![
        property("portcullis:package:type", package.kind.name()),
        property("portcullis:package:evidence", package.evidence().name()),
    ];
    if package.dev {
        properties.push(property("portcullis:package:dev", "true"));
    }
    for location in &package.locations {
        properties.push(property("portcullis:location:path", location.path.clone()));
        properties.push(property(
            "portcullis:location:layer",
            target.layer_label(location.layer),
        ));
        properties.push(property("portcullis:location:proof", location.proof.name()));
    }
    for alias in &package.aliases {
        properties.push(property("portcullis:package:alias", alias.clone()));
    }
    if let Some(source) = &package.source {
        properties.push(property(
            "portcullis:package:source-name",
            source.name.clone(),
        ));
        properties.push(property(
            "portcullis:package:source-version",
            source.version.clone(),
        ));
    }
    Component {
        kind: "library",
        bom_ref: Some(bom_ref),
        name: package.name.clone(),
        version: Some(package.version.clone()),
        purl: Some(package.purl.to_string()),
        licenses: package
            .licenses
            .iter()
            .map(|name| LicenseChoice {
                license: License { name: name.clone() },
            })
            .collect(),
        evidence: Some(Evidence {
            occurrences: package
                .locations
                .iter()
                .map(|location| Occurrence {
                    location: location.path.clone(),
                })
                .collect(),
        }),
        properties,
        ..Component::default()
    }
}

/// Each package's `bom-ref`: its purl, numbered when two packages share one.
pub(super) fn package_refs(packages: &[portcullis_catalog::Package]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    packages
        .iter()
        .map(|package| {
            let purl = package.purl.to_string();
            let mut bom_ref = purl.clone();
            let mut copy = 1;
            while !seen.insert(bom_ref.clone()) {
                copy += 1;
                bom_ref = format!("{purl}#{copy}");
            }
            bom_ref
        })
        .collect()
}
