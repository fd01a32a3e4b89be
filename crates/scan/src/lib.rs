//! The composition root: one target in, one [`Report`] out. Runs the stages
//! in order with frozen configs: source (open) → layer (stream, squash) →
//! catalog (packages) and checks → vulndb + match (findings) → assess
//! (scores, suppressions, novelty) → policy (verdict). The report is built
//! once, complete.

mod base;
mod error;
mod report;
mod sbom;

use std::path::PathBuf;

use portcullis_assess::suppress::{Baseline, Notice, Suppressions};
use portcullis_assess::{score::Exposure, AssessConfig};
use portcullis_catalog::Inventory;
use portcullis_checks::{AllowList, CheckInput, ChecksInspector};
use portcullis_layer::{LayerConfig, ReadStats};
use portcullis_model::Digest;
use portcullis_model::Timestamp;
use portcullis_policy::GateConfig;
use portcullis_source::{Contents, Image, SourceConfig};
use portcullis_vulndb::{Database, Freshness};

pub use base::{BaseReport, BaseRequest, BaseSettings, Comparison};
pub use error::Error;
pub use report::{DbSummary, Inventoried, Report};

/// How a target is read.
#[derive(Debug, Clone)]
pub struct ReadConfig {
    pub source: SourceConfig,
    pub layers: LayerConfig,
    /// Known-fake secrets.
    pub allow: AllowList,
    /// Run the hygiene and secret checks.
    pub checks: bool,
}

/// How findings are made and decided on.
#[derive(Debug, Clone)]
pub struct GateSettings {
    pub db_path: PathBuf,
    pub freshness: Freshness,
    pub now: Timestamp,
    pub gate: GateConfig,
    pub suppressions: Suppressions,
    /// A previous report: findings it had are not new.
    pub baseline: Option<Baseline>,
    /// The Dockerfile that built the image, to attribute layers to its instructions.
    pub dockerfile: Option<PathBuf>,
    /// The image it was built on, to tell its findings from the image's own.
    pub base: BaseSettings,
}

/// Reads targets and decides on them.
#[derive(Debug, Clone)]
pub struct Scanner {
    read: ReadConfig,
    gate: GateSettings,
}

/// Opens `target`, reads its layers, catalogs its packages and runs the checks.
pub fn inventory(target: &str, config: &ReadConfig) -> Result<Inventoried, Error> {
    let image = open(target, config)?;
    Ok(read(target, image, config, &[])?.0)
}

/// Opens `target`: its manifest and config, no layer yet.
pub(crate) fn open(target: &str, config: &ReadConfig) -> Result<Image, Error> {
    portcullis_source::open(target, &config.source).map_err(|source| Error::Source {
        target: target.to_owned(),
        source: Box::new(source),
    })
}

/// Reads the opened `image` of `target`: its layers, packages and checks;
/// and when its layers begin with `base_layers` (the diff_ids of the image
/// it was built on), also the packages of those layers alone.
pub(crate) fn read(
    target: &str,
    mut image: Image,
    config: &ReadConfig,
    base_layers: &[Digest],
) -> Result<(Inventoried, Option<Inventory>), Error> {
    if let Contents::Sbom(path) = &image.contents {
        return Ok((
            Inventoried {
                target: image.summary(),
                inventory: sbom::read(path)?,
                stats: ReadStats::default(),
                checks: Vec::new(),
            },
            None,
        ));
    }
    let catalog_error = |source| Error::Catalog {
        target: target.to_owned(),
        source: Box::new(source),
    };
    let mut selection = portcullis_catalog::selection().map_err(catalog_error)?;
    if config.checks {
        selection = selection.with_inspector(std::sync::Arc::new(ChecksInspector));
    }
    let started = std::time::Instant::now();
    let (view, below, stats) =
        portcullis_layer::read_image_over_base(&mut image, &selection, &config.layers, base_layers)
            .map_err(|source| Error::Layer {
                target: target.to_owned(),
                source: Box::new(source),
            })?;
    tracing::info!(
        "read {target}: {} layers read, {} from the cache ({})",
        stats.layers_read,
        stats.layers_cached,
        ms(started)
    );
    // After the read: a local engine's export brings its config with it.
    let summary = image.summary();
    let started = std::time::Instant::now();
    let inventory = portcullis_catalog::catalog(&view).map_err(catalog_error)?;
    tracing::info!(
        "catalogued {} packages, {} diagnostics ({})",
        inventory.packages().len(),
        inventory.diagnostics.len(),
        ms(started)
    );
    let below = match below {
        Some(view) => {
            let started = std::time::Instant::now();
            let base = portcullis_catalog::catalog(&view).map_err(catalog_error)?;
            tracing::info!(
                "catalogued the base layers: {} packages ({})",
                base.packages().len(),
                ms(started)
            );
            Some(base)
        }
        None => None,
    };
    let started = std::time::Instant::now();
    let checks = if config.checks {
        portcullis_checks::run(&CheckInput {
            target: &summary,
            view: &view,
            packages: inventory.packages(),
            allow: &config.allow,
        })
    } else {
        Vec::new()
    };
    tracing::info!("{} checks fired ({})", checks.len(), ms(started));
    Ok((
        Inventoried {
            target: summary,
            inventory,
            stats,
            checks,
        },
        below,
    ))
}

/// How long since `started`, for the stage logs.
pub(crate) fn ms(started: std::time::Instant) -> String {
    format!("{:.1} ms", started.elapsed().as_secs_f64() * 1000.0)
}

impl Scanner {
    pub fn new(read: ReadConfig, gate: GateSettings) -> Scanner {
        Scanner { read, gate }
    }

    /// Inventories `target`, matches it against the DB, assesses the findings and decides.
    pub fn scan(&self, target: &str) -> Result<Report, Error> {
        let settings = &self.gate;
        let db_error = |e| Error::Db(Box::new(e));
        let db = Database::open(&settings.db_path).map_err(db_error)?;
        let db_summary = DbSummary::of(&db, &settings.freshness, settings.now)?;
        // The policies compile while the layers stream: on a cold cache the
        // compile would otherwise be most of the scan. A target that cannot
        // be read is reported before a policy that cannot be compiled.
        let own_only = settings.gate.gates_own_only();
        let request = settings
            .base
            .request
            .clone()
            .or_else(|| own_only.then_some(BaseRequest::Auto));
        let (scanned, prepared) = std::thread::scope(|scope| {
            let preparing = scope.spawn(|| portcullis_policy::prepare(&settings.gate));
            let scanned = match &request {
                Some(request) => base::read_with_base(
                    target,
                    &self.read,
                    request,
                    &settings.base,
                    settings.dockerfile.as_deref(),
                )
                .map(|(scanned, base)| (scanned, Some(base))),
                None => inventory(target, &self.read).map(|scanned| (scanned, None)),
            };
            (scanned, preparing.join())
        });
        let (scanned, base) = scanned?;
        let prepared = match prepared {
            Ok(prepared) => prepared.map_err(|e| Error::Policy(Box::new(e)))?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let layer_steps = match &settings.dockerfile {
            Some(path) => portcullis_source::attribute_layers(path, &scanned.target.layer_commands)
                .map_err(|source| Error::Dockerfile(Box::new(source)))?,
            None => Vec::new(),
        };
        let started = std::time::Instant::now();
        let (findings, unmatchable) =
            portcullis_match::find(&db, &scanned.inventory).map_err(db_error)?;
        tracing::info!(
            "matched: {} findings, {} packages that could not be evaluated ({})",
            findings.len(),
            unmatchable.len(),
            ms(started)
        );
        let today = settings
            .now
            .to_string()
            .get(..10)
            .unwrap_or_default()
            .to_owned();
        let assessment = portcullis_assess::assess(
            findings,
            scanned.checks,
            &scanned.inventory,
            &db,
            &AssessConfig {
                exposure: Exposure {
                    exposes_ports: !scanned.target.exposed_ports.is_empty(),
                    runs_as_root: scanned.target.runs_as_root(),
                },
                suppressions: &settings.suppressions,
                baseline: settings.baseline.as_ref(),
                today: &today,
            },
        )
        .map_err(db_error)?;
        let mut assessment = assessment;
        let base = match base {
            Some(base) => Some(base::compare(
                &db,
                base,
                &scanned.inventory,
                &mut assessment.findings,
                &settings.base,
                &self.read,
                own_only,
            )?),
            None => None,
        };
        for notice in &assessment.notices {
            if let Notice::Unused { source, id } = notice {
                tracing::warn!("the ignore entry for `{id}` in `{source}` matched no finding");
            }
        }
        let outcome = portcullis_policy::decide_prepared(
            &portcullis_policy::Subject {
                target: &scanned.target,
                inventory: &scanned.inventory,
                findings: &assessment.findings,
                checks: &assessment.checks,
                unmatchable: &unmatchable,
                notices: &assessment.notices,
            },
            &settings.gate,
            prepared,
        )
        .map_err(|e| Error::Policy(Box::new(e)))?;
        let policy_limits = settings.gate.limits;
        Ok(Report {
            target: scanned.target,
            inventory: scanned.inventory,
            stats: scanned.stats,
            db: db_summary,
            findings: assessment.findings,
            checks: assessment.checks,
            unmatchable,
            notices: assessment.notices,
            layer_steps,
            decisions: outcome.decisions,
            verdict: outcome.verdict,
            policy_limits,
            policy_inputs: outcome.inputs,
            base,
        })
    }
}
