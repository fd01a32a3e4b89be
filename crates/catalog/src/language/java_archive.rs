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
/// How deep archives inside archives are read. Real ones (a jar in a war in
/// an ear, Spring Boot's `BOOT-INF/lib`) stay within 4; a deeper one is
/// named in a warning. The cap stops a zip that contains itself.
const MAX_DEPTH: usize = 8;

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
    /// For an archive nothing identifies: why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unidentified: Option<String>,
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
    // A cap reached is said, never skipped in silence: the archive becomes a
    // diagnostic and the analysis partial.
    if entry.size() > limit {
        return Err(format!(
            "`{}` is larger than the {limit}-byte limit for its kind; it was not read",
            portcullis_model::quote(entry.name())
        ));
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

/// Whether `text` can be a Maven groupId, artifactId or version: Maven's
/// own `[A-Za-z0-9_.-]+` for ids, and no space, `#` or path in a version.
fn is_coordinate(text: &str, version: bool) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '.' | '-' | '_')
                || (version && matches!(c, '+' | '~'))
        })
}

/// The coordinates a `pom.properties` names, when they are coordinates.
fn pom_artifact(pom: &[u8], label: &str, inner: Option<&str>) -> Option<Artifact> {
    let text = String::from_utf8_lossy(pom);
    let props = properties(&text);
    let get = |key: &str| {
        props
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    };
    let group = get("groupId");
    let name = get("artifactId")?;
    let version = get("version")?;
    let valid = group.as_deref().is_none_or(|g| is_coordinate(g, false))
        && is_coordinate(&name, false)
        && is_coordinate(&version, true);
    if !valid {
        tracing::warn!(
            "`{label}{}`: pom.properties names {}:{} {}, which are not Maven coordinates; not used",
            inner.map(|i| format!("!{i}")).unwrap_or_default(),
            portcullis_model::quote(group.as_deref().unwrap_or("")),
            portcullis_model::quote(&name),
            portcullis_model::quote(&version),
        );
        return None;
    }
    Some(Artifact {
        group,
        name,
        version,
        proof: ArtifactProof::PomProperties,
        inner: inner.map(str::to_owned),
        unidentified: None,
    })
}

/// What `MANIFEST.MF`'s `Implementation-*` (else `Specification-*`) names
/// when it looks like an artifact id and a version, else what the file name
/// says. OSGi's `Bundle-SymbolicName`/`Bundle-Version` are not Maven
/// coordinates (`org.apache.ivy` 2.4.0.final_2014…) and are not used.
fn manifest_artifact(
    manifest_text: Option<&[u8]>,
    label: &str,
    inner: Option<&str>,
) -> Option<Artifact> {
    let attributes = manifest_text
        .map(|bytes| manifest(&String::from_utf8_lossy(bytes)))
        .unwrap_or_default();
    let get = |key: &str| {
        attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
    };
    let from_manifest = ["Implementation", "Specification"]
        .iter()
        .find_map(|prefix| {
            let title = get(&format!("{prefix}-Title"))?;
            let version = get(&format!("{prefix}-Version"))?;
            (is_coordinate(&title, false) && is_coordinate(&version, true))
                .then_some((title, version))
        });
    let (name, version, proof) = match from_manifest {
        Some((name, version)) => (name, version, ArtifactProof::Manifest),
        None => {
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
        unidentified: None,
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
        } else if [".jar", ".war", ".ear"].iter().any(|s| name.ends_with(s)) {
            if depth < MAX_DEPTH {
                nested.push((index, name));
            } else {
                tracing::warn!(
                    "`{label}!{}`: archives nested deeper than {MAX_DEPTH} are not read",
                    portcullis_model::quote(&name)
                );
            }
        }
    }
    let before = out.len();
    out.extend(
        poms.iter()
            .filter_map(|pom| pom_artifact(pom, label, inner)),
    );
    if out.len() == before {
        out.extend(manifest_artifact(manifest_text.as_deref(), label, inner));
    }
    // Nothing names this archive, and it holds no archive that could be
    // what it ships: it cannot be matched, and the analysis says so.
    if out.len() == before && nested.is_empty() {
        let why = if poms.is_empty() {
            "no pom.properties, no Implementation-/Specification-Title and -Version in MANIFEST.MF, no version in its file name"
        } else {
            "a pom.properties with invalid ones, none in MANIFEST.MF or its file name"
        };
        out.push(Artifact {
            group: None,
            name: String::new(),
            version: String::new(),
            proof: ArtifactProof::FileName,
            inner: inner.map(str::to_owned),
            unidentified: Some(why.to_owned()),
        });
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
        .filter(|artifact| artifact.unidentified.is_none())
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
        let artifacts = summary(file.bytes).map_err(ParseError::json)?;
        let unread = artifacts
            .iter()
            .filter_map(|artifact| {
                let why = artifact.unidentified.as_deref()?;
                Some(match &artifact.inner {
                    Some(inner) => format!(
                        "`{}` inside it names no Maven coordinates ({why}): it could not be matched",
                        portcullis_model::quote(inner)
                    ),
                    None => format!(
                        "the archive names no Maven coordinates ({why}): it could not be matched"
                    ),
                })
            })
            .collect();
        Ok(Found {
            packages: packages(file, &artifacts),
            unread,
            ..Found::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A jar (zip) of `entries` written with the zip crate.
    fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write as _;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_nothing_identifies_is_said_not_dropped() {
        let plain = jar(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n"),
            ("app/Main.class", b"\xca\xfe\xba\xbe"),
        ]);
        let mut found = Vec::new();
        scan(&plain, "srv/app.jar", None, 0, &mut found).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .unidentified
            .as_deref()
            .unwrap()
            .contains("no pom.properties"));
        // Its file name alone identifies it.
        let mut found = Vec::new();
        scan(&plain, "srv/app-1.2.3.jar", None, 0, &mut found).unwrap();
        assert_eq!(
            (found[0].name.as_str(), found[0].version.as_str()),
            ("app", "1.2.3")
        );
        assert!(found[0].unidentified.is_none());
        // Nested: the fat jar's own classes are the application; the library
        // inside it that nothing names is said, by its path inside.
        let fat = jar(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n"),
            ("BOOT-INF/lib/mystery.jar", &plain),
            ("BOOT-INF/lib/snakeyaml-1.33.jar", &plain),
        ]);
        let mut found = Vec::new();
        scan(&fat, "srv/app.jar", None, 0, &mut found).unwrap();
        let unidentified: Vec<_> = found
            .iter()
            .filter(|a| a.unidentified.is_some())
            .map(|a| a.inner.as_deref().unwrap())
            .collect();
        assert_eq!(unidentified, ["BOOT-INF/lib/mystery.jar"]);
        assert!(found
            .iter()
            .any(|a| a.name == "snakeyaml" && a.version == "1.33"));
    }

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

    #[test]
    fn osgi_bundle_headers_are_not_taken_for_maven_coordinates() {
        // Debian 12's ivy 2.5.0 jar: its manifest says Bundle-Version 2.4.0
        // and has no Implementation-*; the file name is right.
        let bytes = crate::testutil::testdata("ivy-2.5.0-MANIFEST.MF");
        let artifact =
            manifest_artifact(Some(&bytes), "usr/share/java/ivy-2.5.0.jar", None).unwrap();
        assert_eq!(
            (artifact.name.as_str(), artifact.version.as_str()),
            ("ivy", "2.5.0")
        );
        assert_eq!(artifact.proof, ArtifactProof::FileName);
        let implementation = b"Manifest-Version: 1.0\r\nImplementation-Title: commons-text\r\nImplementation-Version: 1.9\r\n";
        let artifact = manifest_artifact(Some(implementation), "lib/x.jar", None).unwrap();
        assert_eq!(
            (artifact.name.as_str(), artifact.version.as_str()),
            ("commons-text", "1.9")
        );
        // A title with spaces is a product name, not an artifact id.
        let product =
            b"Implementation-Title: Apache Commons Text\r\nImplementation-Version: 1.9\r\n";
        let artifact = manifest_artifact(Some(product), "lib/commons-text-1.9.jar", None).unwrap();
        assert_eq!(artifact.proof, ArtifactProof::FileName);
    }

    #[test]
    fn pom_properties_that_are_not_coordinates_are_refused() {
        let good = b"groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n";
        assert!(pom_artifact(good, "a.jar", None).is_some());
        for bad in [
            &b"groupId=org.yaml\nartifactId=snake yaml\nversion=1.33\n"[..],
            b"groupId=org#yaml\nartifactId=snakeyaml\nversion=1.33\n",
            b"groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33 final\n",
        ] {
            assert!(pom_artifact(bad, "a.jar", None).is_none());
        }
    }
}
