//! The score/suppress stage: each finding gets its scores (`score/`: CVSS,
//! severity, KEV, EPSS, risk), what suppresses it (`suppress/`: the ignore
//! file, OpenVEX), whether a Go finding's vulnerable code is linked into the
//! binary (`go_symbols.rs`) and whether it is new against a baseline, in one
//! record per finding ([`AssessedFinding`]). Nothing is dropped or changed.

mod assessed;
pub mod go_symbols;
pub mod origin;
pub mod score;
pub mod suppress;

pub use assessed::{AssessedCheck, AssessedFinding};

use portcullis_catalog::Inventory;
use portcullis_checks::CheckFinding;
use portcullis_match::Finding;
use portcullis_vulndb::{self as vulndb, Database};

use score::Exposure;
use suppress::{Baseline, Notice, Subject, Suppressions};

/// What the stage knows besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct AssessConfig<'a> {
    /// What about the image raises a finding's risk.
    pub exposure: Exposure,
    pub suppressions: &'a Suppressions,
    pub baseline: Option<&'a Baseline>,
    /// Today, `YYYY-MM-DD`, for ignore entries' expiry.
    pub today: &'a str,
}

/// Every finding and check, assessed, and the ignore entries that expired or matched nothing.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub findings: Vec<AssessedFinding>,
    pub checks: Vec<AssessedCheck>,
    pub notices: Vec<Notice>,
}

/// Scores, suppresses and dates every finding and check, keeping their order.
pub fn assess(
    findings: Vec<Finding>,
    checks: Vec<CheckFinding>,
    inventory: &Inventory,
    db: &Database,
    config: &AssessConfig<'_>,
) -> Result<Assessment, vulndb::Error> {
    let subjects: Vec<Subject<'_>> = findings
        .iter()
        .map(|f| Subject::of_finding(f, inventory.package(f.package)))
        .chain(checks.iter().map(Subject::of_check))
        .collect();
    let (suppressions, notices) = suppress::apply(config.suppressions, &subjects, config.today);
    drop(subjects);
    let mut suppressions = suppressions.into_iter();
    let mut assessed = Vec::with_capacity(findings.len());
    for finding in findings {
        let package = inventory.package(finding.package);
        let code = go_symbols::determine(
            package,
            finding.go_imports.as_deref(),
            inventory.go_binaries(),
        );
        assessed.push(AssessedFinding {
            score: score::score(&finding, db, config.exposure)?,
            code,
            suppression: suppressions.next().flatten(),
            origin: None,
            new: config.baseline.is_none_or(|b| b.is_new(&finding, package)),
            finding,
        });
    }
    let checks = checks
        .into_iter()
        .map(|check| AssessedCheck {
            check,
            suppression: suppressions.next().flatten(),
        })
        .collect();
    Ok(Assessment {
        findings: assessed,
        checks,
        notices,
    })
}
