//! The JSON report's `base` object (`--base`): which base image was used and
//! how it was found, how the two were compared, the findings of each origin,
//! what the image's layers fixed, the upgrade advice and the candidates.

use serde::Serialize;

use super::entries::Counts;
use portcullis_assess::origin::Origin;
use portcullis_scan::{BaseReport, Report};
use portcullis_source::BaseFoundBy;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsonBase<'a> {
    reference: &'a str,
    digest: Option<String>,
    /// `flag`, `annotation`, `label` or `dockerfile`.
    found_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dockerfile: Option<DockerfileAt<'a>>,
    /// `layers` (the image's bottom layers are the base's) or `inventory`.
    comparison: &'static str,
    layers: usize,
    packages: usize,
    /// Findings of the base on its own.
    base_findings: usize,
    /// `own` when a gate counts only the image's own findings, else `all`.
    gated: &'static str,
    findings: ByOrigin,
    fixed_here: Vec<FixedHere<'a>>,
    advice: Advice<'a>,
    candidates: Vec<Candidate<'a>>,
}

#[derive(Serialize)]
struct DockerfileAt<'a> {
    path: &'a str,
    line: usize,
}

#[derive(Serialize)]
struct ByOrigin {
    own: Counts,
    base: Counts,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixedHere<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    package: &'a str,
    base_version: &'a str,
    /// Where the base had it.
    path: &'a str,
    /// The versions the image has now; empty when its layers removed the package.
    now: &'a [String],
}

#[derive(Serialize)]
struct Advice<'a> {
    upgrades: Vec<Upgrade<'a>>,
    unfixed: Vec<Unfixed<'a>>,
}

#[derive(Serialize)]
struct Upgrade<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    package: &'a str,
    installed: &'a str,
    to: &'a str,
    command: Option<&'a str>,
    findings: &'a [String],
}

#[derive(Serialize)]
struct Unfixed<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    package: &'a str,
    installed: &'a str,
    findings: &'a [String],
}

#[derive(Serialize)]
struct Candidate<'a> {
    target: &'a str,
    findings: usize,
    removes: usize,
    adds: usize,
    recommended: bool,
}

/// Open findings per severity of each origin.
pub(super) fn counts_by_origin(report: &Report) -> (Counts, Counts) {
    let (mut own, mut base) = (Counts::default(), Counts::default());
    for assessed in &report.findings {
        let counts = if assessed.origin == Some(Origin::Base) {
            &mut base
        } else {
            &mut own
        };
        counts.add(
            assessed.score.severity,
            assessed.is_suppressed(),
            !assessed.is_suppressed() && assessed.code_not_present(),
        );
    }
    (own, base)
}

pub(super) fn base<'a>(report: &'a Report, base: &'a BaseReport) -> JsonBase<'a> {
    let (own, in_base) = counts_by_origin(report);
    JsonBase {
        reference: &base.target.reference,
        digest: base
            .target
            .manifest_digest
            .as_ref()
            .map(ToString::to_string),
        found_by: base.found_by.name(),
        dockerfile: match &base.found_by {
            BaseFoundBy::Dockerfile { path, line } => Some(DockerfileAt { path, line: *line }),
            _ => None,
        },
        comparison: base.comparison.name(),
        layers: base.target.layers.len(),
        packages: base.packages,
        base_findings: base.findings,
        gated: if base.own_only { "own" } else { "all" },
        findings: ByOrigin { own, base: in_base },
        fixed_here: base
            .fixed_here
            .iter()
            .map(|f| FixedHere {
                id: f.id.as_str(),
                kind: f.kind.name(),
                package: &f.package,
                base_version: &f.base_version,
                path: &f.path,
                now: &f.now,
            })
            .collect(),
        advice: Advice {
            upgrades: base
                .advice
                .upgrades
                .iter()
                .map(|u| Upgrade {
                    kind: u.kind.name(),
                    package: &u.package,
                    installed: &u.installed,
                    to: &u.to,
                    command: u.command.as_deref(),
                    findings: &u.findings,
                })
                .collect(),
            unfixed: base
                .advice
                .unfixed
                .iter()
                .map(|u| Unfixed {
                    kind: u.kind.name(),
                    package: &u.package,
                    installed: &u.installed,
                    findings: &u.findings,
                })
                .collect(),
        },
        candidates: base
            .candidates
            .iter()
            .map(|c| Candidate {
                target: &c.target,
                findings: c.findings,
                removes: c.removes,
                adds: c.adds,
                recommended: c.recommended,
            })
            .collect(),
    }
}
