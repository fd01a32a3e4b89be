//! TeamCity service messages: inspections (one inspection type per rule),
//! a test per finding and per policy violation, a warning per part the
//! analysis could not evaluate, build statistics with the
//! counts, and a `buildProblem` when the gate fails or cannot decide, so
//! TeamCity fails the build on the problem rather than on the exit code alone.
//!
//! Escaping follows TeamCity's rules: `|` `'` `[` `]` and line breaks take a
//! `|` prefix; other control characters are written `|0xNNNN`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::entries::{self, Counts, Entry, TargetKey};
use portcullis_model::Severity;
use portcullis_policy::Verdict;
use portcullis_scan::Report;

/// Escapes a value as TeamCity's service-message grammar requires.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("||"),
            '\'' => out.push_str("|'"),
            '\n' => out.push_str("|n"),
            '\r' => out.push_str("|r"),
            '[' => out.push_str("|["),
            ']' => out.push_str("|]"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "|0x{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// One `##teamcity[name key='value' …]` line.
fn message(out: &mut String, name: &str, attributes: &[(&str, &str)]) {
    out.push_str("##teamcity[");
    out.push_str(name);
    for (key, value) in attributes {
        let _ = write!(out, " {key}='{}'", escape(value));
    }
    out.push_str("]\n");
}

fn inspection_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "ERROR",
        Severity::Medium => "WARNING",
        Severity::Low => "WEAK WARNING",
        Severity::Unknown => "INFO",
    }
}

/// Test names must be unique within a suite.
fn unique(name: String, seen: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut copy = 1;
    while !seen.insert(candidate.clone()) {
        copy += 1;
        candidate = format!("{name} #{copy}");
    }
    candidate
}

fn finding_test(out: &mut String, entry: &Entry<'_>, seen: &mut BTreeSet<String>) {
    let name = unique(format!("{} in {}", entry.rule_id, entry.subject()), seen);
    message(out, "testStarted", &[("name", &name)]);
    let text = entry.message();
    if let Some(s) = entry.suppressed {
        let why = format!("suppressed by {} ({}): {}", s.kind, s.source, s.reason);
        message(out, "testIgnored", &[("name", &name), ("message", &why)]);
    } else if entry.failed_gate {
        let details = format!(
            "{}\n{}",
            entry.title,
            entry.help_uri.as_deref().unwrap_or("")
        );
        message(
            out,
            "testFailed",
            &[("name", &name), ("message", &text), ("details", &details)],
        );
    } else {
        message(out, "testStdOut", &[("name", &name), ("out", &text)]);
    }
    message(out, "testFinished", &[("name", &name)]);
}

/// The `buildProblem` for a scan that ended in an error (exit 2 or 3), so
/// TeamCity shows why even when it only reads service messages.
pub fn error_problem(text: &str, exit_code: u8) -> String {
    let mut out = String::new();
    let description: String = format!("Portcullis could not finish (exit {exit_code}): {text}")
        .chars()
        .take(4000)
        .collect();
    message(
        &mut out,
        "buildProblem",
        &[
            ("description", &description),
            ("identity", &format!("portcullis_exit_{exit_code}")),
        ],
    );
    out
}

/// Renders `report` as TeamCity service messages.
pub(super) fn render(report: &Report) -> String {
    let all = entries::entries(report);
    let counts = Counts::of(&all);
    let mut out = String::new();
    message(
        &mut out,
        "message",
        &[
            (
                "text",
                &format!("Portcullis scanned {}", report.target.reference),
            ),
            ("status", "NORMAL"),
        ],
    );
    inspections(&mut out, &all);
    for diagnostic in report.diagnostics() {
        message(
            &mut out,
            "message",
            &[
                (
                    "text",
                    &format!("not evaluated: {}: {}", diagnostic.path, diagnostic.message),
                ),
                ("status", "WARNING"),
            ],
        );
    }
    tests(&mut out, report, &all);
    statistics(&mut out, &counts);
    let summary = counts
        .by_severity()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = if summary.is_empty() {
        "no findings".to_owned()
    } else {
        summary
    };
    build_problem(&mut out, report, &summary);
    message(
        &mut out,
        "buildStatus",
        &[(
            "text",
            &format!(
                "{{build.status.text}}; Portcullis: {} ({summary})",
                report.verdict.name()
            ),
        )],
    );
    out
}

/// An inspection type per rule and an inspection per open entry.
fn inspections(out: &mut String, all: &[Entry<'_>]) {
    let mut declared = BTreeSet::new();
    for entry in all.iter().filter(|e| e.suppressed.is_none()) {
        if declared.insert(entry.rule_id) {
            message(
                out,
                "inspectionType",
                &[
                    ("id", entry.rule_id),
                    (
                        "name",
                        &format!(
                            "{}: {}",
                            entry.rule_id,
                            entry.title.lines().next().unwrap_or("")
                        ),
                    ),
                    ("category", "Portcullis vulnerabilities"),
                    ("description", &format!("{}. {}.", entry.title, entry.fix)),
                ],
            );
        }
        let file = entry
            .location
            .dockerfile
            .as_ref()
            .map_or((entry.location.path.clone(), 1), |s| {
                (s.path.clone(), s.line)
            });
        message(
            out,
            "inspection",
            &[
                ("typeId", entry.rule_id),
                ("message", &entry.message()),
                ("file", &file.0),
                ("line", &file.1.to_string()),
                ("SEVERITY", inspection_severity(entry.severity)),
            ],
        );
    }
}

/// The test suite: a test per entry and per policy violation.
fn tests(out: &mut String, report: &Report, all: &[Entry<'_>]) {
    let suite = format!("Portcullis: {}", report.target.reference);
    message(out, "testSuiteStarted", &[("name", &suite)]);
    let mut seen = BTreeSet::new();
    for entry in all {
        finding_test(out, entry, &mut seen);
    }
    for decision in &report.decisions {
        for violation in &decision.violations {
            let name = unique(
                format!("policy {}: {}", decision.module, violation.rule),
                &mut seen,
            );
            message(out, "testStarted", &[("name", &name)]);
            if matches!(decision.verdict, Verdict::Fail | Verdict::Error) {
                message(
                    out,
                    "testFailed",
                    &[
                        ("name", &name),
                        ("message", &violation.message),
                        (
                            "details",
                            &format!("findings: {}", violation.findings.join(", ")),
                        ),
                    ],
                );
            }
            message(out, "testFinished", &[("name", &name)]);
        }
    }
    message(out, "testSuiteFinished", &[("name", &suite)]);
}

/// Build statistics: open entries per severity, suppressed, total.
fn statistics(out: &mut String, counts: &Counts) {
    let mut values: Vec<(String, usize)> = counts
        .by_severity()
        .iter()
        .map(|(name, count)| (format!("portcullis.{name}"), *count))
        .collect();
    values.push(("portcullis.suppressed".to_owned(), counts.suppressed));
    values.push(("portcullis.total".to_owned(), counts.total()));
    for (key, value) in values {
        message(
            out,
            "buildStatisticValue",
            &[("key", &key), ("value", &value.to_string())],
        );
    }
}

/// A `buildProblem` when the gate failed or could not decide.
fn build_problem(out: &mut String, report: &Report, summary: &str) {
    let verb = match report.verdict {
        Verdict::Fail => "failed",
        Verdict::Error => "could not decide on",
        Verdict::Pass | Verdict::Warn => return,
    };
    let key = TargetKey::of(report);
    // TeamCity wants a Java identifier of at most 60 characters.
    let identity = format!(
        "portcullis_{}",
        &portcullis_model::Digest::sha256_of(key.category().as_bytes()).hex()[..16]
    );
    let reasons: Vec<String> = report
        .decisions
        .iter()
        .filter(|d| matches!(d.verdict, Verdict::Fail | Verdict::Error))
        .flat_map(|d| {
            d.violations
                .iter()
                .map(move |v| format!("{}: {}", d.module, v.message))
        })
        .take(3)
        .collect();
    message(
        out,
        "buildProblem",
        &[
            (
                "description",
                &format!(
                    "Portcullis {verb} {} ({summary}): {}",
                    key.repository,
                    reasons.join("; ")
                ),
            ),
            ("identity", &identity),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_teamcity_requires() {
        assert_eq!(escape("it's [x] a|b\nc\rd"), "it|'s |[x|] a||b|nc|rd");
        assert_eq!(escape("tab\tbell\u{7}"), "tab|0x0009bell|0x0007");
        assert_eq!(escape("naïve ünïcode"), "naïve ünïcode");
        assert_eq!(escape("\u{2028}"), "|0x2028");
    }
}
