//! The JSON report, `schemaVersion: 1`, documented in `docs/report-schema.md`.
//! Its types are its own, built from the engine's; the engine's types are
//! never bent to fit it.

use serde::Serialize;

use super::entries::Counts;
use crate::catalog::Package;
use crate::scan::{Report, TargetSummary};

const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool,
    target: Target<'a>,
    db: Db<'a>,
    packages: Vec<JsonPackage<'a>>,
    findings: Vec<JsonFinding<'a>>,
    checks: Vec<JsonCheck<'a>>,
    diagnostics: Vec<Diagnostic<'a>>,
    policies: Vec<Policy<'a>>,
    verdict: &'static str,
    summary: Counts,
}

/// Open findings per severity, and how many were suppressed.
fn summary(report: &Report) -> Counts {
    let mut counts = Counts::default();
    for (index, score) in report.scores.iter().enumerate() {
        let suppressed = report.suppressed.get(index).is_some_and(Option::is_some);
        counts.add(score.severity, suppressed);
    }
    counts
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Target<'a> {
    kind: &'static str,
    reference: &'a str,
    digest: Option<String>,
    platform: Option<String>,
    os: Option<Os<'a>>,
    user: Option<&'a str>,
    exposed_ports: &'a [String],
    layers: Vec<Layer<'a>>,
    partial: bool,
}

#[derive(Serialize)]
struct Os<'a> {
    id: &'a str,
    version: Option<&'a str>,
    ecosystem: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Layer<'a> {
    index: usize,
    diff_id: String,
    created_by: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Db<'a> {
    digest: &'a str,
    built: &'a str,
    warning: Option<&'a str>,
    sources: Vec<DbSource<'a>>,
}

#[derive(Serialize)]
struct DbSource<'a> {
    name: &'a str,
    url: &'a str,
    digest: &'a str,
    records: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonPackage<'a> {
    name: &'a str,
    version: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    ecosystem: Option<String>,
    purl: String,
    evidence: &'static str,
    dev: bool,
    source: Option<Source<'a>>,
    licenses: &'a [String],
    locations: Vec<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    path: &'a str,
    layer: Option<String>,
    proof: &'static str,
}

#[derive(Serialize)]
struct PackageRef<'a> {
    name: &'a str,
    version: &'a str,
    ecosystem: Option<String>,
    purl: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    id: &'a str,
    aliases: &'a [String],
    related: &'a [String],
    summary: Option<&'a str>,
    package: PackageRef<'a>,
    severity: &'static str,
    severity_source: &'static str,
    cvss: Vec<Cvss<'a>>,
    fixed_versions: &'a [String],
    kev: Option<Kev<'a>>,
    epss: Option<Epss<'a>>,
    risk_score: u8,
    introduced_by: IntroducedBy<'a>,
    explanation: Explanation<'a>,
    /// New against the baseline (true without one).
    new: bool,
    suppressed: Option<Suppressed<'a>>,
}

/// A hygiene or secret check that fired.
#[derive(Serialize)]
struct JsonCheck<'a> {
    id: &'static str,
    kind: &'static str,
    severity: &'static str,
    title: &'static str,
    reference: Option<&'static str>,
    path: Option<&'a str>,
    layer: Option<String>,
    line: Option<u32>,
    message: &'a str,
    excerpt: Option<&'a str>,
    fix: &'static str,
    suppressed: Option<Suppressed<'a>>,
}

#[derive(Serialize)]
struct Suppressed<'a> {
    kind: &'static str,
    reason: &'a str,
    owner: Option<&'a str>,
    expires: Option<&'a str>,
    source: &'a str,
}

#[derive(Serialize)]
struct Cvss<'a> {
    version: &'static str,
    vector: &'a str,
    score: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kev<'a> {
    cve: &'a str,
    date_added: &'a str,
    ransomware: Option<&'a str>,
}

#[derive(Serialize)]
struct Epss<'a> {
    cve: &'a str,
    score: f64,
    percentile: f64,
}

#[derive(Serialize)]
struct IntroducedBy<'a> {
    layer: Option<String>,
    instruction: Option<&'a str>,
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct Explanation<'a> {
    advisory: &'a str,
    ecosystem: &'a str,
    package: &'a str,
    version: &'a str,
    range: &'a str,
    comparator: &'static str,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    path: &'a str,
    layer: Option<String>,
    message: &'a str,
}

#[derive(Serialize)]
struct Policy<'a> {
    module: &'a str,
    decision: &'static str,
    violations: Vec<Violation<'a>>,
}

#[derive(Serialize)]
struct Violation<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    findings: &'a [String],
}

fn suppressed(s: &crate::suppress::Suppression) -> Suppressed<'_> {
    Suppressed {
        kind: s.kind,
        reason: &s.reason,
        owner: s.owner.as_deref(),
        expires: s.expires.as_deref(),
        source: &s.source,
    }
}

fn layer_of(target: &TargetSummary, layer: Option<usize>) -> Option<String> {
    layer
        .and_then(|index| target.layers.get(index))
        .map(ToString::to_string)
}

fn package_ref(package: Option<&Package>) -> PackageRef<'_> {
    match package {
        Some(package) => PackageRef {
            name: &package.name,
            version: &package.version,
            ecosystem: package.ecosystem.as_ref().map(ToString::to_string),
            purl: package.purl.to_string(),
        },
        None => PackageRef {
            name: "",
            version: "",
            ecosystem: None,
            purl: String::new(),
        },
    }
}

pub(super) fn document(report: &Report) -> JsonReport<'_> {
    let target = &report.scan.target;
    let inventory = &report.scan.inventory;
    let packages = &inventory.packages;
    JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        target: Target {
            kind: target.kind.name(),
            reference: &target.reference,
            digest: target.manifest_digest.as_ref().map(ToString::to_string),
            platform: target.platform.as_ref().map(ToString::to_string),
            os: inventory.os.as_ref().map(|os| Os {
                id: &os.id,
                version: os.version.as_deref(),
                ecosystem: os.ecosystem.to_string(),
            }),
            user: target.user.as_deref(),
            exposed_ports: &target.exposed_ports,
            layers: target
                .layers
                .iter()
                .enumerate()
                .map(|(index, diff_id)| Layer {
                    index,
                    diff_id: diff_id.to_string(),
                    created_by: target.layer_commands.get(index).and_then(Option::as_deref),
                })
                .collect(),
            partial: inventory.partial() || !report.unmatchable.is_empty(),
        },
        db: Db {
            digest: &report.db.digest,
            built: &report.db.built_at,
            warning: report.db.age_warning.as_deref(),
            sources: report
                .db
                .sources
                .iter()
                .map(|s| DbSource {
                    name: &s.name,
                    url: &s.url,
                    digest: &s.digest,
                    records: s.records,
                })
                .collect(),
        },
        packages: packages
            .iter()
            .map(|p| JsonPackage {
                name: &p.name,
                version: &p.version,
                kind: p.kind.name(),
                ecosystem: p.ecosystem.as_ref().map(ToString::to_string),
                purl: p.purl.to_string(),
                evidence: p.evidence().name(),
                dev: p.dev,
                source: p.source.as_ref().map(|s| Source {
                    name: &s.name,
                    version: &s.version,
                }),
                licenses: &p.licenses,
                locations: p
                    .locations
                    .iter()
                    .map(|l| JsonLocation {
                        path: &l.path,
                        layer: layer_of(target, l.layer),
                        proof: l.proof.name(),
                    })
                    .collect(),
            })
            .collect(),
        findings: report
            .findings
            .iter()
            .zip(&report.scores)
            .enumerate()
            .map(|(index, (finding, score))| {
                let package = packages.get(finding.package);
                let location = package.and_then(|p| p.locations.first());
                let layer = location.and_then(|l| l.layer);
                JsonFinding {
                    id: &finding.id,
                    aliases: &finding.aliases,
                    related: &finding.related,
                    summary: finding.advisories.iter().find_map(|a| a.summary.as_deref()),
                    package: package_ref(package),
                    severity: score.severity.name(),
                    severity_source: score.severity_source.name(),
                    cvss: score
                        .cvss
                        .iter()
                        .map(|c| Cvss {
                            version: c.version,
                            vector: &c.vector,
                            score: c.score,
                        })
                        .collect(),
                    fixed_versions: &finding.fixed_versions,
                    kev: score.kev.as_ref().map(|k| Kev {
                        cve: &k.cve,
                        date_added: &k.date_added,
                        ransomware: k.ransomware.as_deref(),
                    }),
                    epss: score.epss.as_ref().map(|(cve, e)| Epss {
                        cve,
                        score: e.score,
                        percentile: e.percentile,
                    }),
                    risk_score: score.risk,
                    introduced_by: IntroducedBy {
                        layer: layer_of(target, layer),
                        instruction: layer
                            .and_then(|index| target.layer_commands.get(index))
                            .and_then(Option::as_deref),
                        path: location.map(|l| l.path.as_str()),
                    },
                    explanation: Explanation {
                        advisory: &finding.explanation.advisory,
                        ecosystem: &finding.explanation.ecosystem,
                        package: &finding.explanation.package,
                        version: &finding.explanation.version,
                        range: &finding.explanation.range,
                        comparator: finding.explanation.comparator,
                    },
                    new: report.new.get(index).copied().unwrap_or(true),
                    suppressed: report
                        .suppressed
                        .get(index)
                        .and_then(Option::as_ref)
                        .map(suppressed),
                }
            })
            .collect(),
        checks: report
            .scan
            .checks
            .iter()
            .enumerate()
            .map(|(index, c)| JsonCheck {
                id: c.rule.id,
                kind: c.rule.kind.name(),
                severity: c.rule.severity.name(),
                title: c.rule.title,
                reference: c.rule.reference,
                path: c.path.as_deref(),
                layer: layer_of(target, c.layer),
                line: c.line,
                message: &c.message,
                excerpt: c.excerpt.as_deref(),
                fix: c.rule.fix,
                suppressed: report
                    .checks_suppressed
                    .get(index)
                    .and_then(Option::as_ref)
                    .map(suppressed),
            })
            .collect(),
        diagnostics: inventory
            .diagnostics
            .iter()
            .map(|d| Diagnostic {
                path: &d.path,
                layer: layer_of(target, d.layer),
                message: &d.message,
            })
            .collect(),
        policies: report
            .decisions
            .iter()
            .map(|d| Policy {
                module: &d.module,
                decision: d.verdict.name(),
                violations: d
                    .violations
                    .iter()
                    .map(|v| Violation {
                        rule: &v.rule,
                        severity: &v.severity,
                        message: &v.message,
                        findings: &v.findings,
                    })
                    .collect(),
            })
            .collect(),
        verdict: report.verdict.name(),
        summary: summary(report),
    }
}
