//! CycloneDX 1.6 with vulnerabilities (VEX): the plain SBOM plus one
//! `vulnerabilities[]` entry per finding, each rated, with the fix as the
//! recommendation, `affects` pointing at the package's `bom-ref`, and an
//! `analysis` for suppressed findings (a VEX `not_affected` statement, or an
//! accepted risk from the ignore file).

use serde::Serialize;

use super::cyclonedx::{self, Bom};
use super::entries;
use portcullis_assess::suppress::SuppressionKind;
use portcullis_model::Severity;
use portcullis_scan::Report;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: String,
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<Rating>,
    description: String,
    recommendation: String,
    affects: Vec<Affect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analysis: Option<Analysis>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    source: Source,
}

#[derive(Serialize)]
struct Rating {
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
}

#[derive(Serialize)]
struct Affect {
    #[serde(rename = "ref")]
    target: String,
    versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
struct AffectedVersion {
    version: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    detail: String,
}

fn method(version: &str) -> Option<&'static str> {
    match version {
        "2.0" => Some("CVSSv2"),
        "3.0" => Some("CVSSv3"),
        "3.1" => Some("CVSSv31"),
        "4.0" => Some("CVSSv4"),
        _ => None,
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Unknown => "unknown",
        other => other.name(),
    }
}

fn osv(id: &str) -> Source {
    Source {
        name: "OSV",
        url: format!("https://osv.dev/vulnerability/{id}"),
    }
}

/// The SBOM of `report`'s target with its findings as VEX.
pub(super) fn document(report: &Report) -> Bom {
    let mut bom = cyclonedx::document(&report.target, &report.inventory);
    let packages = report.inventory.packages();
    let refs = cyclonedx::package_refs(packages);
    let entries = entries::entries(report);
    // Entries lost their finding index; packages are found again by purl and version.
    for (number, entry) in entries.iter().enumerate() {
        let Some(package) = &entry.package else {
            continue;
        };
        let target = packages
            .iter()
            .zip(&refs)
            .find(|(p, _)| p.purl.to_string() == package.purl)
            .map_or_else(|| package.purl.clone(), |(_, r)| r.clone());
        let mut ratings: Vec<Rating> = entry
            .cvss
            .iter()
            .map(|c| Rating {
                score: Some(c.score),
                severity: severity_name(Severity::from_score(c.score)),
                method: method(c.version),
                vector: Some(c.vector.clone()),
            })
            .collect();
        if ratings.is_empty() {
            ratings.push(Rating {
                score: None,
                severity: severity_name(entry.severity),
                method: None,
                vector: None,
            });
        }
        bom.vulnerabilities.push(Vulnerability {
            bom_ref: format!("vuln-{}-{number}", entry.rule_id),
            id: entry.rule_id.to_owned(),
            source: osv(entry.rule_id),
            references: entry
                .aliases
                .iter()
                .map(|alias| Reference {
                    id: alias.to_string(),
                    source: osv(alias.as_str()),
                })
                .collect(),
            ratings,
            description: entry.title.clone(),
            recommendation: format!("{}.", entry.fix),
            affects: vec![Affect {
                target,
                versions: vec![AffectedVersion {
                    version: package.version.to_owned(),
                    status: "affected",
                }],
            }],
            analysis: match (entry.suppressed, entry.code) {
                (None, Some(code)) if entry.code_not_present() => Some(Analysis {
                    state: "not_affected",
                    justification: Some("code_not_present"),
                    response: Vec::new(),
                    detail: format!(
                        "{}; looked for: {}",
                        code.reason,
                        code.looked_for.join(", ")
                    ),
                }),
                (suppressed, _) => suppressed.map(|s| match s.kind {
                    SuppressionKind::Vex => Analysis {
                        state: "not_affected",
                        justification: None,
                        response: Vec::new(),
                        detail: format!("{} ({})", s.reason, s.source),
                    },
                    SuppressionKind::Ignore => Analysis {
                        state: "in_triage",
                        justification: None,
                        response: vec!["will_not_fix"],
                        detail: format!("accepted: {} ({})", s.reason, s.source),
                    },
                }),
            },
        });
    }
    bom
}
