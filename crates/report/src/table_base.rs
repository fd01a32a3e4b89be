//! The table's base-image parts (`--base`): the header of each origin's
//! group of findings, then what the image's layers fixed, the upgrades they
//! could make, what no release fixes, and the candidates side by side.

use std::fmt::Write as _;

use portcullis_assess::origin::Origin;
use portcullis_scan::{BaseReport, Report};
use portcullis_source::BaseFoundBy;

use super::table::paint;

/// At most this many finding ids on one advice line.
const IDS_SHOWN: usize = 4;

/// How the base was found, for its header.
fn found_by(base: &BaseReport) -> String {
    match &base.found_by {
        BaseFoundBy::Dockerfile { path, line } => format!("the FROM at {path}:{line}"),
        other => format!("its {}", other.name()),
    }
}

/// `YOUR LAYERS (3 findings)` or `BASE IMAGE debian:12 (…): 40 findings`.
pub(super) fn group_header(
    out: &mut String,
    report: &Report,
    base: &BaseReport,
    origin: Origin,
    colour: bool,
) {
    let count = report
        .findings
        .iter()
        .filter(|f| f.origin == Some(origin))
        .count();
    let text = match origin {
        Origin::Own => format!("YOUR LAYERS: {count} findings"),
        Origin::Base => format!(
            "BASE IMAGE {}: {count} findings{} (found by {}; compared by {}, {} packages)",
            base.target.reference,
            if base.own_only { ", not gated" } else { "" },
            found_by(base),
            base.comparison.name(),
            base.packages
        ),
    };
    heading(out, &format!("== {text}"), colour);
}

/// A blank line, then `text` in bold.
fn heading(out: &mut String, text: &str, colour: bool) {
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", paint(text, "1", colour));
}

/// Ids, the first few and how many more.
fn ids(all: &[String]) -> String {
    let shown: Vec<&str> = all.iter().take(IDS_SHOWN).map(String::as_str).collect();
    match all.len().saturating_sub(IDS_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Fixed here, the advice and the candidates.
pub(super) fn sections(out: &mut String, base: &BaseReport, colour: bool) {
    if !base.fixed_here.is_empty() {
        heading(
            out,
            &format!(
                "FIXED BY YOUR LAYERS ({}): in the base, gone from the image",
                base.fixed_here.len()
            ),
            colour,
        );
        for fixed in &base.fixed_here {
            let now = if fixed.now.is_empty() {
                "removed".to_owned()
            } else {
                fixed.now.join(", ")
            };
            let _ = writeln!(
                out,
                "  {:<20} {} {} -> {now}  {}",
                fixed.id, fixed.package, fixed.base_version, fixed.path
            );
        }
    }
    let advice = &base.advice;
    if !advice.upgrades.is_empty() {
        heading(
            out,
            &format!(
                "BASE PACKAGES YOUR LAYERS CAN UPGRADE ({})",
                advice.upgrades.len()
            ),
            colour,
        );
        for upgrade in &advice.upgrades {
            let how = upgrade
                .command
                .clone()
                .unwrap_or_else(|| format!("upgrade {}", upgrade.package));
            let _ = writeln!(
                out,
                "  {how}  # {} -> {}, fixes {}",
                upgrade.installed,
                upgrade.to,
                ids(&upgrade.findings)
            );
        }
    }
    if !advice.unfixed.is_empty() {
        heading(
            out,
            &format!(
                "BASE PACKAGES NO RELEASE FIXES YET ({})",
                advice.unfixed.len()
            ),
            colour,
        );
        for unfixed in &advice.unfixed {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                unfixed.package,
                unfixed.installed,
                ids(&unfixed.findings)
            );
        }
    }
    if !base.candidates.is_empty() {
        heading(out, "BASE CANDIDATES (against the current base)", colour);
        let _ = writeln!(
            out,
            "  {:<48} {:>8} {:>8} {:>6}",
            "candidate", "findings", "removes", "adds"
        );
        let _ = writeln!(
            out,
            "  {:<48} {:>8} {:>8} {:>6}",
            base.target.reference, base.findings, "-", "-"
        );
        for candidate in &base.candidates {
            let mark = if candidate.recommended {
                "  <- recommended"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<48} {:>8} {:>8} {:>6}{mark}",
                candidate.target, candidate.findings, candidate.removes, candidate.adds
            );
        }
        if !base.candidates.iter().any(|c| c.recommended) {
            let _ = writeln!(out, "  no candidate removes a finding without adding one");
        }
    }
}
