//! CVE records in the CVE Program's JSON 5.x format (`dataType: CVE_RECORD`),
//! as CVEProject/cvelistV5 and CISA's Vulnrichment publish them. Kept per CVE:
//! the record's state, the CNA's CVSS vectors, the CISA ADP container's CVSS
//! vectors and its SSVC decision points; nothing else.
//!
//! Spec: <https://github.com/CVEProject/cve-schema> (CVE_Record_Format 5.1).

use serde::{Deserialize, Serialize};

use super::osv::Severity;

/// What the DB keeps of one CVE record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CveRecord {
    pub cve: String,
    /// `REJECTED` records are withdrawn: their metrics are not used.
    pub rejected: bool,
    /// The CNA's CVSS vectors, as OSV `severity[]` entries (`CVSS_V3`…).
    pub cna: Vec<Severity>,
    /// The CISA ADP container's CVSS vectors.
    pub adp: Vec<Severity>,
    pub ssvc: Ssvc,
}

/// CISA's SSVC decision points for a CVE (each `None` when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ssvc {
    /// `none`, `poc` or `active`.
    pub exploitation: Option<String>,
    /// `yes` or `no`.
    pub automatable: Option<String>,
    /// `partial` or `total`.
    pub technical_impact: Option<String>,
}

impl Ssvc {
    /// Whether CISA says the CVE is exploited in the wild.
    pub fn actively_exploited(&self) -> bool {
        self.exploitation.as_deref() == Some("active")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRecord {
    data_type: String,
    cve_metadata: RawMetadata,
    containers: RawContainers,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetadata {
    cve_id: String,
    state: String,
}

#[derive(Deserialize)]
struct RawContainers {
    cna: Option<RawContainer>,
    #[serde(default)]
    adp: Vec<RawContainer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawContainer {
    provider_metadata: Option<RawProvider>,
    #[serde(default)]
    metrics: Vec<RawMetric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProvider {
    short_name: Option<String>,
}

#[derive(Deserialize)]
struct RawMetric {
    #[serde(rename = "cvssV4_0")]
    v4_0: Option<RawCvss>,
    #[serde(rename = "cvssV3_1")]
    v3_1: Option<RawCvss>,
    #[serde(rename = "cvssV3_0")]
    v3_0: Option<RawCvss>,
    #[serde(rename = "cvssV2_0")]
    v2_0: Option<RawCvss>,
    other: Option<RawOther>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvss {
    vector_string: String,
}

#[derive(Deserialize)]
struct RawOther {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    content: serde_json::Value,
}

/// Whether `json` looks like a CVE record (for telling a CVE zip from an OSV one).
pub(crate) fn is_cve_record(json: &[u8]) -> bool {
    let head = json.get(..json.len().min(4096)).unwrap_or_default();
    String::from_utf8_lossy(head).contains("\"CVE_RECORD\"")
}

fn vectors(metrics: &[RawMetric]) -> Vec<Severity> {
    let mut out = Vec::new();
    for metric in metrics {
        for (kind, cvss) in [
            ("CVSS_V4", &metric.v4_0),
            ("CVSS_V3", &metric.v3_1),
            ("CVSS_V3", &metric.v3_0),
            ("CVSS_V2", &metric.v2_0),
        ] {
            if let Some(cvss) = cvss {
                out.push(Severity {
                    kind: kind.to_owned(),
                    score: cvss.vector_string.trim().to_owned(),
                });
            }
        }
    }
    out
}

fn ssvc(metrics: &[RawMetric]) -> Ssvc {
    let mut out = Ssvc::default();
    for other in metrics.iter().filter_map(|m| m.other.as_ref()) {
        if other.kind != "ssvc" {
            continue;
        }
        let options = other.content["options"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for option in options {
            let Some(map) = option.as_object() else {
                continue;
            };
            for (key, value) in map {
                let value = value.as_str().map(str::to_ascii_lowercase);
                match key.as_str() {
                    "Exploitation" => out.exploitation = value,
                    "Automatable" => out.automatable = value,
                    "Technical Impact" => out.technical_impact = value,
                    _ => {}
                }
            }
        }
    }
    out
}

impl CveRecord {
    /// Parses one CVE JSON 5.x record.
    pub(crate) fn from_json(json: &[u8]) -> Result<CveRecord, serde_json::Error> {
        let raw: RawRecord = serde_json::from_slice(json)?;
        if raw.data_type != "CVE_RECORD" || !raw.cve_metadata.cve_id.starts_with("CVE-") {
            return Err(serde::de::Error::custom("it is not a CVE record"));
        }
        let mut adp = Vec::new();
        let mut decision = Ssvc::default();
        for container in raw.containers.adp.iter().filter(|adp| {
            adp.provider_metadata
                .as_ref()
                .and_then(|p| p.short_name.as_deref())
                == Some("CISA-ADP")
        }) {
            adp.extend(vectors(&container.metrics));
            let found = ssvc(&container.metrics);
            decision = Ssvc {
                exploitation: decision.exploitation.or(found.exploitation),
                automatable: decision.automatable.or(found.automatable),
                technical_impact: decision.technical_impact.or(found.technical_impact),
            };
        }
        let cna = raw
            .containers
            .cna
            .as_ref()
            .map(|c| vectors(&c.metrics))
            .unwrap_or_default();
        Ok(CveRecord {
            rejected: raw.cve_metadata.state == "REJECTED",
            cve: raw.cve_metadata.cve_id,
            cna,
            adp,
            ssvc: decision,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real record (CISA Vulnrichment, CC0), kept for the quick start.
    const URLLIB3: &[u8] = include_bytes!("../../../demo/cve-sample/CVE-2023-45803.json");

    #[test]
    fn a_real_record_gives_the_cna_vector_and_the_adp_decision() {
        assert!(is_cve_record(URLLIB3));
        let record = CveRecord::from_json(URLLIB3).unwrap();
        assert_eq!(record.cve, "CVE-2023-45803");
        assert!(!record.rejected);
        let cna: Vec<(&str, &str)> = record
            .cna
            .iter()
            .map(|s| (s.kind.as_str(), s.score.as_str()))
            .collect();
        assert_eq!(
            cna,
            [("CVSS_V3", "CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N")]
        );
        assert!(record.adp.is_empty());
        assert_eq!(
            record.ssvc,
            Ssvc {
                exploitation: Some("none".to_owned()),
                automatable: Some("no".to_owned()),
                technical_impact: Some("partial".to_owned()),
            }
        );
        assert!(!record.ssvc.actively_exploited());
    }

    #[test]
    fn rejected_records_and_other_json_are_told_apart() {
        // The shape of CVE-2024-26609 in Vulnrichment: rejected, no metrics.
        let rejected = br#"{"dataType":"CVE_RECORD","dataVersion":"5.0",
            "cveMetadata":{"cveId":"CVE-2024-26609","state":"REJECTED"},
            "containers":{"cna":{"rejectedReasons":[{"lang":"en","value":"rejected"}]}}}"#;
        let record = CveRecord::from_json(rejected).unwrap();
        assert!(record.rejected && record.cna.is_empty());
        // OSV records and other JSON are not CVE records.
        let osv = br#"{"id":"CVE-2024-1","modified":"2024-01-01T00:00:00Z"}"#;
        assert!(!is_cve_record(osv));
        assert!(CveRecord::from_json(osv).is_err());
        let foreign = br#"{"dataType":"CVE_RECORD","cveMetadata":{"cveId":"GHSA-x","state":"PUBLISHED"},"containers":{}}"#;
        assert!(CveRecord::from_json(foreign).is_err());
    }

    #[test]
    fn adp_vectors_and_active_exploitation_come_only_from_cisa() {
        let json = br#"{"dataType":"CVE_RECORD","cveMetadata":{"cveId":"CVE-2023-44487","state":"PUBLISHED"},
            "containers":{"cna":{"metrics":[]},"adp":[
              {"providerMetadata":{"shortName":"CVE"},"metrics":[{"cvssV3_1":{"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}]},
              {"providerMetadata":{"shortName":"CISA-ADP"},"metrics":[
                {"cvssV3_1":{"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}},
                {"other":{"type":"ssvc","content":{"options":[{"Exploitation":"Active"},{"Automatable":"Yes"},{"Technical Impact":"partial"}]}}}]}]}}"#;
        let record = CveRecord::from_json(json).unwrap();
        assert_eq!(record.adp.len(), 1);
        assert_eq!(
            record.adp[0].score,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
        );
        assert!(record.ssvc.actively_exploited());
        assert_eq!(record.ssvc.automatable.as_deref(), Some("yes"));
    }
}
