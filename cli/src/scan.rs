//! The composition root: one target in, one result out. Runs the stages in
//! order (source → layers → squash → catalog, then DB → match → score →
//! gate) with frozen configs.

use crate::catalog::{self, Inventory};
use crate::checks::{self, AllowList, CheckFinding, CheckInput};
use crate::layer::{self, LayerConfig, ReadStats};
use crate::matcher::{self, Finding, Unmatchable};
use crate::model::{Digest, Platform, Timestamp};
use crate::policy::{self, Decision, Host, Limits, Policy, Verdict, Violation};
use crate::score::{self, Exposure, Score};
use crate::source::{self, Contents, Image, SourceConfig, TargetKind};
use crate::suppress::{self, Notice, Suppression, Suppressions};
use crate::vulndb::{self, Database, Freshness, SourceInfo};

/// Frozen settings for one scan.
#[derive(Debug, Clone)]
pub(crate) struct ScanConfig {
    pub(crate) source: SourceConfig,
    pub(crate) layers: LayerConfig,
    /// Known-fake secrets.
    pub(crate) allow: AllowList,
    /// Run the hygiene and secret checks.
    pub(crate) checks: bool,
}

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("could not open `{target}`")]
    Source {
        target: String,
        #[source]
        source: Box<source::Error>,
    },
    #[error("could not read the layers of `{target}`")]
    Layer {
        target: String,
        #[source]
        source: Box<layer::Error>,
    },
    #[error("`{path}` is not a usable SBOM: {message}")]
    Sbom { path: String, message: String },
    #[error("could not read the SBOM `{path}`")]
    SbomIo {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("a policy could not decide")]
    Policy(#[source] Box<policy::Error>),
    #[error("the vulnerability DB cannot be used")]
    Db(#[source] Box<vulndb::Error>),
    #[error("could not catalog the packages of `{target}`")]
    Catalog {
        target: String,
        #[source]
        source: Box<catalog::Error>,
    },
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub(crate) fn is_undecided(&self) -> bool {
        match self {
            Error::Source { source, .. } => source.is_undecided(),
            Error::Layer { source, .. } => source.is_undecided(),
            Error::Catalog { source, .. } => source.is_undecided(),
            Error::Db(source) => source.is_undecided(),
            Error::Policy(source) => source.is_undecided(),
            Error::Sbom { .. } | Error::SbomIo { .. } => false,
        }
    }
}

/// What was scanned.
#[derive(Debug, Clone)]
pub(crate) struct TargetSummary {
    pub(crate) kind: TargetKind,
    pub(crate) reference: String,
    pub(crate) manifest_digest: Option<Digest>,
    pub(crate) platform: Option<Platform>,
    /// The layers' diff_ids, bottom first (empty for a root filesystem).
    pub(crate) layers: Vec<Digest>,
    /// The history step (`created_by`) that made each layer, when known.
    pub(crate) layer_commands: Vec<Option<String>>,
    /// The configured user (`None`: root by default).
    pub(crate) user: Option<String>,
    pub(crate) exposed_ports: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) labels: Vec<(String, String)>,
    /// Every history step, empty layers included.
    pub(crate) history: Vec<String>,
    pub(crate) healthcheck: Option<Vec<String>>,
}

impl TargetSummary {
    /// Names a layer for reports: its diff_id, or `rootfs`.
    pub(crate) fn layer_label(&self, layer: Option<usize>) -> String {
        match layer.and_then(|index| self.layers.get(index)) {
            Some(diff_id) => diff_id.to_string(),
            None => "rootfs".to_owned(),
        }
    }
}

/// The inventory of one target.
#[derive(Debug, Clone)]
pub(crate) struct ScanInventory {
    pub(crate) target: TargetSummary,
    pub(crate) inventory: Inventory,
    pub(crate) stats: ReadStats,
    /// Hygiene and secret checks that fired, most severe first.
    pub(crate) checks: Vec<CheckFinding>,
}

/// Opens `target`, reads its layers and catalogs its packages.
pub(crate) fn inventory(target: &str, config: &ScanConfig) -> Result<ScanInventory, Error> {
    let image = source::open(target, &config.source).map_err(|source| Error::Source {
        target: target.to_owned(),
        source: Box::new(source),
    })?;
    if let Contents::Sbom(path) = &image.contents {
        return Ok(ScanInventory {
            target: summary(&image),
            inventory: read_sbom(path)?,
            stats: ReadStats::default(),
            checks: Vec::new(),
        });
    }
    let mut selection = catalog::selection().map_err(|source| Error::Catalog {
        target: target.to_owned(),
        source: Box::new(source),
    })?;
    if config.checks {
        selection = selection.with_inspector(checks::inspector());
    }
    let (view, stats) =
        layer::read_image(&image, &selection, &config.layers).map_err(|source| Error::Layer {
            target: target.to_owned(),
            source: Box::new(source),
        })?;
    let inventory = catalog::catalog(&view).map_err(|source| Error::Catalog {
        target: target.to_owned(),
        source: Box::new(source),
    })?;
    let summary = summary(&image);
    let started = std::time::Instant::now();
    let checks = if !config.checks {
        Vec::new()
    } else {
        checks::run(&CheckInput {
            target: &summary,
            view: &view,
            packages: &inventory.packages,
            allow: &config.allow,
        })
    };
    tracing::debug!(
        "{} checks fired ({:.1} ms)",
        checks.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(ScanInventory {
        target: summary,
        inventory,
        stats,
        checks,
    })
}

fn summary(image: &Image) -> TargetSummary {
    TargetSummary {
        kind: image.kind,
        reference: image.reference.clone(),
        manifest_digest: image.manifest_digest.clone(),
        platform: image.platform.clone(),
        layers: image.config.diff_ids.clone(),
        layer_commands: image.config.layer_commands.clone(),
        user: image.config.user.clone(),
        exposed_ports: image.config.exposed_ports.clone(),
        env: image.config.env.clone(),
        labels: image.config.labels.clone(),
        history: image.config.history.clone(),
        healthcheck: image.config.healthcheck.clone(),
    }
}

/// SBOMs of real images stay far below this (256 MiB).
const MAX_SBOM_BYTES: u64 = 256 << 20;

fn read_sbom(path: &std::path::Path) -> Result<Inventory, Error> {
    use std::io::Read as _;
    let shown = path.display().to_string();
    let io_error = |source| Error::SbomIo {
        path: shown.clone(),
        source,
    };
    let mut bytes = Vec::new();
    fs_err::File::open(path)
        .map_err(io_error)?
        .take(MAX_SBOM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_SBOM_BYTES {
        return Err(Error::Sbom {
            path: shown,
            message: format!("it is larger than {MAX_SBOM_BYTES} bytes"),
        });
    }
    catalog::read_sbom(&bytes, &shown).map_err(|error| Error::Sbom {
        path: shown.clone(),
        message: error.to_string(),
    })
}

/// Frozen settings for matching and the gate.
#[derive(Debug, Clone)]
pub(crate) struct MatchConfig {
    pub(crate) db_path: std::path::PathBuf,
    pub(crate) freshness: Freshness,
    pub(crate) now: Timestamp,
    pub(crate) allow_partial: bool,
    /// The policies that decide, in order.
    pub(crate) policies: Vec<Policy>,
    pub(crate) limits: Limits,
    /// Where compiled policy modules are cached.
    pub(crate) policy_cache: Option<std::path::PathBuf>,
    pub(crate) suppressions: Suppressions,
    /// Finding keys of a previous report, to tell new findings.
    pub(crate) baseline: Option<std::collections::BTreeSet<(String, String, String)>>,
}

/// The DB a report was made with.
#[derive(Debug, Clone)]
pub(crate) struct DbSummary {
    pub(crate) digest: String,
    pub(crate) built_at: String,
    pub(crate) sources: Vec<SourceInfo>,
    /// Set when the DB is older than the warning age.
    pub(crate) age_warning: Option<String>,
}

/// Everything one scan found.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) scan: ScanInventory,
    pub(crate) db: DbSummary,
    pub(crate) findings: Vec<Finding>,
    /// Same order as `findings`.
    pub(crate) scores: Vec<Score>,
    pub(crate) unmatchable: Vec<Unmatchable>,
    /// Same order as `findings`.
    pub(crate) suppressed: Vec<Option<Suppression>>,
    /// Same order as `scan.checks`: checks an ignore entry accepts.
    pub(crate) checks_suppressed: Vec<Option<Suppression>>,
    /// Same order as `findings`: new against the baseline (all, without one).
    pub(crate) new: Vec<bool>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) decisions: Vec<Decision>,
    pub(crate) verdict: Verdict,
}

fn runs_as_root(user: Option<&str>) -> bool {
    match user.map(|u| u.split(':').next().unwrap_or(u).trim()) {
        None | Some("" | "0" | "root") => true,
        Some(_) => false,
    }
}

/// Refuses a partial analysis unless it is allowed: the gate cannot vouch
/// for what it could not read.
fn partial_analysis(report: &Report, config: &MatchConfig) -> Option<Decision> {
    let partial = report.scan.inventory.partial() || !report.unmatchable.is_empty();
    if !partial || config.allow_partial {
        return None;
    }
    let mut violations: Vec<Violation> = report
        .scan
        .inventory
        .diagnostics
        .iter()
        .map(|d| Violation {
            rule: "partial-analysis".to_owned(),
            severity: "error".to_owned(),
            message: format!("`{}` could not be analysed: {}", d.path, d.message),
            findings: Vec::new(),
        })
        .collect();
    violations.extend(report.unmatchable.iter().map(|u| Violation {
        rule: "partial-analysis".to_owned(),
        severity: "error".to_owned(),
        message: format!(
            "`{}` could not be matched: {}",
            report.scan.inventory.packages.get(u.package).map_or("?", |p| p.name.as_str()),
            u.why
        ),
        findings: Vec::new(),
    }));
    Some(Decision {
        module: "partial-analysis".to_owned(),
        verdict: Verdict::Error,
        violations,
    })
}

/// Expired ignore entries fail the gate: a suppression past its date is a
/// decision someone owes, not a silent pass.
fn expired_suppressions(report: &Report) -> Option<Decision> {
    let violations: Vec<Violation> = report
        .notices
        .iter()
        .filter_map(|notice| match notice {
            Notice::Expired { source, entry } => Some(Violation {
                rule: "expired-ignore".to_owned(),
                severity: "high".to_owned(),
                message: format!(
                    "the ignore entry for `{}` in `{source}` expired on {}{}; renew it or fix the finding",
                    entry.id,
                    entry.expires.as_deref().unwrap_or("?"),
                    entry.owner.as_deref().map(|o| format!(" (owner: {o})")).unwrap_or_default()
                ),
                findings: vec![entry.id.clone()],
            }),
            Notice::Unused { .. } => None,
        })
        .collect();
    (!violations.is_empty()).then(|| Decision {
        module: "suppressions".to_owned(),
        verdict: Verdict::Fail,
        violations,
    })
}

/// What policies know of the target.
fn policy_target(scan: &ScanInventory) -> policy::Target {
    let target = &scan.target;
    policy::Target {
        reference: target.reference.clone(),
        digest: target.manifest_digest.as_ref().map(ToString::to_string),
        platform: target.platform.as_ref().map(ToString::to_string),
        os: scan
            .inventory
            .os
            .as_ref()
            .map(|os| os.ecosystem.to_string()),
        user: target.user.clone(),
        exposed_ports: target.exposed_ports.clone(),
        env: Vec::new(),
        labels: std::collections::BTreeMap::new(),
        layers: target.layers.iter().map(ToString::to_string).collect(),
    }
}

/// Runs every policy on the report; any policy error fails closed.
fn decide(report: &Report, config: &MatchConfig) -> Result<Vec<Decision>, Error> {
    let mut decisions: Vec<Decision> = partial_analysis(report, config)
        .into_iter()
        .chain(expired_suppressions(report))
        .collect();
    if config.policies.is_empty() {
        return Ok(decisions);
    }
    let started = std::time::Instant::now();
    let host = Host::new(config.limits, config.policy_cache.clone())
        .map_err(|e| Error::Policy(Box::new(e)))?;
    let target = policy_target(&report.scan);
    let suppressed: Vec<bool> = report.suppressed.iter().map(Option::is_some).collect();
    let flags = policy::Flags {
        suppressed: &suppressed,
        new: &report.new,
    };
    for policy in &config.policies {
        let input = policy::document(
            &target,
            &report.scan.inventory.packages,
            &report.findings,
            &report.scores,
            policy::Checks {
                list: &report.scan.checks,
                suppressed: &report.checks_suppressed,
            },
            flags,
            &policy.settings,
        )
        .map_err(|source| {
            Error::Policy(Box::new(policy::Error::BadDecision {
                module: policy.name.clone(),
                source,
            }))
        })?;
        decisions
            .push(policy::evaluate(&host, policy, &input).map_err(|e| Error::Policy(Box::new(e)))?);
    }
    tracing::info!(
        "{} policies evaluated in {:.1} ms",
        config.policies.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(decisions)
}

/// Inventories `target`, matches it against the DB, scores the findings and decides.
pub(crate) fn scan(
    target: &str,
    config: &ScanConfig,
    matching: &MatchConfig,
) -> Result<Report, Error> {
    let db = Database::open(&matching.db_path).map_err(|e| Error::Db(Box::new(e)))?;
    let built_at = db.built_at().map_err(|e| Error::Db(Box::new(e)))?;
    let built: Timestamp = built_at.parse().unwrap_or(Timestamp::from_unix(0));
    let age = matching
        .freshness
        .check(built, matching.now)
        .map_err(|e| Error::Db(Box::new(e)))?;
    let age_warning = match age {
        vulndb::Age::Fresh => None,
        vulndb::Age::Old { age } => Some(format!(
            "the vulnerability DB is {age} old; run `portcullis db update`"
        )),
    };
    let db_summary = DbSummary {
        digest: db.digest().map_err(|e| Error::Db(Box::new(e)))?,
        built_at,
        sources: db.sources().map_err(|e| Error::Db(Box::new(e)))?,
        age_warning,
    };
    let scanned = inventory(target, config)?;
    let (findings, unmatchable) =
        matcher::find(&db, &scanned.inventory.packages).map_err(|e| Error::Db(Box::new(e)))?;
    let exposure = Exposure {
        exposes_ports: !scanned.target.exposed_ports.is_empty(),
        runs_as_root: scanned.target.kind != TargetKind::Dir
            && scanned.target.kind != TargetKind::Sbom
            && runs_as_root(scanned.target.user.as_deref()),
    };
    let scores = score::score(&findings, &db, exposure).map_err(|e| Error::Db(Box::new(e)))?;
    let today = matching
        .now
        .to_string()
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let subjects: Vec<suppress::Subject<'_>> = findings
        .iter()
        .map(|f| suppress::Subject::of_finding(f, &scanned.inventory.packages))
        .chain(scanned.checks.iter().map(suppress::Subject::of_check))
        .collect();
    let (mut suppressed, notices) = suppress::apply(&matching.suppressions, &subjects, &today);
    drop(subjects);
    let checks_suppressed = suppressed.split_off(findings.len().min(suppressed.len()));
    for notice in &notices {
        if let Notice::Unused { source, id } = notice {
            tracing::warn!("the ignore entry for `{id}` in `{source}` matched no finding");
        }
    }
    let new = suppress::new_flags(
        &findings,
        &scanned.inventory.packages,
        matching.baseline.as_ref(),
    );
    let mut report = Report {
        scan: scanned,
        db: db_summary,
        findings,
        scores,
        unmatchable,
        suppressed,
        checks_suppressed,
        new,
        notices,
        decisions: Vec::new(),
        verdict: Verdict::Pass,
    };
    report.decisions = decide(&report, matching)?;
    // Verdicts order pass < warn < fail < error: the worst decides.
    report.verdict = report
        .decisions
        .iter()
        .map(|d| d.verdict)
        .max()
        .unwrap_or(Verdict::Pass);
    Ok(report)
}
