//! The policy input document, `portcullis.policy/v1` (see `policies/ABI.md`),
//! built from the target, the inventory and the assessed findings and checks.

use std::collections::BTreeMap;

use serde::Serialize;

use portcullis_assess::go_symbols::CodeDetermination;
use portcullis_assess::{AssessedCheck, AssessedFinding};
use portcullis_catalog::{Inventory, Package};
use portcullis_match::Unmatchable;
use portcullis_source::TargetSummary;

pub const API_VERSION: &str = "portcullis.policy/v1";

/// What policies know of the target.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub reference: String,
    pub digest: Option<String>,
    pub platform: Option<String>,
    pub os: Option<String>,
    pub user: Option<String>,
    pub exposed_ports: Vec<String>,
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub layers: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    api_version: &'static str,
    target: &'a Target,
    packages: Vec<InputPackage<'a>>,
    findings: Vec<InputFinding<'a>>,
    checks: Vec<InputCheck<'a>>,
    /// What the analysis could not evaluate (files, SBOM components,
    /// packages whose advisories could not be matched), so a module
    /// decides knowing it; the host itself refuses a partial analysis
    /// unless `--allow-partial`.
    diagnostics: Vec<InputDiagnostic>,
    settings: &'a BTreeMap<String, serde_json::Value>,
}

/// A part the analysis could not evaluate.
#[derive(Serialize)]
struct InputDiagnostic {
    path: String,
    layer: Option<String>,
    message: String,
}

/// A hygiene or secret check that fired (secrets redacted).
#[derive(Serialize)]
struct InputCheck<'a> {
    id: &'static str,
    kind: &'static str,
    severity: &'static str,
    title: &'static str,
    path: Option<&'a str>,
    layer: Option<String>,
    message: &'a str,
    suppressed: bool,
}

#[derive(Serialize)]
struct InputPackage<'a> {
    name: &'a str,
    version: &'a str,
    ecosystem: Option<String>,
    purl: String,
    licenses: &'a [String],
    path: Option<&'a str>,
    layer: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputFinding<'a> {
    id: &'a str,
    aliases: &'a [portcullis_model::VulnId],
    severity: &'static str,
    /// `vendor`, `cvss` (the OSV record's vector), `cve-cna`, `cisa-adp` or `none`.
    severity_source: &'static str,
    /// The CVSS vector the finding is rated by.
    severity_vector: Option<&'a str>,
    cvss: Option<f64>,
    epss: Option<f64>,
    /// CISA KEV lists it.
    kev: bool,
    /// KEV lists it or CISA's SSVC says `Exploitation: active`.
    known_exploited: bool,
    /// SSVC's `Exploitation`: `none`, `poc` or `active`.
    exploitation: Option<&'a str>,
    fixed_version: Option<&'a str>,
    risk_score: u8,
    new: bool,
    suppressed: bool,
    /// Go: whether the advisory's vulnerable functions are linked into the
    /// binary; absent for other findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerable_code: Option<&'a CodeDetermination>,
    /// Go: the vulnerable code is determined not present.
    code_not_present: bool,
    package: InputPackage<'a>,
}

fn package<'a>(package: &'a Package, target: &Target) -> InputPackage<'a> {
    let location = package.locations.first();
    InputPackage {
        name: &package.name,
        version: &package.version,
        ecosystem: package.ecosystem.as_ref().map(ToString::to_string),
        purl: package.purl.to_string(),
        licenses: &package.licenses,
        path: location.map(|l| l.path.as_str()),
        layer: location
            .and_then(|l| l.layer)
            .and_then(|index| target.layers.get(index).cloned()),
    }
}

impl Target {
    /// What policies know of `summary`, whose OS `inventory` detected.
    pub fn of(summary: &TargetSummary, inventory: &Inventory) -> Target {
        Target {
            reference: summary.reference.clone(),
            digest: summary.manifest_digest.as_ref().map(ToString::to_string),
            platform: summary.platform.as_ref().map(ToString::to_string),
            os: inventory.os.as_ref().map(|os| os.ecosystem.to_string()),
            user: summary.user.clone(),
            exposed_ports: summary.exposed_ports.clone(),
            env: Vec::new(),
            labels: BTreeMap::new(),
            layers: summary.layers.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The input for one policy, with its settings.
pub fn document(
    target: &Target,
    inventory: &Inventory,
    findings: &[AssessedFinding],
    checks: &[AssessedCheck],
    unmatchable: &[Unmatchable],
    settings: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<u8>, serde_json::Error> {
    let layer = |index: Option<usize>| index.and_then(|i| target.layers.get(i).cloned());
    let diagnostics = inventory
        .diagnostics
        .iter()
        .map(|d| InputDiagnostic {
            path: d.path.clone(),
            layer: layer(d.layer),
            message: d.message.clone(),
        })
        .chain(unmatchable.iter().map(|u| {
            let package = inventory.package(u.package);
            let location = package.locations.first();
            InputDiagnostic {
                path: location.map_or_else(String::new, |l| l.path.clone()),
                layer: layer(location.and_then(|l| l.layer)),
                message: format!(
                    "`{}` {} could not be evaluated: {}",
                    package.name, package.version, u.why
                ),
            }
        }))
        .collect();
    let findings = findings
        .iter()
        .map(|assessed| {
            let finding = &assessed.finding;
            let score = &assessed.score;
            InputFinding {
                id: finding.id.as_str(),
                aliases: &finding.aliases,
                severity: score.severity.name(),
                severity_source: score.severity_source.name(),
                severity_vector: score.rated_by.as_ref().map(|c| c.vector.as_str()),
                cvss: score.preferred_cvss(),
                epss: score.epss.as_ref().map(|(_, e)| e.score),
                kev: score.kev.is_some(),
                known_exploited: score.known_exploited(),
                exploitation: score.exploitation(),
                fixed_version: finding.nearest_fix.as_deref(),
                risk_score: score.risk,
                new: assessed.new,
                suppressed: assessed.is_suppressed(),
                vulnerable_code: assessed.code.as_ref(),
                code_not_present: assessed.code_not_present(),
                package: package(inventory.package(finding.package), target),
            }
        })
        .collect();
    serde_json::to_vec(&Document {
        api_version: API_VERSION,
        target,
        packages: inventory
            .packages()
            .iter()
            .map(|p| package(p, target))
            .collect(),
        findings,
        checks: checks
            .iter()
            .map(|assessed| {
                let c = &assessed.check;
                InputCheck {
                    id: c.rule.id,
                    kind: c.rule.kind.name(),
                    severity: c.rule.severity.name(),
                    title: c.rule.title,
                    path: c.path.as_deref(),
                    layer: c.layer.and_then(|index| target.layers.get(index).cloned()),
                    message: &c.message,
                    suppressed: assessed.suppression.is_some(),
                }
            })
            .collect(),
        diagnostics,
        settings,
    })
}
