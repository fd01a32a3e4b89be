//! The composition root: one target in, one result out. Runs the stages in
//! order (source → layers → squash → catalog, then DB → match → score →
//! gate) with frozen configs.

use crate::catalog::{self, Inventory};
use crate::layer::{self, LayerConfig, ReadStats};
use crate::matcher::{self, Finding, Unmatchable};
use crate::model::{Digest, Platform, Severity, Timestamp};
use crate::score::{self, Exposure, Score};
use crate::source::{self, Contents, Image, SourceConfig, TargetKind};
use crate::vulndb::{self, Database, Freshness, SourceInfo};

/// Frozen settings for one scan.
#[derive(Debug, Clone)]
pub(crate) struct ScanConfig {
    pub(crate) source: SourceConfig,
    pub(crate) layers: LayerConfig,
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
        });
    }
    let selection = catalog::selection().map_err(|source| Error::Catalog {
        target: target.to_owned(),
        source: Box::new(source),
    })?;
    let (view, stats) =
        layer::read_image(&image, &selection, &config.layers).map_err(|source| Error::Layer {
            target: target.to_owned(),
            source: Box::new(source),
        })?;
    let inventory = catalog::catalog(&view).map_err(|source| Error::Catalog {
        target: target.to_owned(),
        source: Box::new(source),
    })?;
    Ok(ScanInventory {
        target: summary(&image),
        inventory,
        stats,
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
    /// Fail when a finding is at least this severe (until policies decide).
    pub(crate) fail_on: Option<Severity>,
    pub(crate) allow_partial: bool,
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

/// The outcome of the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Warn,
    Fail,
    /// The gate could not decide (a partial analysis without `--allow-partial`).
    Error,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
    }
}

/// What the gate decided, and why.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    /// The rule that decided (`severity-gate`, `partial-analysis`).
    pub(crate) module: &'static str,
    pub(crate) verdict: Verdict,
    /// One line per violation, naming the findings.
    pub(crate) violations: Vec<(String, Vec<String>)>,
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
    pub(crate) decisions: Vec<Decision>,
    pub(crate) verdict: Verdict,
}

fn runs_as_root(user: Option<&str>) -> bool {
    match user.map(|u| u.split(':').next().unwrap_or(u).trim()) {
        None | Some("" | "0" | "root") => true,
        Some(_) => false,
    }
}

/// The interim gate until WASM policies decide: a severity threshold, and
/// refusing a partial analysis unless it is allowed.
fn decide(report: &Report, config: &MatchConfig) -> Vec<Decision> {
    let mut decisions = Vec::new();
    let partial = report.scan.inventory.partial() || !report.unmatchable.is_empty();
    if partial && !config.allow_partial {
        let mut violations: Vec<(String, Vec<String>)> = report
            .scan
            .inventory
            .diagnostics
            .iter()
            .map(|d| {
                (
                    format!("`{}` could not be analysed: {}", d.path, d.message),
                    Vec::new(),
                )
            })
            .collect();
        violations.extend(report.unmatchable.iter().map(|u| {
            let name = report
                .scan
                .inventory
                .packages
                .get(u.package)
                .map_or("?", |p| p.name.as_str());
            (
                format!("`{name}` could not be matched: {}", u.why),
                Vec::new(),
            )
        }));
        decisions.push(Decision {
            module: "partial-analysis",
            verdict: Verdict::Error,
            violations,
        });
    }
    if let Some(threshold) = config.fail_on {
        let failing: Vec<String> = report
            .findings
            .iter()
            .zip(&report.scores)
            .filter(|(_, score)| score.severity >= threshold)
            .map(|(finding, _)| finding.id.clone())
            .collect();
        decisions.push(Decision {
            module: "severity-gate",
            verdict: if failing.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            violations: if failing.is_empty() {
                Vec::new()
            } else {
                vec![(
                    format!("{} findings at or above {threshold}", failing.len()),
                    failing,
                )]
            },
        });
    }
    decisions
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
    let mut report = Report {
        scan: scanned,
        db: db_summary,
        findings,
        scores,
        unmatchable,
        decisions: Vec::new(),
        verdict: Verdict::Pass,
    };
    report.decisions = decide(&report, matching);
    report.verdict = report
        .decisions
        .iter()
        .map(|d| d.verdict)
        .fold(Verdict::Pass, |worst, v| match (worst, v) {
            (Verdict::Error, _) | (_, Verdict::Error) => Verdict::Error,
            (Verdict::Fail, _) | (_, Verdict::Fail) => Verdict::Fail,
            (Verdict::Warn, _) | (_, Verdict::Warn) => Verdict::Warn,
            (Verdict::Pass, Verdict::Pass) => Verdict::Pass,
        });
    Ok(report)
}
