//! The policy input document, `portcullis.policy/v1` (see `policies/ABI.md`),
//! built from the inventory, the findings and their scores.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::Package;
use crate::checks::CheckFinding;
use crate::matcher::Finding;
use crate::score::Score;

pub(crate) const API_VERSION: &str = "portcullis.policy/v1";

/// What policies know of the target.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Target {
    pub(crate) reference: String,
    pub(crate) digest: Option<String>,
    pub(crate) platform: Option<String>,
    pub(crate) os: Option<String>,
    pub(crate) user: Option<String>,
    pub(crate) exposed_ports: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) layers: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    api_version: &'static str,
    target: &'a Target,
    packages: Vec<InputPackage<'a>>,
    findings: Vec<InputFinding<'a>>,
    checks: Vec<InputCheck<'a>>,
    settings: &'a BTreeMap<String, serde_json::Value>,
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
    aliases: &'a [String],
    severity: &'static str,
    cvss: Option<f64>,
    epss: Option<f64>,
    kev: bool,
    fixed_version: Option<&'a str>,
    risk_score: u8,
    new: bool,
    suppressed: bool,
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

/// The hygiene and secret checks that fired, and which an ignore entry accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checks<'a> {
    pub(crate) list: &'a [CheckFinding],
    /// Same order as `list`.
    pub(crate) suppressed: &'a [Option<crate::suppress::Suppression>],
}

/// The input for one policy, with its settings.
/// Per-finding flags the policies see: suppressed, and new against the baseline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flags<'a> {
    pub(crate) suppressed: &'a [bool],
    pub(crate) new: &'a [bool],
}

pub(crate) fn document(
    target: &Target,
    packages: &[Package],
    findings: &[Finding],
    scores: &[Score],
    checks: Checks<'_>,
    flags: Flags<'_>,
    settings: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<u8>, serde_json::Error> {
    let findings = findings
        .iter()
        .zip(scores)
        .enumerate()
        .filter_map(|(index, (finding, score))| {
            let owner = packages.get(finding.package)?;
            Some(InputFinding {
                id: &finding.id,
                aliases: &finding.aliases,
                severity: score.severity.name(),
                cvss: crate::score::preferred_score(&score.cvss),
                epss: score.epss.as_ref().map(|(_, e)| e.score),
                kev: score.kev.is_some(),
                fixed_version: finding.fixed_versions.first().map(String::as_str),
                risk_score: score.risk,
                new: flags.new.get(index).copied().unwrap_or(true),
                suppressed: flags.suppressed.get(index).copied().unwrap_or(false),
                package: package(owner, target),
            })
        })
        .collect();
    serde_json::to_vec(&Document {
        api_version: API_VERSION,
        target,
        packages: packages.iter().map(|p| package(p, target)).collect(),
        findings,
        checks: checks
            .list
            .iter()
            .enumerate()
            .map(|(index, c)| InputCheck {
                id: c.rule.id,
                kind: c.rule.kind.name(),
                severity: c.rule.severity.name(),
                title: c.rule.title,
                path: c.path.as_deref(),
                layer: c.layer.and_then(|index| target.layers.get(index).cloned()),
                message: &c.message,
                suppressed: checks.suppressed.get(index).is_some_and(Option::is_some),
            })
            .collect(),
        settings,
    })
}
