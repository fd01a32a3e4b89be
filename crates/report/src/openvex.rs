//! OpenVEX 0.2.0: one statement per finding that is not counted against
//! the target, so other tools (and Portcullis's own `--vex`) can take the
//! determinations: Go findings whose vulnerable code is not linked in
//! (`not_affected`, `vulnerable_code_not_present`, with the symbols looked
//! for), OpenVEX statements that suppressed a finding (as they were written),
//! and ignore-file entries (`affected`, with the accepted risk as the action).
//!
//! Each statement's product is the package's purl, as Trivy and Grype match
//! products against packages.
//!
//! Spec: <https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md>.

use serde::Serialize;

use super::entries::{self, Entry};
use super::RenderConfig;
use portcullis_assess::suppress::SuppressionKind;
use portcullis_scan::Report;

const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

#[derive(Serialize)]
pub(super) struct Document {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@id")]
    id: String,
    author: String,
    timestamp: String,
    version: u32,
    tooling: String,
    statements: Vec<Statement>,
}

#[derive(Serialize)]
struct Statement {
    vulnerability: Vulnerability,
    products: Vec<Product>,
    status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impact_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_statement: Option<String>,
}

#[derive(Serialize)]
struct Vulnerability {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

#[derive(Serialize)]
struct Product {
    #[serde(rename = "@id")]
    id: String,
}

/// The OpenVEX document of `report`'s uncounted findings.
pub(super) fn document(report: &Report, config: &RenderConfig) -> Document {
    let statements: Vec<Statement> = entries::entries(report)
        .iter()
        .filter_map(statement)
        .collect();
    let seed: Vec<String> = std::iter::once(report.target.reference.clone())
        .chain(
            statements
                .iter()
                .map(|s| format!("{} {}", s.vulnerability.name, s.status)),
        )
        .collect();
    Document {
        context: CONTEXT,
        id: format!("urn:uuid:{}", super::uuid_from(&seed.join("\n"))),
        author: portcullis_model::TOOL_NAME.to_owned(),
        timestamp: config.created.clone(),
        version: 1,
        tooling: format!(
            "{} {}",
            portcullis_model::TOOL_NAME,
            portcullis_model::TOOL_VERSION
        ),
        statements,
    }
}

fn statement(entry: &Entry<'_>) -> Option<Statement> {
    let package = entry.package.as_ref()?;
    let (status, justification, impact, action) = match (entry.suppressed, entry.code) {
        (Some(s), _) => match (s.kind, &s.vex) {
            (SuppressionKind::Vex, Some((status, justification))) => (
                status.clone(),
                justification.clone(),
                Some(format!("stated in {}", s.source)),
                None,
            ),
            _ => (
                "affected".to_owned(),
                None,
                None,
                Some(format!(
                    "risk accepted: {}{} ({})",
                    s.reason,
                    s.owner
                        .as_deref()
                        .map(|o| format!(", owner {o}"))
                        .unwrap_or_default(),
                    s.source
                )),
            ),
        },
        (None, Some(code)) if entry.code_not_present() => (
            "not_affected".to_owned(),
            Some("vulnerable_code_not_present".to_owned()),
            Some(format!(
                "{}; looked for: {}",
                code.reason,
                code.looked_for.join(", ")
            )),
            None,
        ),
        _ => return None,
    };
    Some(Statement {
        vulnerability: Vulnerability {
            name: entry.rule_id.to_owned(),
            aliases: entry.aliases.iter().map(ToString::to_string).collect(),
        },
        products: vec![Product {
            id: package.purl.clone(),
        }],
        status,
        justification,
        impact_statement: impact,
        action_statement: action,
    })
}
