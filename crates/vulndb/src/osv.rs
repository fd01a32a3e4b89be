//! OSV records, read into private raw structs and converted once into typed
//! advisories: ranges as typed events, withdrawn records marked, severities kept.
//!
//! Schema: <https://ossf.github.io/osv-schema/> (1.7).

use serde::{Deserialize, Serialize};

/// One OSV range event. `None` fields never appear: each event has one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The first affected version, inclusive (`"0"` means every version).
    Introduced(String),
    /// The first fixed version, exclusive.
    Fixed(String),
    /// The last affected version, inclusive.
    LastAffected(String),
    /// An upper limit on the range, exclusive (for git ranges mostly).
    Limit(String),
}

/// The ordering a range's versions follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeKind {
    Ecosystem,
    Semver,
    Git,
}

/// An OSV range: its kind and its events in the record's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub kind: RangeKind,
    pub events: Vec<Event>,
}

/// One package of a Go advisory's `ecosystem_specific.imports`: the import
/// path whose code is vulnerable, the symbols in it that are (none: the whole
/// package), and the targets it is limited to (none: every target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoImport {
    pub path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goos: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goarch: Vec<String>,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Affected {
    pub ecosystem: String,
    pub name: String,
    pub ranges: Vec<Range>,
    pub versions: Vec<String>,
    /// A vendor severity from `ecosystem_specific` or `database_specific` (`HIGH`, `Important`…).
    pub severity: Option<String>,
    /// Go records: the vulnerable packages and symbols (`None` when the record names none).
    pub imports: Option<Vec<GoImport>>,
}

/// A CVSS vector or other scored severity from `severity[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    pub kind: String,
    pub score: String,
}

/// A parsed advisory.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Advisory {
    pub id: String,
    pub modified: String,
    pub published: Option<String>,
    pub withdrawn: Option<String>,
    pub summary: Option<String>,
    /// `aliases`: other ids of this same vulnerability.
    pub aliases: Vec<String>,
    /// `upstream`: the ids this record derives from (a DSA's CVEs).
    pub upstream: Vec<String>,
    /// `related`: ids of related but distinct vulnerabilities.
    pub related: Vec<String>,
    pub severity: Vec<Severity>,
    /// A record-level vendor severity (`database_specific.severity`).
    pub database_severity: Option<String>,
    pub affected: Vec<Affected>,
}

#[derive(Deserialize)]
struct RawRecord {
    id: String,
    modified: String,
    published: Option<String>,
    withdrawn: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    affected: Vec<RawAffected>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Vec<RawRange>,
    #[serde(default)]
    versions: Vec<String>,
    ecosystem_specific: Option<serde_json::Value>,
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: RangeKind,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Why a record was skipped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RecordError {
    #[error("it is not valid OSV JSON")]
    Json(#[from] serde_json::Error),
    #[error("a range event has {0} keys; OSV allows exactly one")]
    EventShape(usize),
    #[error("a range event has the unknown key `{0}`")]
    EventKey(String),
}

/// `ecosystem_specific.imports`, when present and well-formed; a malformed
/// list counts as absent, which keeps every finding of the record affected.
fn go_imports(value: Option<&serde_json::Value>) -> Option<Vec<GoImport>> {
    let imports = value?.get("imports")?;
    serde_json::from_value::<Vec<GoImport>>(imports.clone())
        .ok()
        .filter(|imports| !imports.is_empty())
}

fn vendor_severity(value: Option<&serde_json::Value>) -> Option<String> {
    value?
        .get("severity")?
        .as_str()
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

fn event(raw: &serde_json::Map<String, serde_json::Value>) -> Result<Event, RecordError> {
    let mut entries = raw.iter();
    let (Some((key, value)), None) = (entries.next(), entries.next()) else {
        return Err(RecordError::EventShape(raw.len()));
    };
    let text = match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match key.as_str() {
        "introduced" => Ok(Event::Introduced(text)),
        "fixed" => Ok(Event::Fixed(text)),
        "last_affected" => Ok(Event::LastAffected(text)),
        "limit" => Ok(Event::Limit(text)),
        other => Err(RecordError::EventKey(other.to_owned())),
    }
}

impl Advisory {
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Advisory, RecordError> {
        let raw: RawRecord = serde_json::from_slice(bytes)?;
        let clean = |mut ids: Vec<String>| {
            ids.retain(|alias| alias != &raw.id);
            ids.sort();
            ids.dedup();
            ids
        };
        let aliases = clean(raw.aliases);
        let upstream = clean(raw.upstream);
        let related = clean(raw.related);
        let mut affected = Vec::with_capacity(raw.affected.len());
        for entry in raw.affected {
            // An entry with neither a package nor ranges names nothing to match.
            let Some(package) = entry.package else {
                continue;
            };
            let mut ranges = Vec::with_capacity(entry.ranges.len());
            for range in entry.ranges {
                let events = range.events.iter().map(event).collect::<Result<_, _>>()?;
                ranges.push(Range {
                    kind: range.kind,
                    events,
                });
            }
            affected.push(Affected {
                ecosystem: package.ecosystem,
                name: package.name,
                ranges,
                versions: entry.versions,
                severity: vendor_severity(entry.ecosystem_specific.as_ref())
                    .or_else(|| vendor_severity(entry.database_specific.as_ref())),
                imports: go_imports(entry.ecosystem_specific.as_ref()),
            });
        }
        Ok(Advisory {
            id: raw.id,
            modified: raw.modified,
            published: raw.published,
            withdrawn: raw.withdrawn,
            summary: raw.summary,
            aliases,
            upstream,
            related,
            severity: raw
                .severity
                .into_iter()
                .map(|s| Severity {
                    kind: s.kind,
                    score: s.score,
                })
                .collect(),
            database_severity: vendor_severity(raw.database_specific.as_ref()),
            affected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: shared/vulndb/osv/npm/all.zip, x_NSWG-ECO-323 (trimmed).
    const NPM_RECORD: &str = r#"{"schema_version": "1.6.0", "id": "x_NSWG-ECO-323", "modified": "2017-04-11T00:00:00Z", "published": "2017-04-11T00:00:00Z", "aliases": [], "summary": "Insufficient Error Handling", "affected": [{"package": {"ecosystem": "npm", "name": "http-proxy", "purl": "pkg:npm/http-proxy"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "0.6.6"}]}], "database_specific": {"vulnerable_versions": "<=0.6.6", "patched_versions": ">=0.7.0"}}], "severity": [{"type": "CVSS_V3", "score": "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}"#;

    #[test]
    fn record_becomes_typed_ranges() {
        let advisory = Advisory::from_json(NPM_RECORD.as_bytes()).unwrap();
        assert_eq!(advisory.id, "x_NSWG-ECO-323");
        let affected = &advisory.affected[0];
        assert_eq!(
            (affected.ecosystem.as_str(), affected.name.as_str()),
            ("npm", "http-proxy")
        );
        assert_eq!(
            affected.ranges[0].events,
            vec![
                Event::Introduced("0".into()),
                Event::LastAffected("0.6.6".into())
            ]
        );
        assert_eq!(advisory.severity[0].kind, "CVSS_V3");
    }

    #[test]
    fn event_with_two_keys_is_refused() {
        let bad = NPM_RECORD.replace(
            r#"{"introduced": "0"}"#,
            r#"{"introduced": "0", "fixed": "1"}"#,
        );
        assert!(matches!(
            Advisory::from_json(bad.as_bytes()),
            Err(RecordError::EventShape(2))
        ));
        assert!(Advisory::from_json(b"{not json").is_err());
    }
}
