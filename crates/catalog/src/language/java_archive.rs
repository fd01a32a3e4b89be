//! Java archives (jar, war, ear), including archives nested in archives
//! (Spring Boot's `BOOT-INF/lib`, a war's `WEB-INF/lib`). Each archive is
//! named by its `META-INF/maven/**/pom.properties` (`groupId:artifactId`),
//! else by `META-INF/MANIFEST.MF`, else by its file name, and the evidence
//! says which. The extractor runs while the layer streams and keeps only
//! these coordinates, never the archive.
//!
//! Formats: <https://maven.apache.org/shared/maven-archiver/#pom-properties-content>,
//! <https://docs.oracle.com/en/java/javase/17/docs/specs/jar/jar.html#jar-manifest>.

use std::io::{Cursor, Read};

use serde::{Deserialize, Serialize};

use crate::package::{Location, Package, PackageKind, Proof};
use portcullis_layer::{Keep, KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use portcullis_model::Purl;

/// Archives past this size are skipped and reported (256 MiB).
const MAX_ARCHIVE_BYTES: u64 = 256 << 20;
/// Nested archives past this size are skipped (64 MiB).
const MAX_NESTED_BYTES: u64 = 64 << 20;
/// pom.properties and MANIFEST.MF are small; 1 MiB is generous.
const MAX_META_BYTES: u64 = 1 << 20;
/// Archives inside archives inside archives, and no deeper.
const MAX_DEPTH: usize = 3;

const WANTS: [Want; 3] = [
    Want {
        pattern: "**/*.jar",
        max_bytes: MAX_ARCHIVE_BYTES,
        keep: Keep::Extracted(extract),
    },
    Want {
        pattern: "**/*.war",
        max_bytes: MAX_ARCHIVE_BYTES,
        keep: Keep::Extracted(extract),
    },
    Want {
        pattern: "**/*.ear",
        max_bytes: MAX_ARCHIVE_BYTES,
        keep: Keep::Extracted(extract),
    },
];

/// One artifact found in an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Artifact {
    /// `groupId` when known.
    group: Option<String>,
    name: String,
    version: String,
    proof: ArtifactProof,
    /// The path inside the outer archive for nested ones (`BOOT-INF/lib/x.jar`).
    inner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum ArtifactProof {
    PomProperties,
    Manifest,
    FileName,
}

fn read_entry<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    let entry = archive.by_index(index).map_err(|e| e.to_string())?;
    if entry.size() > limit {
        return Ok(None);
    }
    portcullis_io::read_bounded(entry, limit).map_err(|e| e.to_string())
}

/// `key=value` lines of a Java properties file.
fn properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with(['#', '!']))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect()
}

/// Manifest main-section attributes, with continuation lines joined.
fn manifest(text: &str) -> Vec<(String, String)> {
    let mut attributes: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(more) = line.strip_prefix(' ') {
            if let Some((_, value)) = attributes.last_mut() {
                value.push_str(more);
            }
        } else if let Some((key, value)) = line.split_once(':') {
            attributes.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    attributes
}

/// `snakeyaml-1.33.jar` → (`snakeyaml`, `1.33`).
fn from_file_name(file: &str) -> Option<(String, String)> {
    let stem = file.rsplit('/').next()?.rsplit_once('.')?.0;
    let split = stem
        .char_indices()
        .filter(|(i, c)| *c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
        .map(|(i, _)| i)
        .next()?;
    Some((stem[..split].to_owned(), stem[split + 1..].to_owned()))
}

/// The coordinates a `pom.properties` names.
fn pom_artifact(pom: &[u8], inner: Option<&str>) -> Option<Artifact> {
    let text = String::from_utf8_lossy(pom);
    let props = properties(&text);
    let get = |key: &str| {
        props
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    };
    Some(Artifact {
        group: get("groupId"),
        name: get("artifactId")?,
        version: get("version")?,
        proof: ArtifactProof::PomProperties,
        inner: inner.map(str::to_owned),
    })
}

/// What `MANIFEST.MF` names, else what the file name says.
fn manifest_artifact(
    manifest_text: Option<&[u8]>,
    label: &str,
    inner: Option<&str>,
) -> Option<Artifact> {
    let attributes = manifest_text
        .map(|bytes| manifest(&String::from_utf8_lossy(bytes)))
        .unwrap_or_default();
    let get = |keys: &[&str]| {
        keys.iter().find_map(|key| {
            attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        })
    };
    let title = get(&[
        "Bundle-SymbolicName",
        "Implementation-Title",
        "Specification-Title",
    ])
    .map(|t| t.split(';').next().unwrap_or(&t).trim().to_owned());
    let version = get(&[
        "Bundle-Version",
        "Implementation-Version",
        "Specification-Version",
    ]);
    let (name, version, proof) = match (title, version) {
        (Some(name), Some(version)) => (name, version, ArtifactProof::Manifest),
        _ => {
            let (name, version) = from_file_name(inner.unwrap_or(label))?;
            (name, version, ArtifactProof::FileName)
        }
    };
    Some(Artifact {
        group: None,
        name,
        version,
        proof,
        inner: inner.map(str::to_owned),
    })
}

fn scan(
    bytes: &[u8],
    label: &str,
    inner: Option<&str>,
    depth: usize,
    out: &mut Vec<Artifact>,
) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("it is not a readable archive: {e}"))?;
    let mut poms = Vec::new();
    let mut manifest_text = None;
    let mut nested = Vec::new();
    for index in 0..archive.len() {
        let name = match archive.by_index_raw(index) {
            Ok(entry) => entry.name().to_owned(),
            Err(error) => return Err(format!("entry {index} is unreadable: {error}")),
        };
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            if let Some(bytes) = read_entry(&mut archive, index, MAX_META_BYTES)? {
                poms.push(bytes);
            }
        } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            manifest_text = read_entry(&mut archive, index, MAX_META_BYTES)?;
        } else if depth < MAX_DEPTH && [".jar", ".war", ".ear"].iter().any(|s| name.ends_with(s)) {
            nested.push((index, name));
        }
    }
    let before = out.len();
    out.extend(poms.iter().filter_map(|pom| pom_artifact(pom, inner)));
    if out.len() == before {
        out.extend(manifest_artifact(manifest_text.as_deref(), label, inner));
    }
    for (index, name) in nested {
        let Some(bytes) = read_entry(&mut archive, index, MAX_NESTED_BYTES)? else {
            continue;
        };
        let nested_label = match inner {
            Some(outer) => format!("{outer}!{name}"),
            None => name.clone(),
        };
        // A broken nested archive does not hide the rest of the outer one.
        if let Err(error) = scan(&bytes, label, Some(&nested_label), depth + 1, out) {
            tracing::warn!("skipped `{label}!{nested_label}`: {error}");
        }
    }
    Ok(())
}

/// The extractor run on each archive while its layer streams.
fn extract(path: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut artifacts = Vec::new();
    scan(bytes, path, None, 0, &mut artifacts)?;
    if artifacts.is_empty() {
        return Ok(None);
    }
    serde_json::to_vec(&artifacts)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Turns an archive's extracted coordinates into packages.
pub(super) fn packages(file: &KeptFile<'_>, summary: &[Artifact]) -> Vec<Package> {
    summary
        .iter()
        .map(|artifact| {
            let name = match &artifact.group {
                Some(group) => format!("{group}:{}", artifact.name),
                None => artifact.name.clone(),
            };
            let purl = Purl::new("maven", &artifact.name)
                .with_namespace(artifact.group.as_deref().unwrap_or(""))
                .with_version(&artifact.version);
            let mut location = Location::of(
                file,
                match artifact.proof {
                    ArtifactProof::PomProperties => Proof::PomProperties,
                    ArtifactProof::Manifest => Proof::JarManifest,
                    ArtifactProof::FileName => Proof::FileName,
                },
            );
            if let Some(inner) = &artifact.inner {
                location.path = format!("{}!{inner}", location.path);
            }
            Package::language(PackageKind::Java, &name, &artifact.version, purl, location)
        })
        .collect()
}

/// Reads back what [`extract`] kept.
pub(super) fn summary(bytes: &[u8]) -> Result<Vec<Artifact>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Jars, wars and ears, by the coordinates kept while the layer streamed.
pub(crate) struct JavaArchive;

impl Cataloger for JavaArchive {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        summary(file.bytes)
            .map(|artifacts| packages(file, &artifacts).into())
            .map_err(ParseError::json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_split_at_the_version() {
        assert_eq!(
            from_file_name("app/lib/snakeyaml-1.33.jar"),
            Some(("snakeyaml".into(), "1.33".into()))
        );
        assert_eq!(
            from_file_name("spring-boot-starter-web-3.1.0.jar"),
            Some(("spring-boot-starter-web".into(), "3.1.0".into()))
        );
        assert_eq!(from_file_name("noversion.jar"), None);
    }

    #[test]
    fn manifest_continuation_lines_join() {
        let attributes = manifest("Manifest-Version: 1.0\r\nBundle-SymbolicName: org.apache.log4j\r\nExport-Package: a,\r\n b\r\n\r\nName: x\r\n");
        assert!(attributes.contains(&("Export-Package".into(), "a,b".into())));
        assert!(!attributes.iter().any(|(k, _)| k == "Name"));
    }
}
