//! Plain-text renderings of `db status` and of what a DB build did.

use std::fmt::Write as _;
use std::path::Path;

use portcullis_model::Timestamp;
use portcullis_vulndb::{
    human_duration, AffectedRow, BuildReport, CveRecord, EpssScore, Event, KevEntry, Status,
};

/// `db status`: schema, build time and age, digest, sources, counts per ecosystem.
pub fn db_status(path: &Path, status: &Status, now: Timestamp) -> String {
    let mut out = String::new();
    let age = status.built_at.parse::<Timestamp>().map_or_else(
        |_| "unknown".to_owned(),
        |built| human_duration(now.unix() - built.unix()),
    );
    let _ = writeln!(out, "database   {}", path.display());
    let _ = writeln!(out, "schema     {}", status.schema_version);
    let _ = writeln!(out, "built at   {} ({age} ago)", status.built_at);
    let _ = writeln!(out, "digest     {}", status.digest);
    let _ = writeln!(out, "size       {}", megabytes(status.file_size));
    if let Some(bundle) = &status.bundle {
        let _ = writeln!(
            out,
            "bundle     {} {}, from {}",
            bundle.digest,
            megabytes(bundle.size),
            bundle.from
        );
    }
    let _ = writeln!(
        out,
        "sources (the DB's age is that of the feed fetched longest ago)"
    );
    for source in &status.sources {
        let fetched = source.fetched_at.parse::<Timestamp>().map_or_else(
            |_| "fetched at an unknown time".to_owned(),
            |at| {
                format!(
                    "fetched {} ({} ago)",
                    source.fetched_at,
                    human_duration(now.unix() - at.unix())
                )
            },
        );
        let _ = writeln!(
            out,
            "  {:<16} {:>7} records  {:>4} skipped  {fetched}  {}  {}",
            source.name, source.records, source.skipped, source.digest, source.url
        );
    }
    let _ = writeln!(out, "advisories per ecosystem");
    for (ecosystem, count) in &status.counts {
        let _ = writeln!(out, "  {ecosystem:<24} {count:>7}");
    }
    let _ = writeln!(out, "kev        {} entries", status.kev_entries);
    let _ = writeln!(out, "epss       {} scores", status.epss_scores);
    out
}

/// `16.9 MB (16883712 bytes)`.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB ({bytes} bytes)", bytes as f64 / 1e6)
}

/// What `db update` and `db import` report when they finish.
pub fn db_build_summary(path: &Path, report: &BuildReport) -> String {
    let mut out = String::new();
    for source in &report.imported {
        let _ = writeln!(
            out,
            "imported {:<16} {:>7} records, {} skipped",
            source.name, source.records, source.skipped
        );
    }
    for name in &report.kept {
        if report.confirmed.contains(name) {
            let _ = writeln!(out, "kept     {name:<16} (the mirror says it is unchanged)");
        } else {
            let _ = writeln!(
                out,
                "kept     {name:<16} (not fetched this time; its age stays)"
            );
        }
    }
    let _ = writeln!(out, "built `{}` at {}", path.display(), report.built_at);
    out
}

/// `db lookup`: one line per advisory row, with its range events.
pub fn db_lookup(found: &[(&String, &String, Vec<AffectedRow>)]) -> String {
    let mut out = String::new();
    for (ecosystem, name, rows) in found {
        let _ = writeln!(out, "{ecosystem} {name}: {} advisories", rows.len());
        for row in rows {
            let events: Vec<String> = row
                .ranges
                .iter()
                .flat_map(|range| &range.events)
                .map(|event| match event {
                    Event::Introduced(v) => format!(">={v}"),
                    Event::Fixed(v) => format!("<{v}"),
                    Event::LastAffected(v) => format!("<={v}"),
                    Event::Limit(v) => format!("limit {v}"),
                })
                .collect();
            let _ = writeln!(
                out,
                "  {}{}  [{}]{}",
                row.osv_id,
                if row.withdrawn { " (withdrawn)" } else { "" },
                events.join(" "),
                if row.versions.is_empty() {
                    String::new()
                } else {
                    format!("  versions: {}", row.versions.join(", "))
                }
            );
        }
    }
    out
}

/// `db show`: what the DB knows of an id besides its records, a line each.
pub fn db_record_notes(
    kev: Option<&KevEntry>,
    epss: Option<EpssScore>,
    cve: Option<&CveRecord>,
) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(kev) = kev {
        notes.push(format!(
            "kev: added {} ({})",
            kev.date_added,
            kev.name.as_deref().unwrap_or("-")
        ));
    }
    if let Some(epss) = epss {
        notes.push(format!(
            "epss: {:.5} (percentile {:.5})",
            epss.score, epss.percentile
        ));
    }
    if let Some(cve) = cve {
        let vectors = |list: &[portcullis_vulndb::SeverityVector]| {
            if list.is_empty() {
                "none".to_owned()
            } else {
                list.iter()
                    .map(|v| v.score.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let word = |w: &Option<String>| w.clone().unwrap_or_else(|| "-".to_owned());
        notes.push(format!(
            "cve record{}: CNA {}; CISA ADP {}; SSVC exploitation {}, automatable {}, technical impact {}",
            if cve.rejected { " (rejected)" } else { "" },
            vectors(&cve.cna),
            vectors(&cve.adp),
            word(&cve.ssvc.exploitation),
            word(&cve.ssvc.automatable),
            word(&cve.ssvc.technical_impact),
        ));
    }
    notes
}
