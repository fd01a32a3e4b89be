//! Where an SBOM component without a purl belongs, when the document says
//! so for certain: the package type a tool's property names (Syft's
//! `syft:package:type`, Trivy's `aquasecurity:trivy:PkgType`, or Trivy's
//! `aquasecurity:trivy:Type` of the application it is nested in), or the
//! target software of its CPE (`cpe:2.3:a:lodash:lodash:4.17.4:*:*:*:*:node.js:*:*`).
//! The name is the component's own (with its `group`); an ecosystem is never
//! guessed from a name, and two sources that disagree place nothing.
//!
//! CPE 2.3 formatted strings: NISTIR 7695 §6.2,
//! <https://nvlpubs.nist.gov/nistpubs/Legacy/IR/nistir7695.pdf>.

use std::collections::BTreeSet;

use portcullis_model::Purl;

/// What a component without a purl says of itself.
pub(super) struct Unplaced<'a> {
    pub(super) name: &'a str,
    pub(super) group: Option<&'a str>,
    pub(super) version: &'a str,
    /// Package types tools wrote for it or for the application it is in.
    pub(super) tool_types: Vec<&'a str>,
    pub(super) cpes: Vec<&'a str>,
}

/// The purl type a tool's package type names, for the language ecosystems
/// Portcullis matches (distro packages need a release no property gives).
fn from_tool_type(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "npm" | "node-pkg" | "yarn" | "pnpm" | "bun" => "npm",
        "python" | "pip" | "pipenv" | "poetry" | "uv" | "python-pkg" => "pypi",
        "gem" | "gemspec" | "bundler" => "gem",
        "rust-crate" | "cargo" | "rust-binary" => "cargo",
        "go-module" | "gomod" | "gobinary" => "golang",
        "php-composer" | "composer" | "composer-vendor" => "composer",
        "dotnet" | "nuget" | "dotnet-core" => "nuget",
        "java-archive" | "jar" | "pom" | "gradle" => "maven",
        _ => return None,
    })
}

/// The fields of a CPE 2.3 formatted string (`\:` is an escaped colon).
fn cpe_fields(cpe: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = cpe.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' => fields.push(String::new()),
            other => {
                if let Some(field) = fields.last_mut() {
                    field.push(other);
                }
            }
        }
    }
    fields
}

/// The purl type a CPE's target software names: only the values NVD uses
/// for one package registry each.
fn from_cpe(cpe: &str) -> Option<&'static str> {
    let fields = cpe_fields(cpe);
    if fields.first().map(String::as_str) != Some("cpe")
        || fields.get(1).map(String::as_str) != Some("2.3")
    {
        return None;
    }
    Some(match fields.get(10)?.to_ascii_lowercase().as_str() {
        "node.js" | "nodejs" => "npm",
        "python" => "pypi",
        "rust" => "cargo",
        "ruby" => "gem",
        _ => return None,
    })
}

/// The purl of a component the document places for certain, or why not.
pub(super) fn place(unplaced: &Unplaced<'_>) -> Result<Purl, &'static str> {
    let types: BTreeSet<&str> = unplaced
        .tool_types
        .iter()
        .filter_map(|t| from_tool_type(t))
        .chain(unplaced.cpes.iter().filter_map(|c| from_cpe(c)))
        .collect();
    let mut types = types.into_iter();
    let kind = match (types.next(), types.next()) {
        (Some(kind), None) => kind,
        (Some(_), Some(_)) => return Err("the document names two ecosystems for it"),
        (None, _) => return Err("nothing in the document says which ecosystem it is from"),
    };
    let name = unplaced.name;
    let group = unplaced.group.filter(|g| !g.is_empty());
    let (namespace, name) = match (kind, group) {
        (_, Some(group)) => (Some(group), name),
        ("maven", None) => match name.split_once(':') {
            Some((group, artifact)) => (Some(group), artifact),
            None => return Err("it is a Maven artifact with no group"),
        },
        ("npm" | "composer" | "golang", None) => match name.rsplit_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, name),
        },
        (_, None) => (None, name),
    };
    if name.is_empty() {
        return Err("it has no name");
    }
    let purl = Purl::new(kind, name).with_version(unplaced.version);
    Ok(match namespace {
        Some(namespace) => purl.with_namespace(namespace),
        None => purl,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unplaced<'a>(name: &'a str, tool_types: &[&'a str], cpes: &[&'a str]) -> Unplaced<'a> {
        Unplaced {
            name,
            group: None,
            version: "1.0",
            tool_types: tool_types.to_vec(),
            cpes: cpes.to_vec(),
        }
    }

    #[test]
    fn a_tool_s_type_or_a_cpe_s_target_software_places_it() {
        let placed = |u: Unplaced<'_>| place(&u).map(|p| p.to_string());
        assert_eq!(
            placed(unplaced(
                "lodash",
                &[],
                &["cpe:2.3:a:lodash:lodash:4.17.4:*:*:*:*:node.js:*:*"]
            )),
            Ok("pkg:npm/lodash@1.0".to_owned())
        );
        assert_eq!(
            placed(unplaced("@babel/core", &["npm"], &[])),
            Ok("pkg:npm/%40babel/core@1.0".to_owned())
        );
        assert_eq!(
            placed(unplaced("org.yaml:snakeyaml", &["java-archive"], &[])),
            Ok("pkg:maven/org.yaml/snakeyaml@1.0".to_owned())
        );
        assert_eq!(
            placed(unplaced(
                "requests",
                &["pip"],
                &["cpe:2.3:a:python:requests:1.0:*:*:*:*:python:*:*"]
            )),
            Ok("pkg:pypi/requests@1.0".to_owned())
        );
    }

    #[test]
    fn a_name_alone_or_two_ecosystems_place_nothing() {
        assert!(place(&unplaced("lodash", &[], &[])).is_err());
        // A CPE with no target software says nothing of the registry.
        assert!(place(&unplaced(
            "openssl",
            &[],
            &["cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*"]
        ))
        .is_err());
        assert!(place(&unplaced(
            "x",
            &["npm"],
            &["cpe:2.3:a:x:x:1:*:*:*:*:python:*:*"]
        ))
        .is_err());
        assert!(place(&unplaced("snakeyaml", &["jar"], &[])).is_err());
        // An escaped colon stays inside its field.
        assert_eq!(cpe_fields(r"cpe:2.3:a:a\:b:c")[3], "a:b");
    }
}
