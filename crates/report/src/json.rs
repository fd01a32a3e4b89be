//! The JSON report, `schemaVersion: 1`, documented in `docs/report-schema.md`.
//! Its types are its own, built from the engine's; the engine's types are
//! never bent to fit it.

use serde::Serialize;

use super::entries::Counts;
use portcullis_assess::go_symbols::CodeDetermination;
use portcullis_assess::suppress::Suppression;
use portcullis_assess::{AssessedCheck, AssessedFinding};
use portcullis_catalog::Package;
use portcullis_model::{VulnId, TOOL_NAME, TOOL_VERSION};
use portcullis_scan::Report;
use portcullis_source::TargetSummary;

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
    diagnostics: Vec<Diagnostic>,
    policies: Vec<Policy<'a>>,
    /// The sandbox limits the policies ran under.
    policy_limits: PolicyLimits,
    verdict: &'static str,
    summary: Counts,
    /// The base image (`--base`); absent when the scan was not told one.
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<super::json_base::JsonBase<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PolicyLimits {
    fuel: u64,
    timeout_seconds: u64,
    memory_bytes: usize,
    stack_bytes: usize,
    output_bytes: usize,
}

/// Open findings per severity, and how many were suppressed.
fn summary(report: &Report) -> Counts {
    let mut counts = Counts::default();
    for assessed in &report.findings {
        counts.add(
            assessed.score.severity,
            assessed.is_suppressed(),
            !assessed.is_suppressed() && assessed.code_not_present(),
        );
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
    aliases: &'a [VulnId],
    related: &'a [VulnId],
    summary: Option<&'a str>,
    package: PackageRef<'a>,
    severity: &'static str,
    severity_source: &'static str,
    /// The CVSS vector the finding is rated by.
    severity_vector: Option<&'a str>,
    cvss: Vec<Cvss<'a>>,
    fixed_versions: &'a [String],
    /// The nearest fixed version above the installed one.
    fixed_version: Option<&'a str>,
    kev: Option<Kev<'a>>,
    /// KEV lists it or CISA's SSVC says `Exploitation: active`.
    known_exploited: bool,
    ssvc: Option<SsvcDecision<'a>>,
    epss: Option<Epss<'a>>,
    risk_score: u8,
    risk_terms: RiskTerms,
    introduced_by: IntroducedBy<'a>,
    explanation: Explanation<'a>,
    /// New against the baseline (true without one).
    new: bool,
    suppressed: Option<Suppressed<'a>>,
    /// Go: whether the vulnerable code is linked into the binary.
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerable_code: Option<&'a CodeDetermination>,
    /// `base` or `own`, when the scan knows the base image.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
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
    /// `osv`, `cve-cna` or `cisa-adp`.
    source: &'static str,
}

/// CISA's SSVC decision points for one of the finding's CVEs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SsvcDecision<'a> {
    cve: &'a str,
    exploitation: Option<&'a str>,
    automatable: Option<&'a str>,
    technical_impact: Option<&'a str>,
}

/// The terms of the risk score (the README's formula).
#[derive(Serialize)]
struct RiskTerms {
    base: f64,
    exploit: f64,
    fix: f64,
    exposure: f64,
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
struct Diagnostic {
    path: String,
    layer: Option<String>,
    message: String,
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

fn suppressed(s: &Suppression) -> Suppressed<'_> {
    Suppressed {
        kind: s.kind.name(),
        reason: &s.reason,
        owner: s.owner.as_deref(),
        expires: s.expires.as_deref(),
        source: &s.source,
    }
}

fn layer_of(target: &TargetSummary, layer: Option<usize>) -> Option<String> {
    target.layer_digest(layer).map(ToString::to_string)
}

fn package_ref(package: &Package) -> PackageRef<'_> {
    PackageRef {
        name: &package.name,
        version: &package.version,
        ecosystem: package.ecosystem.as_ref().map(ToString::to_string),
        purl: package.purl.to_string(),
    }
}

pub(super) fn document(report: &Report) -> JsonReport<'_> {
    JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        target: target(report),
        db: db(report),
        packages: report
            .inventory
            .packages()
            .iter()
            .map(|p| json_package(&report.target, p))
            .collect(),
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        checks: report
            .checks
            .iter()
            .map(|c| check(&report.target, c))
            .collect(),
        diagnostics: report
            .diagnostics()
            .into_iter()
            .map(|d| Diagnostic {
                layer: layer_of(&report.target, d.layer),
                path: d.path,
                message: d.message,
            })
            .collect(),
        policies: report.decisions.iter().map(policy).collect(),
        policy_limits: PolicyLimits {
            fuel: report.policy_limits.fuel,
            timeout_seconds: report.policy_limits.deadline.as_secs(),
            memory_bytes: report.policy_limits.memory_bytes,
            stack_bytes: report.policy_limits.stack_bytes,
            output_bytes: report.policy_limits.stdout_bytes,
        },
        verdict: report.verdict.name(),
        summary: summary(report),
        base: report
            .base
            .as_ref()
            .map(|base| super::json_base::base(report, base)),
    }
}

fn target(report: &Report) -> Target<'_> {
    let target = &report.target;
    Target {
        kind: target.kind.name(),
        reference: &target.reference,
        digest: target.manifest_digest.as_ref().map(ToString::to_string),
        platform: target.platform.as_ref().map(ToString::to_string),
        os: report.inventory.os.as_ref().map(|os| Os {
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
                created_by: target.layer_command(Some(index)),
            })
            .collect(),
        partial: report.partial(),
    }
}

fn db(report: &Report) -> Db<'_> {
    Db {
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
    }
}

fn json_package<'a>(target: &TargetSummary, p: &'a Package) -> JsonPackage<'a> {
    JsonPackage {
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
    }
}

fn finding<'a>(report: &'a Report, assessed: &'a AssessedFinding) -> JsonFinding<'a> {
    let finding = &assessed.finding;
    let score = &assessed.score;
    let package = report.package_of(assessed);
    let location = package.locations.first();
    let layer = location.and_then(|l| l.layer);
    JsonFinding {
        id: finding.id.as_str(),
        aliases: &finding.aliases,
        related: &finding.related,
        summary: finding.advisories.iter().find_map(|a| a.summary.as_deref()),
        package: package_ref(package),
        severity: score.severity.name(),
        severity_source: score.severity_source.name(),
        severity_vector: score.rated_by.as_ref().map(|c| c.vector.as_str()),
        cvss: score
            .cvss
            .iter()
            .map(|c| Cvss {
                version: c.version,
                vector: &c.vector,
                score: c.score,
                source: c.source.name(),
            })
            .collect(),
        fixed_versions: &finding.fixed_versions,
        fixed_version: finding.nearest_fix.as_deref(),
        kev: score.kev.as_ref().map(|k| Kev {
            cve: &k.cve,
            date_added: &k.date_added,
            ransomware: k.ransomware.as_deref(),
        }),
        known_exploited: score.known_exploited(),
        ssvc: score.ssvc.as_ref().map(|(cve, ssvc)| SsvcDecision {
            cve: cve.as_str(),
            exploitation: ssvc.exploitation.as_deref(),
            automatable: ssvc.automatable.as_deref(),
            technical_impact: ssvc.technical_impact.as_deref(),
        }),
        epss: score.epss.as_ref().map(|(cve, e)| Epss {
            cve: cve.as_str(),
            score: e.score,
            percentile: e.percentile,
        }),
        risk_score: score.risk,
        risk_terms: RiskTerms {
            base: score.risk_terms.base,
            exploit: score.risk_terms.exploit,
            fix: score.risk_terms.fix,
            exposure: score.risk_terms.exposure,
        },
        introduced_by: IntroducedBy {
            layer: layer_of(&report.target, layer),
            instruction: report.target.layer_command(layer),
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
        new: assessed.new,
        suppressed: assessed.suppression.as_ref().map(suppressed),
        vulnerable_code: assessed.code.as_ref(),
        origin: assessed.origin.map(|o| o.name()),
    }
}

fn check<'a>(target: &TargetSummary, assessed: &'a AssessedCheck) -> JsonCheck<'a> {
    let c = &assessed.check;
    JsonCheck {
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
        suppressed: assessed.suppression.as_ref().map(suppressed),
    }
}

fn policy(d: &portcullis_policy::Decision) -> Policy<'_> {
    Policy {
        module: &d.module,
        decision: d.verdict.name(),
        violations: d
            .violations
            .iter()
            .map(|v| Violation {
                rule: &v.rule,
                severity: v.severity.as_str(),
                message: &v.message,
                findings: &v.findings,
            })
            .collect(),
    }
}
