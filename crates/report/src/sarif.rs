//! SARIF 2.1.0 for code scanning (GitHub, Jenkins Warnings NG, Azure DevOps),
//! built with `serde-sarif`'s types.
//!
//! One rule per vulnerability id; each result is located at the file that
//! proved the package (and first at the Dockerfile line that made its layer,
//! with `--dockerfile`), carries a fingerprint that survives upgrades, and
//! stays in the log with `suppressions` when suppressed. GitHub's limits are
//! enforced here: the most severe results are kept and the cut is said.

use std::collections::BTreeMap;
use std::io::Write as _;

use serde_json::json;
use serde_sarif::sarif;

use super::entries::{self, Entry, TargetKey};
use super::RenderConfig;
use portcullis_assess::go_symbols::CodeDetermination;
use portcullis_assess::score;
use portcullis_assess::suppress::Suppression;
use portcullis_checks::Rule;
use portcullis_model::{Severity, VulnId};
use portcullis_policy::Verdict;
use portcullis_scan::Report;

/// GitHub shows at most this many results per run.
const MAX_RESULTS: usize = 5_000;
/// GitHub refuses uploads larger than this, gzipped.
const MAX_GZIPPED_BYTES: usize = 10 << 20;
/// GitHub keeps at most this many locations per result.
const MAX_LOCATIONS: usize = 1_000;
/// The fingerprint's key, versioned so a change of recipe is visible.
const FINGERPRINT_KEY: &str = "portcullis/v1";

/// Renders `report` as a SARIF log, within GitHub's limits.
pub(super) fn render(report: &Report, config: &RenderConfig) -> Result<String, serde_json::Error> {
    let mut all = entries::entries(report);
    // Open results before suppressed ones, each most severe first.
    all.sort_by_key(|e| e.suppressed.is_some() || e.code_not_present());
    let mut keep = all.len().min(MAX_RESULTS);
    loop {
        let log = document(report, config, &all, keep);
        let text = serde_json::to_string_pretty(&log)?;
        if gzipped_len(&text) <= MAX_GZIPPED_BYTES || keep == 0 {
            return Ok(text + "\n");
        }
        keep /= 2;
    }
}

fn gzipped_len(text: &str) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail; a failure would only make the check pass.
    let _ = encoder.write_all(text.as_bytes());
    encoder.finish().map_or(0, |bytes| bytes.len())
}

/// The run's invocation: whether the gate decided, its notifications.
fn invocation(
    report: &Report,
    config: &RenderConfig,
    notifications: Vec<sarif::Notification>,
) -> sarif::Invocation {
    sarif::Invocation::builder()
        .execution_successful(report.verdict != Verdict::Error)
        .tool_execution_notifications(notifications)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("verdict".to_owned(), json!(report.verdict.name())),
                    ("created".to_owned(), json!(config.created)),
                ]))
                .build(),
        )
        .build()
}

fn document(
    report: &Report,
    config: &RenderConfig,
    all: &[Entry<'_>],
    keep: usize,
) -> sarif::Sarif {
    let kept = all.get(..keep).unwrap_or(all);
    let key = TargetKey::of(report);
    let mut rule_index: BTreeMap<&str, i64> = BTreeMap::new();
    let mut rules = Vec::new();
    for entry in kept {
        if !rule_index.contains_key(entry.rule_id) {
            rule_index.insert(entry.rule_id, rules.len() as i64);
            rules.push(rule(entry));
        }
    }
    let results: Vec<sarif::Result> = kept
        .iter()
        .map(|entry| result(entry, &key, report, rule_index.get(entry.rule_id).copied()))
        .collect();
    let mut notifications = policy_notifications(report);
    // What could not be read or evaluated: the gate did not see it.
    notifications.extend(report.diagnostics().iter().map(|d| {
        notification(
            "error",
            &format!("`{}` could not be analysed: {}", d.path, d.message),
        )
    }));
    if keep < all.len() {
        notifications.push(notification(
            "warning",
            &format!(
                "{} of {} results were left out to stay within GitHub's limits \
                 ({MAX_RESULTS} results, {} MiB gzipped); the most severe are kept. \
                 The JSON report has them all.",
                all.len() - keep,
                all.len(),
                MAX_GZIPPED_BYTES >> 20
            ),
        ));
    }
    let invocation = invocation(report, config, notifications);
    let driver = sarif::ToolComponent::builder()
        .name("Portcullis")
        .semantic_version(portcullis_model::TOOL_VERSION)
        .information_uri("https://github.com/portcullis-scanner/portcullis")
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(driver)
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(key.category())
                .description(sarif::Message::from(
                    format!("Portcullis scan of {} ({})", key.repository, key.platform).as_str(),
                ))
                .build(),
        )
        .invocations(vec![invocation])
        // Always present, empty too: an empty run closes fixed alerts.
        .results(results)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("target".to_owned(), json!(report.target.reference)),
                    (
                        "digest".to_owned(),
                        json!(report
                            .target
                            .manifest_digest
                            .as_ref()
                            .map(ToString::to_string)),
                    ),
                    ("dbDigest".to_owned(), json!(report.db.digest)),
                ]))
                .build(),
        )
        .build();
    sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// GitHub's `security-severity`: the CVSS score, or a score inside the
/// severity's band when the advisory has no vector.
/// The vector's score counts only when the severity came from it: a vendor's
/// `low` over a 9.8 vector stays in the low band, as the table shows it.
fn security_severity(entry: &Entry<'_>) -> Option<String> {
    let from_vector = entry
        .severity_source
        .is_some_and(|source| source != score::SeveritySource::Vendor);
    if let Some(score) = entry.score.filter(|_| from_vector) {
        return Some(format!("{score:.1}"));
    }
    match entry.severity {
        Severity::Critical => Some("9.5".to_owned()),
        Severity::High => Some("8.0".to_owned()),
        Severity::Medium => Some("5.5".to_owned()),
        Severity::Low => Some("2.0".to_owned()),
        Severity::Unknown => None,
    }
}

/// Jenkins Warnings NG reads only the level.
fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Unknown => sarif::ResultLevel::Note,
    }
}

fn rule(entry: &Entry<'_>) -> sarif::ReportingDescriptor {
    let mut tags = vec![
        "security".to_owned(),
        entry.kind.name().to_owned(),
        entry.severity.name().to_owned(),
    ];
    if let Some(ecosystem) = entry.package.as_ref().and_then(|p| p.ecosystem.clone()) {
        tags.push(ecosystem);
    }
    if entry.kev {
        tags.push("known-exploited".to_owned());
    }
    let mut properties = BTreeMap::new();
    if let Some(score) = security_severity(entry) {
        properties.insert("security-severity".to_owned(), json!(score));
    }
    properties.insert("precision".to_owned(), json!("very-high"));
    if let Some(source) = entry.severity_source {
        properties.insert("severitySource".to_owned(), json!(source.name()));
    }
    if let Some(vector) = entry.vector {
        properties.insert("severityVector".to_owned(), json!(vector));
    }
    let (help_text, help_markdown) = match entry.check {
        Some(check) => check_help(entry, check, &mut tags),
        None => vulnerability_help(entry),
    };
    let mut rule = sarif::ReportingDescriptor::builder()
        .id(entry.rule_id)
        .name(rule_name(entry))
        .short_description(multiformat(&format!(
            "{}: {}",
            entry.rule_id,
            first_line(&entry.title)
        )))
        .full_description(multiformat(&entry.title))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_markdown)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(entry.severity).to_string()))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        )
        .build();
    rule.help_uri.clone_from(&entry.help_uri);
    rule
}

/// Help for a vulnerability: what it is, the fixed versions and the fix.
fn vulnerability_help(entry: &Entry<'_>) -> (String, String) {
    let aliases = if entry.aliases.is_empty() {
        String::new()
    } else {
        format!(" Also known as {}.", joined(entry.aliases))
    };
    let help_uri = entry.help_uri.clone().unwrap_or_default();
    let fixed = if entry.fixed_versions.is_empty() {
        "none known".to_owned()
    } else {
        entry.fixed_versions.join(", ")
    };
    let text = format!(
        "{}\n\nSeverity: {}.{aliases}\nFixed versions: {fixed}.\nFix: {}.\nDetails: {help_uri}",
        entry.title,
        entry.severity.name(),
        entry.fix
    );
    let markdown = format!(
        "**{}** ({})\n\n{}\n\n| Severity | Fixed versions |\n| --- | --- |\n| {} | {} |\n\n\
         **Fix:** {}.{aliases}\n\n[{}]({help_uri})",
        entry.rule_id,
        entry.kind.name(),
        entry.title,
        entry.severity.name(),
        fixed,
        entry.fix,
        entry.rule_id
    );
    (text, markdown)
}

/// Help for a hygiene or secret check: why it matters, the benchmark item, the fix.
fn check_help(entry: &Entry<'_>, check: &Rule, tags: &mut Vec<String>) -> (String, String) {
    let reference = check
        .reference
        .map(|r| format!("\nBenchmark: {r}."))
        .unwrap_or_default();
    if let Some(r) = check.reference {
        tags.push(r.to_owned());
    }
    let text = format!(
        "{}\n\nWhy: {}\nSeverity: {}.{reference}\nFix: {}",
        check.title,
        check.rationale,
        entry.severity.name(),
        check.fix
    );
    let markdown = format!(
        "**{}** ({})\n\n{}\n\n**Why:** {}\n\n**Fix:** {}{}",
        check.id,
        entry.kind.name(),
        check.title,
        check.rationale,
        check.fix,
        check
            .reference
            .map(|r| format!("\n\n_Benchmark:_ {r}"))
            .unwrap_or_default()
    );
    (text, markdown)
}

/// A PascalCase name, as SARIF's `name` suggests: `VulnerablePackage`.
fn rule_name(entry: &Entry<'_>) -> String {
    match entry.kind {
        entries::EntryKind::Vulnerability => "VulnerablePackage".to_owned(),
        entries::EntryKind::Hygiene => "ImageHygiene".to_owned(),
        entries::EntryKind::Secret => "SecretInImage".to_owned(),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn multiformat(text: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text.to_owned())
        .build()
}

fn physical(uri: &str, line: usize) -> sarif::PhysicalLocation {
    sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri.to_owned())
                .build(),
        )
        .region(sarif::Region::builder().start_line(line as i64).build())
        .build()
}

/// Where a result is: the Dockerfile line that made its layer (with
/// `--dockerfile`), then the file that proved it; both with the image and layer.
fn locations(entry: &Entry<'_>, key: &TargetKey, report: &Report) -> Vec<sarif::Location> {
    let location = &entry.location;
    let logical = vec![
        sarif::LogicalLocation::builder()
            .name(key.repository.clone())
            .fully_qualified_name(report.target.reference.clone())
            .kind("image")
            .build(),
        sarif::LogicalLocation::builder()
            .name(location.layer_label.clone())
            .fully_qualified_name(format!("{}@{}", key.repository, location.layer_label))
            .kind("layer")
            .build(),
    ];
    let mut locations = Vec::new();
    if let Some(step) = &location.dockerfile {
        locations.push(
            sarif::Location::builder()
                .physical_location(physical(&step.path, step.line))
                .logical_locations(logical.clone())
                .message(sarif::Message::from(
                    format!("The layer was made by `{}`", first_line(&step.instruction)).as_str(),
                ))
                .build(),
        );
    }
    locations.push(
        sarif::Location::builder()
            .physical_location(physical(&location.path, 1))
            .logical_locations(logical)
            .message(sarif::Message::from(
                format!(
                    "Proved by /{} in layer {}",
                    location.path, location.layer_label
                )
                .as_str(),
            ))
            .build(),
    );
    locations
}

/// An accepted external suppression, with who owns it and until when.
fn suppression(suppression: &Suppression) -> sarif::Suppression {
    let mut justification = suppression.reason.clone();
    if let Some(owner) = &suppression.owner {
        justification.push_str(&format!(" (owner: {owner})"));
    }
    sarif::Suppression::builder()
        .kind(json!("external"))
        .status(json!("accepted"))
        .justification(justification)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("source".to_owned(), json!(suppression.source)),
                    ("mechanism".to_owned(), json!(suppression.kind.name())),
                    ("expires".to_owned(), json!(suppression.expires)),
                ]))
                .build(),
        )
        .build()
}

/// A Go finding whose vulnerable functions are not linked into the binary:
/// suppressed by the scanner's own analysis, with what it looked for.
fn code_not_present(code: &CodeDetermination) -> sarif::Suppression {
    sarif::Suppression::builder()
        .kind(json!("external"))
        .status(json!("accepted"))
        .justification(code.reason.clone())
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(BTreeMap::from([
                    ("source".to_owned(), json!("portcullis go-symbols")),
                    ("mechanism".to_owned(), json!("code_not_present")),
                    ("lookedFor".to_owned(), json!(code.looked_for)),
                ]))
                .build(),
        )
        .build()
}

fn result(
    entry: &Entry<'_>,
    key: &TargetKey,
    report: &Report,
    rule_index: Option<i64>,
) -> sarif::Result {
    let location = &entry.location;
    let mut locations = locations(entry, key, report);
    locations.truncate(MAX_LOCATIONS);
    let mut properties = BTreeMap::from([
        ("severity".to_owned(), json!(entry.severity.name())),
        ("riskScore".to_owned(), json!(entry.risk)),
        ("knownExploited".to_owned(), json!(entry.kev)),
        ("layer".to_owned(), json!(location.layer_label)),
        ("failedGate".to_owned(), json!(entry.failed_gate)),
    ]);
    if let Some(package) = &entry.package {
        properties.insert("purl".to_owned(), json!(package.purl));
        properties.insert("installedVersion".to_owned(), json!(package.version));
        properties.insert("fixedVersions".to_owned(), json!(entry.fixed_versions));
    }
    if let Some(created_by) = location.created_by {
        properties.insert("createdBy".to_owned(), json!(created_by));
    }
    if let Some(origin) = entry.origin {
        properties.insert("origin".to_owned(), json!(origin));
    }
    let mut result = sarif::Result::builder()
        .rule_id(entry.rule_id)
        .level(level(entry.severity))
        .message(sarif::Message::from(entry.message().as_str()))
        .locations(locations)
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_owned(),
            entry.fingerprint(key),
        )]))
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        )
        .build();
    result.rule_index = rule_index;
    result.suppressions = match (entry.suppressed, entry.code) {
        (Some(s), _) => Some(vec![suppression(s)]),
        (None, Some(code)) if entry.code_not_present() => Some(vec![code_not_present(code)]),
        _ => None,
    };
    result
}

fn notification(level: &str, text: &str) -> sarif::Notification {
    sarif::Notification::builder()
        .level(json!(level))
        .message(sarif::Message::from(text))
        .build()
}

/// Policy errors, and the violations of failing policies, as tool notifications.
fn policy_notifications(report: &Report) -> Vec<sarif::Notification> {
    let mut notes = Vec::new();
    for decision in &report.decisions {
        let level = match decision.verdict {
            Verdict::Error => "error",
            Verdict::Fail => "warning",
            Verdict::Warn | Verdict::Pass => continue,
        };
        for violation in &decision.violations {
            notes.push(notification(
                level,
                &format!(
                    "{} ({}): {}",
                    decision.module, violation.rule, violation.message
                ),
            ));
        }
    }
    if notes.is_empty() && report.verdict == Verdict::Error {
        notes.push(notification("error", "a policy could not decide"));
    }
    notes
}

/// `a, b, c`.
fn joined(ids: &[VulnId]) -> String {
    ids.iter()
        .map(VulnId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
