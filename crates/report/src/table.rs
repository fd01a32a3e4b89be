//! The human table: findings grouped by severity (most severe first), each
//! with package, installed and fixed version, risk and the layer that brought
//! it (with a base image, the image's own findings first, then the base's,
//! and what `table_base.rs` says of the base); then the verdict. Colour only when asked (a terminal without `NO_COLOR`);
//! the text reads the same without it.

use std::fmt::Write as _;

use portcullis_assess::origin::Origin;
use portcullis_assess::AssessedFinding;
use portcullis_model::Severity;
use portcullis_scan::Report;

use super::{table_base, TableView};

/// The severities, most severe first.
const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Unknown,
];

pub(super) fn paint(text: &str, code: &str, colour: bool) -> String {
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
    "ID                   PACKAGE                      INSTALLED              FIXED                  RISK FLAGS   SRC LAYER  PATH";

/// The narrow layout's titles, for a terminal under [`WIDE_WIDTH`] columns:
/// 79 columns, without the severity source, layer and path (the JSON and a
/// wider terminal have them).
const NARROW_HEADER: &str =
    "ID                  PACKAGE          INSTALLED     FIXED         RISK FLAGS";

/// The columns the wide layout needs, a short path included.
const WIDE_WIDTH: usize = 132;
/// The width the narrow layout wraps its text at.
const NARROW_WIDTH: usize = 80;

/// What the SRC column's markers say.
const SOURCE_LEGEND: &str =
    "SRC (severity source): V vendor, O the advisory's CVSS, C the CVE record's CNA, A CISA ADP, blank unknown\n\
     FLAGS: KEV listed by CISA KEV, EXP exploited per CISA's SSVC, SUP suppressed (ignore file or VEX), NCP Go: vulnerable code not present in the binary";

/// Whether `view` asks for the narrow layout.
fn is_narrow(view: &TableView) -> bool {
    view.width.is_some_and(|width| width < WIDE_WIDTH)
}

/// Word-wraps `text` at `width` columns; lines after the first start with `indent` spaces.
fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let length = word.chars().count();
        if line > 0 && line + 1 + length > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            line = indent;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += length;
    }
    out
}

pub(super) fn render(report: &Report, view: &TableView, colour: bool) -> String {
    let mut out = String::new();
    let narrow = is_narrow(view);
    let target = &report.target;
    let inventory = &report.inventory;
    let os = inventory.os.as_ref().map_or_else(
        || "no OS detected".to_owned(),
        |os| os.ecosystem.to_string(),
    );
    let title = format!(
        "{} ({}, {}): {} packages, {} findings",
        target.reference,
        target.kind.name(),
        os,
        inventory.packages().len(),
        report.findings.len()
    );
    if narrow {
        let _ = writeln!(out, "{}", wrap(&title, NARROW_WIDTH, 2));
    } else {
        let _ = writeln!(out, "{title}");
    }
    if let Some(warning) = &report.db.age_warning {
        let _ = writeln!(out, "warning: {warning}");
    }
    // With a base image, the image's own findings, then the base's.
    let groups: Vec<Option<Origin>> = match &report.base {
        Some(_) => vec![Some(Origin::Own), Some(Origin::Base)],
        None => vec![None],
    };
    let mut open_counts: Vec<(Option<Origin>, Severity, usize)> = Vec::new();
    for group in groups {
        if let (Some(origin), Some(base)) = (group, &report.base) {
            table_base::group_header(&mut out, report, base, origin, colour);
        }
        for severity in SEVERITIES {
            let (count, suppressed) =
                severity_section(&mut out, report, severity, view, colour, group);
            open_counts.push((group, severity, count - suppressed));
        }
    }
    let own_only = report.base.as_ref().is_some_and(|b| b.own_only);
    let mut counts = Vec::new();
    for severity in SEVERITIES {
        let open: usize = open_counts
            .iter()
            .filter(|(group, s, _)| *s == severity && !(own_only && *group == Some(Origin::Base)))
            .map(|(_, _, n)| n)
            .sum();
        if open > 0 {
            counts.push(format!("{open} {}", severity.name()));
        }
    }
    if let (true, Some(base)) = (own_only, &report.base) {
        let own = if counts.is_empty() {
            "nothing open".to_owned()
        } else {
            counts.join(", ")
        };
        counts = vec![format!("{own} in your layers")];
        let in_base: Vec<String> = SEVERITIES
            .iter()
            .filter_map(|&severity| {
                let open: usize = open_counts
                    .iter()
                    .filter(|(g, s, _)| *s == severity && *g == Some(Origin::Base))
                    .map(|(_, _, n)| n)
                    .sum();
                (open > 0).then(|| format!("{open} {}", severity.name()))
            })
            .collect();
        if !in_base.is_empty() {
            counts.push(format!(
                "{} in the base image {}, not gated",
                in_base.join(", "),
                base.target.reference
            ));
        }
    }
    let suppressed = report.findings.iter().filter(|f| f.is_suppressed()).count();
    if suppressed > 0 {
        counts.push(format!("{suppressed} suppressed"));
    }
    let not_present = report
        .findings
        .iter()
        .filter(|f| !f.is_suppressed() && f.code_not_present())
        .count();
    if not_present > 0 {
        counts.push(format!("{not_present} not present in the binary"));
    }
    if let Some(base) = &report.base {
        table_base::sections(&mut out, base, colour);
    }
    if !report.checks.is_empty() {
        checks_section(&mut out, report, narrow, colour);
        counts.push(format!("{} image checks", report.checks.len()));
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out);
        if narrow {
            for line in SOURCE_LEGEND.lines().filter(|l| l.starts_with("FLAGS")) {
                let _ = writeln!(out, "{}", wrap(line, NARROW_WIDTH, 2));
            }
            let _ = writeln!(
                out,
                "{}",
                wrap(
                    "(the terminal is narrow: a wider one, or `-o FILE`, shows the severity source, layer and path)",
                    NARROW_WIDTH,
                    1
                )
            );
        } else {
            let _ = writeln!(out, "{SOURCE_LEGEND}");
        }
    }
    let hidden = report
        .findings
        .iter()
        .filter(|f| !view.shows(f.score.severity, !f.finding.fixed_versions.is_empty()))
        .count();
    if view.is_filtering() {
        let _ = writeln!(
            out,
            "the table hides {hidden} of {} findings ({}); the verdict and every other format count them",
            report.findings.len(),
            view.describe()
        );
    }
    let diagnostics = report.diagnostics();
    if !diagnostics.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "analysis was partial:");
        for diagnostic in &diagnostics {
            let _ = writeln!(out, "  {}: {}", diagnostic.path, diagnostic.message);
        }
    }
    verdict_line(&mut out, report, &counts, narrow, colour);
    out
}

/// One finding's row, with its risk to sort by.
fn finding_row(report: &Report, assessed: &AssessedFinding, narrow: bool) -> (u8, String) {
    let finding = &assessed.finding;
    let score = &assessed.score;
    let package = report.package_of(assessed);
    let layer = package
        .locations
        .first()
        .and_then(|l| l.layer)
        .map_or_else(|| "-".to_owned(), |index| format!("{}", index + 1));
    // The nearest fix above the installed version (the JSON lists them all).
    let fixed = match (&finding.nearest_fix, finding.fixed_versions.as_slice()) {
        (Some(nearest), _) => nearest.clone(),
        (None, []) => "(no fix)".to_owned(),
        (None, _) => "(none above)".to_owned(),
    };
    // KEV-listed, or exploited in the wild by CISA's SSVC decision; accepted
    // by an ignore entry or a VEX statement.
    let mut flags = Vec::new();
    if score.kev.is_some() {
        flags.push("KEV");
    } else if score.known_exploited() {
        flags.push("EXP");
    }
    if assessed.is_suppressed() {
        flags.push("SUP");
    } else if assessed.code_not_present() {
        flags.push("NCP");
    }
    let flags = flags.join(",");
    let source = score.severity_source.marker();
    let id = finding.id.to_string();
    // (id, package, installed, fixed) column widths of each layout.
    let (i, p, v, f) = if narrow {
        (19, 16, 13, 13)
    } else {
        (20, 28, 22, 22)
    };
    let columns = format!(
        "  {:<i$} {:<p$} {:<v$} {:<f$} {:>4} ",
        fit(&id, i),
        fit(&package.name, p),
        fit(&package.version, v),
        fit(&fixed, f),
        score.risk,
    );
    let row = if narrow {
        format!("{columns}{flags}").trim_end().to_owned()
    } else {
        format!(
            "{columns}{flags:<7} {source:<3} {layer:>5}  {}",
            package.locations.first().map_or("", |l| l.path.as_str()),
        )
    };
    (score.risk, row)
}

/// The findings of one severity that `view` shows, highest risk first;
/// returns how many findings of that severity there are (shown or not), and
/// how many of them are not counted (suppressed, or Go code not present).
fn severity_section(
    out: &mut String,
    report: &Report,
    severity: Severity,
    view: &TableView,
    colour: bool,
    origin: Option<Origin>,
) -> (usize, usize) {
    let all: Vec<&AssessedFinding> = report
        .findings
        .iter()
        .filter(|assessed| assessed.score.severity == severity)
        .filter(|assessed| origin.is_none() || assessed.origin == origin)
        .collect();
    let suppressed = all
        .iter()
        .filter(|f| f.is_suppressed() || f.code_not_present())
        .count();
    let mut rows: Vec<(u8, String)> = all
        .iter()
        .filter(|f| view.shows(severity, !f.finding.fixed_versions.is_empty()))
        .map(|assessed| finding_row(report, assessed, is_narrow(view)))
        .collect();
    if rows.is_empty() {
        return (all.len(), suppressed);
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
    let header = if is_narrow(view) {
        NARROW_HEADER
    } else {
        HEADER
    };
    let _ = writeln!(out, "  {header}");
    for (_, row) in &rows {
        let _ = writeln!(out, "{row}");
    }
    (all.len(), suppressed)
}

/// The hygiene and secret checks, most severe first.
fn checks_section(out: &mut String, report: &Report, narrow: bool, colour: bool) {
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
        // Padded before it is painted: the colour codes take no columns.
        let severity = paint(
            &format!("{:<8}", check.rule.severity.name()),
            colour_code(check.rule.severity),
            colour,
        );
        let message = format!("{}{suppressed}", check.message);
        if narrow {
            let _ = writeln!(out, "  {severity} {}", check.rule.id);
            let _ = writeln!(out, "{:11}{}", "", wrap(&message, NARROW_WIDTH - 11, 11));
            if let Some(excerpt) = &check.excerpt {
                let _ = writeln!(out, "{:11}> {}", "", fit(excerpt, NARROW_WIDTH - 13));
            }
            continue;
        }
        let _ = writeln!(out, "  {severity} {:<36} {message}", check.rule.id);
        if let Some(excerpt) = &check.excerpt {
            let _ = writeln!(out, "  {:<8} {:<36} > {excerpt}", "", "");
        }
    }
}

fn verdict_line(out: &mut String, report: &Report, counts: &[String], narrow: bool, colour: bool) {
    let _ = writeln!(out);
    let summary = if counts.is_empty() {
        "no findings".to_owned()
    } else {
        counts.join(", ")
    };
    let verdict = report.verdict.name();
    let painted = paint(
        verdict,
        match verdict {
            "pass" => "32",
            "warn" => "33",
            _ => "1;31",
        },
        colour,
    );
    let details = format!(
        "({summary}; DB {} built {})",
        report.db.digest.get(..19).unwrap_or(&report.db.digest),
        report.db.built_at
    );
    if narrow {
        let _ = writeln!(out, "verdict: {painted}");
        let _ = writeln!(out, "  {}", wrap(&details, NARROW_WIDTH - 2, 3));
        return;
    }
    let _ = writeln!(out, "verdict: {painted}  {details}");
}
