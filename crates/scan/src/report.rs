//! What a scan hands the renderers: the target, its inventory, the DB it was
//! matched with, every assessed finding and check, and the decisions.

use portcullis_assess::suppress::Notice;
use portcullis_assess::{AssessedCheck, AssessedFinding};
use portcullis_catalog::{Diagnostic, Inventory, Package};
use portcullis_checks::CheckFinding;
use portcullis_layer::ReadStats;
use portcullis_match::Unmatchable;
use portcullis_model::Timestamp;
use portcullis_policy::{Decision, Limits, Verdict};
use portcullis_source::{DockerfileStep, TargetSummary};
use portcullis_vulndb::{Age, Database, Freshness, SourceInfo};

use crate::Error;

/// What was read from a target, before any matching.
#[derive(Debug, Clone)]
pub struct Inventoried {
    pub target: TargetSummary,
    pub inventory: Inventory,
    pub stats: ReadStats,
    /// Hygiene and secret checks that fired, most severe first.
    pub checks: Vec<CheckFinding>,
}

/// The DB a report was made with.
#[derive(Debug, Clone)]
pub struct DbSummary {
    pub digest: String,
    pub built_at: String,
    pub sources: Vec<SourceInfo>,
    /// Set when the DB is older than the warning age.
    pub age_warning: Option<String>,
}

impl DbSummary {
    /// Checks `db`'s age against `freshness` and summarises it.
    pub(crate) fn of(
        db: &Database,
        freshness: &Freshness,
        now: Timestamp,
    ) -> Result<DbSummary, Error> {
        let db_error = |e| Error::Db(Box::new(e));
        let built_at = db.built_at().map_err(db_error)?;
        let sources = db.sources().map_err(db_error)?;
        // The DB is as old as the feed fetched longest ago (an unreadable
        // time counts as the epoch: stale, never fresh); a rebuild that
        // fetched nothing new does not make it younger.
        let fetched = |text: &str| text.parse().unwrap_or(Timestamp::from_unix(0));
        let oldest = sources
            .iter()
            .map(|source| (fetched(&source.fetched_at), source.name.as_str()))
            .min_by_key(|(at, _)| at.unix());
        let (age_of, feed) = match oldest {
            Some((at, name)) => (at, Some(name)),
            None => (fetched(&built_at), None),
        };
        let age_warning = match freshness.check(age_of, now).map_err(db_error)? {
            Age::Fresh => None,
            Age::Old { age } => Some(match feed {
                Some(feed) => format!(
                    "the vulnerability DB is {age} old (its `{feed}` feed was fetched longest ago); run `portcullis db update`"
                ),
                None => format!("the vulnerability DB is {age} old; run `portcullis db update`"),
            }),
        };
        Ok(DbSummary {
            digest: db.digest().map_err(db_error)?,
            built_at,
            sources,
            age_warning,
        })
    }
}

/// Everything one scan found and decided.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: TargetSummary,
    pub inventory: Inventory,
    pub stats: ReadStats,
    pub db: DbSummary,
    /// Sorted by package, then id.
    pub findings: Vec<AssessedFinding>,
    /// Most severe first.
    pub checks: Vec<AssessedCheck>,
    /// Packages whose version could not be compared.
    pub unmatchable: Vec<Unmatchable>,
    /// Ignore entries that expired or matched nothing.
    pub notices: Vec<Notice>,
    /// The Dockerfile instruction that made each layer (`--dockerfile`), bottom first.
    pub layer_steps: Vec<Option<DockerfileStep>>,
    pub decisions: Vec<Decision>,
    pub verdict: Verdict,
    /// The sandbox limits every policy ran under.
    pub policy_limits: Limits,
    /// Each policy's exact input, when the gate was asked to keep them.
    pub policy_inputs: Vec<portcullis_policy::PolicyInput>,
    /// The base image, when the scan knows it (`--base`).
    pub base: Option<crate::BaseReport>,
}

impl Report {
    /// The package a finding is about.
    pub fn package_of(&self, finding: &AssessedFinding) -> &Package {
        self.inventory.package(finding.finding.package)
    }

    /// Whether some file or package could not be analysed.
    pub fn partial(&self) -> bool {
        self.inventory.partial() || !self.unmatchable.is_empty()
    }

    /// Everything the gate could not read or evaluate, in one list: the
    /// inventory's diagnostics (files that could not be parsed, caps reached),
    /// then each package whose version or advisory ranges could not be
    /// evaluated. Every report format shows this list.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.inventory.diagnostics.clone();
        all.extend(
            self.unmatchable
                .iter()
                .map(|gap| gap.diagnostic(&self.inventory)),
        );
        all
    }

    /// The Dockerfile step that made layer `index`, when known.
    pub fn dockerfile_step(&self, index: usize) -> Option<&DockerfileStep> {
        self.layer_steps.get(index).and_then(Option::as_ref)
    }
}
