//! The human table: findings grouped by severity (most severe first), each
//! with package, installed and fixed version, risk and the layer that brought
//! it; then the verdict. Colour only when asked (a terminal without `NO_COLOR`);
//! the text reads the same without it.

use std::fmt::Write as _;

use portcullis_assess::AssessedFinding;
use portcullis_model::Severity;
use portcullis_scan::Report;

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\u{1b}[{code}m{text}\u{1b}[0m")
    } else {
        text.to_owned()
    }
}

fn colour_code(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Unknown => "2",
    }
}

/// Cuts `text` to `width` characters, marking the cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The column titles, laid out as the rows below them.
const HEADER: &str =
    "ID                   PACKAGE                      INSTALLED              FIXED                  RISK     SRC LAYER  PATH";

/// What the SRC column's markers say.
const SOURCE_LEGEND: &str =
    "severity source (SRC): V vendor, O the advisory's CVSS, C the CVE record's CNA, A CISA ADP, blank unknown";

pub(super) fn render(report: &Report, colour: bool) -> String {
    let mut out = String::new();
    let target = &report.target;
    let inventory = &report.inventory;
    let os = inventory.os.as_ref().map_or_else(
        || "no OS detected".to_owned(),
        |os| os.ecosystem.to_string(),
    );
    let _ = writeln!(
        out,
        "{} ({}, {}): {} packages, {} findings",
        target.reference,
        target.kind.name(),
        os,
        inventory.packages().len(),
        report.findings.len()
    );
    if let Some(warning) = &report.db.age_warning {
        let _ = writeln!(out, "warning: {warning}");
    }
    let mut counts = Vec::new();
    for severity in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ] {
        let count = severity_section(&mut out, report, severity, colour);
        if count > 0 {
            counts.push(format!("{count} {}", severity.name()));
        }
    }
    if !report.checks.is_empty() {
        checks_section(&mut out, report, colour);
        counts.push(format!("{} image checks", report.checks.len()));
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{SOURCE_LEGEND}");
    }
    let diagnostics = report.diagnostics();
    if !diagnostics.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "analysis was partial:");
        for diagnostic in &diagnostics {
            let _ = writeln!(out, "  {}: {}", diagnostic.path, diagnostic.message);
        }
    }
    verdict_line(&mut out, report, &counts, colour);
    out
}

/// One finding's row, with its risk to sort by.
fn finding_row(report: &Report, assessed: &AssessedFinding) -> (u8, String) {
    let finding = &assessed.finding;
    let score = &assessed.score;
    let package = report.package_of(assessed);
    let layer = package
        .locations
        .first()
        .and_then(|l| l.layer)
        .map_or_else(|| "-".to_owned(), |index| format!("{}", index + 1));
    let fixed = if finding.fixed_versions.is_empty() {
        "(no fix)".to_owned()
    } else {
        finding.fixed_versions.join(", ")
    };
    // KEV-listed, or exploited in the wild by CISA's SSVC decision.
    let kev = if score.kev.is_some() {
        " KEV"
    } else if score.known_exploited() {
        " EXP"
    } else {
        ""
    };
    let source = score.severity_source.marker();
    let id = if assessed.is_suppressed() {
        format!("{} (suppressed)", finding.id)
    } else {
        finding.id.to_string()
    };
    (
        score.risk,
        format!(
            "  {:<20} {:<28} {:<22} {:<22} {:>4}{kev:<4} {source:<3} {:>5}  {}",
            fit(&id, 20),
            fit(&package.name, 28),
            fit(&package.version, 22),
            fit(&fixed, 22),
            score.risk,
            layer,
            package.locations.first().map_or("", |l| l.path.as_str()),
        ),
    )
}

/// The findings of one severity, highest risk first; returns how many.
fn severity_section(out: &mut String, report: &Report, severity: Severity, colour: bool) -> usize {
    let mut rows: Vec<(u8, String)> = report
        .findings
        .iter()
        .filter(|assessed| assessed.score.severity == severity)
        .map(|assessed| finding_row(report, assessed))
        .collect();
    if rows.is_empty() {
        return 0;
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        paint(
            &format!("{} ({})", severity.name().to_uppercase(), rows.len()),
            colour_code(severity),
            colour
        )
    );
    let _ = writeln!(out, "  {HEADER}");
    for (_, row) in &rows {
        let _ = writeln!(out, "{row}");
    }
    rows.len()
}

/// The hygiene and secret checks, most severe first.
fn checks_section(out: &mut String, report: &Report, colour: bool) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        paint(
            &format!("IMAGE CHECKS ({})", report.checks.len()),
            "1",
            colour
        )
    );
    for assessed in &report.checks {
        let check = &assessed.check;
        let suppressed = if assessed.suppression.is_some() {
            " (suppressed)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<8} {:<36} {}{suppressed}",
            paint(
                check.rule.severity.name(),
                colour_code(check.rule.severity),
                colour
            ),
            check.rule.id,
            check.message
        );
        if let Some(excerpt) = &check.excerpt {
            let _ = writeln!(out, "  {:<8} {:<36} > {excerpt}", "", "");
        }
    }
}

fn verdict_line(out: &mut String, report: &Report, counts: &[String], colour: bool) {
    let _ = writeln!(out);
    let summary = if counts.is_empty() {
        "no findings".to_owned()
    } else {
        counts.join(", ")
    };
    let verdict = report.verdict.name();
    let _ = writeln!(
        out,
        "verdict: {}  ({summary}; DB {} built {})",
        paint(
            verdict,
            if verdict == "pass" { "32" } else { "1;31" },
            colour
        ),
        report.db.digest.get(..19).unwrap_or(&report.db.digest),
        report.db.built_at
    );
}
