//! A Markdown summary for `$GITHUB_STEP_SUMMARY` and pull-request comments:
//! the verdict, counts by severity, what the policies said, and the most
//! severe findings with their fixes. It starts with a hidden marker naming
//! the image and platform, so `github comment` can find and update its own
//! comment.

use std::fmt::Write as _;

use super::entries::{self, short_layer, Counts, Entry, TargetKey};
use portcullis_policy::Verdict;
use portcullis_scan::Report;

/// How many findings the summary lists.
const TOP: usize = 15;

/// The marker a comment carries; `github comment` looks for its prefix.
pub const MARKER_PREFIX: &str = "<!-- portcullis-summary:";

/// Keeps table cells on one line and stops `|` from splitting them.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}

/// Renders the summary.
pub(super) fn render(report: &Report) -> String {
    let all = entries::entries(report);
    let counts = Counts::of(&all);
    let key = TargetKey::of(report);
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER_PREFIX} {} -->", key.category());
    let (icon, word) = match report.verdict {
        Verdict::Pass => ("✅", "passed"),
        Verdict::Warn => ("⚠️", "passed with warnings"),
        Verdict::Fail => ("❌", "failed"),
        Verdict::Error => ("⛔", "could not decide"),
    };
    let _ = writeln!(
        out,
        "## {icon} Portcullis {word}: `{}`\n",
        cell(&report.target.reference)
    );
    let _ = writeln!(
        out,
        "| Critical | High | Medium | Low | Unknown | Suppressed |"
    );
    let _ = writeln!(out, "| ---: | ---: | ---: | ---: | ---: | ---: |");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |\n",
        counts.critical, counts.high, counts.medium, counts.low, counts.unknown, counts.suppressed
    );
    let _ = writeln!(
        out,
        "{} packages scanned; vulnerability DB built {}.\n",
        report.inventory.packages().len(),
        report.db.built_at
    );
    policies(&mut out, report);
    not_evaluated(&mut out, report);
    let open: Vec<_> = all.iter().filter(|e| e.suppressed.is_none()).collect();
    if open.is_empty() {
        let _ = writeln!(out, "No open findings.");
        return out;
    }
    top_findings(&mut out, &open);
    out
}

/// Each policy's decision and its first violations.
fn policies(out: &mut String, report: &Report) {
    if report.decisions.is_empty() {
        return;
    }
    let _ = writeln!(out, "**Policies**\n");
    for decision in &report.decisions {
        let _ = writeln!(
            out,
            "- `{}`: **{}**",
            decision.module,
            decision.verdict.name()
        );
        for violation in decision.violations.iter().take(5) {
            let _ = writeln!(out, "  - {}", cell(&violation.message));
        }
        if decision.violations.len() > 5 {
            let _ = writeln!(out, "  - … and {} more", decision.violations.len() - 5);
        }
    }
    out.push('\n');
}

/// Diagnostics listed in the summary before "… and N more".
const MAX_LISTED_DIAGNOSTICS: usize = 20;

/// What the analysis could not evaluate (files, packages, components).
fn not_evaluated(out: &mut String, report: &Report) {
    let diagnostics = report.diagnostics();
    if diagnostics.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "**Analysis was partial: not evaluated**
"
    );
    for diagnostic in diagnostics.iter().take(MAX_LISTED_DIAGNOSTICS) {
        let _ = writeln!(
            out,
            "- `{}`: {}",
            cell(&diagnostic.path),
            cell(&diagnostic.message)
        );
    }
    if diagnostics.len() > MAX_LISTED_DIAGNOSTICS {
        let _ = writeln!(
            out,
            "- … and {} more",
            diagnostics.len() - MAX_LISTED_DIAGNOSTICS
        );
    }
    out.push('\n');
}

/// The most severe open findings, as a table.
fn top_findings(out: &mut String, open: &[&Entry<'_>]) {
    let _ = writeln!(out, "**Top findings**\n");
    let _ = writeln!(
        out,
        "| Severity | ID | Package | Installed | Fixed in | Found in |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
    for entry in open.iter().take(TOP) {
        let (name, version) = entry
            .package
            .as_ref()
            .map_or((entry.title.as_str(), ""), |p| (p.name, p.version));
        // A check's fix is what to change, not a version.
        let fixed = match (&entry.package, entry.nearest_fix, entry.fixed_versions) {
            (None, _, _) => cell(&entry.fix),
            (Some(_), Some(nearest), _) => nearest.to_owned(),
            (Some(_), None, []) => "no fix yet".to_owned(),
            (Some(_), None, _) => "none above".to_owned(),
        };
        let id = match &entry.help_uri {
            Some(uri) => format!("[{}]({uri})", entry.rule_id),
            None => entry.rule_id.to_owned(),
        };
        let kev = if entry.kev { " 🔥" } else { "" };
        let _ = writeln!(
            out,
            "| {}{kev} | {id} | {} | {} | {} | `/{}` ({}) |",
            entry.severity.name(),
            cell(name),
            cell(version),
            cell(&fixed),
            cell(&entry.location.path),
            short_layer(&entry.location.layer_label)
        );
    }
    if open.len() > TOP {
        let _ = writeln!(
            out,
            "\n… and {} more open findings in the full report.",
            open.len() - TOP
        );
    }
}
