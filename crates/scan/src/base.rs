//! `--base`: the image this one was built on, named or found, read as
//! cheaply as the two images allow. When the image's diff_id chain starts
//! with the base's, the base is the image's own bottom layers: their
//! packages come from the same read (`comparison: layers`), and nothing of
//! the base but its config is fetched. Otherwise (a squashed or rebased
//! image, or a base whose layers are not known before reading it) the base
//! is read in full and the two inventories compared (`comparison: inventory`).

use std::path::Path;

use portcullis_assess::origin::{self, Advice, Candidate, CandidateFindings, FixedHere};
use portcullis_assess::AssessedFinding;
use portcullis_catalog::Inventory;
use portcullis_source::{BaseFoundBy, BaseName, Contents, TargetSummary};
use portcullis_vulndb::Database;

use crate::{inventory, open, read, Error, Inventoried, ReadConfig};

/// How the base image is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseRequest {
    /// `--base TARGET`.
    Named(String),
    /// `--base auto`, or a gate with `origin = own`: from the image's
    /// annotations or labels, else from `--dockerfile`'s last `FROM`.
    Auto,
}

/// What the scan is told about the base image.
#[derive(Debug, Clone, Default)]
pub struct BaseSettings {
    /// `None`: no base work at all, unless a gate asks for `origin = own`.
    pub request: Option<BaseRequest>,
    /// `--build-arg KEY=VALUE`, for an `ARG` in the Dockerfile's `FROM`.
    pub build_args: Vec<(String, String)>,
    /// `--base-candidates`: other bases to compare.
    pub candidates: Vec<String>,
}

/// How the base's packages were told apart from the image's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The image's bottom layers are the base's layers.
    Layers,
    /// The base was read on its own and its inventory compared.
    Inventory,
}

impl Comparison {
    pub fn name(self) -> &'static str {
        match self {
            Comparison::Layers => "layers",
            Comparison::Inventory => "inventory",
        }
    }
}

/// The base as the scan read it.
#[derive(Debug, Clone)]
pub(crate) struct BaseRead {
    pub(crate) target: TargetSummary,
    pub(crate) found_by: BaseFoundBy,
    pub(crate) comparison: Comparison,
    pub(crate) inventory: Inventory,
}

/// What a report says about the base image.
#[derive(Debug, Clone)]
pub struct BaseReport {
    /// The base as opened: its reference, digest and layers.
    pub target: TargetSummary,
    pub found_by: BaseFoundBy,
    pub comparison: Comparison,
    /// Packages in the base.
    pub packages: usize,
    /// Findings the base has on its own (matched on its inventory).
    pub findings: usize,
    /// Base findings the image's layers upgraded or removed away.
    pub fixed_here: Vec<FixedHere>,
    pub advice: Advice,
    /// `--base-candidates`, compared with the base.
    pub candidates: Vec<Candidate>,
    /// Some gate counts only the image's own findings (`origin = own`).
    pub own_only: bool,
}

/// Reads `target` and its base, found as `request` says.
pub(crate) fn read_with_base(
    target: &str,
    config: &ReadConfig,
    request: &BaseRequest,
    settings: &BaseSettings,
    dockerfile: Option<&Path>,
) -> Result<(Inventoried, BaseRead), Error> {
    let image = open(target, config)?;
    let mut early = match request {
        BaseRequest::Named(name) => Some(BaseName {
            target: name.clone(),
            found_by: BaseFoundBy::Flag,
        }),
        BaseRequest::Auto => match portcullis_source::base_from_metadata(&image.summary()) {
            Some(found) => Some(found),
            None => from_dockerfile(dockerfile, &settings.build_args)?,
        },
    };
    // A local engine's export brings its config (and labels) only as it
    // streams: the base is looked for again once the image is read.
    let streamed = matches!(image.contents, Contents::Export(_));
    let no_base = || Error::NoBase {
        target: target.to_owned(),
    };
    let open_base = |name: &BaseName| {
        tracing::info!("base image: {} (by {})", name.target, name.found_by.name());
        open(&name.target, config).map_err(|source| Error::Base {
            base: name.target.clone(),
            source: Box::new(source),
        })
    };
    let (name, base_image, scanned, below) = match early.take() {
        Some(name) => {
            let base_image = open_base(&name)?;
            let layers = base_image.config.diff_ids.clone();
            let (scanned, below) = read(target, image, config, &layers)?;
            (name, base_image, scanned, below)
        }
        None if streamed => {
            let (scanned, _) = read(target, image, config, &[])?;
            let name =
                portcullis_source::base_from_metadata(&scanned.target).ok_or_else(no_base)?;
            let base_image = open_base(&name)?;
            (name, base_image, scanned, None)
        }
        None => return Err(no_base()),
    };
    let base = match below {
        Some(inventory) => BaseRead {
            target: base_image.summary(),
            found_by: name.found_by,
            comparison: Comparison::Layers,
            inventory,
        },
        None => {
            tracing::info!(
                "the layers of `{target}` do not start with those of `{}`: comparing the two inventories",
                name.target
            );
            let quiet = ReadConfig {
                checks: false,
                ..config.clone()
            };
            let (read_base, _) =
                read(&name.target, base_image, &quiet, &[]).map_err(|source| Error::Base {
                    base: name.target.clone(),
                    source: Box::new(source),
                })?;
            BaseRead {
                target: read_base.target,
                found_by: name.found_by,
                comparison: Comparison::Inventory,
                inventory: read_base.inventory,
            }
        }
    };
    Ok((scanned, base))
}

/// The base named by the Dockerfile's last `FROM`, when a Dockerfile is given.
fn from_dockerfile(
    dockerfile: Option<&Path>,
    build_args: &[(String, String)],
) -> Result<Option<BaseName>, Error> {
    match dockerfile {
        Some(path) => portcullis_source::base_from_dockerfile(path, build_args)
            .map_err(|source| Error::Dockerfile(Box::new(source))),
        None => Ok(None),
    }
}

/// Sets each finding's origin against the base, and says what the image's
/// layers fixed, what they could fix, and how the candidates compare.
pub(crate) fn compare(
    db: &Database,
    base: BaseRead,
    image: &Inventory,
    findings: &mut [AssessedFinding],
    settings: &BaseSettings,
    config: &ReadConfig,
    own_only: bool,
) -> Result<BaseReport, Error> {
    let db_error = |e| Error::Db(Box::new(e));
    origin::classify(findings, image, &base.inventory);
    let (base_findings, _) = portcullis_match::find(db, &base.inventory).map_err(db_error)?;
    let fixed_here = origin::fixed_here(image, findings, &base.inventory, &base_findings);
    let advice = origin::advise(findings, image);
    let mut candidates = Vec::new();
    if !settings.candidates.is_empty() {
        let current =
            CandidateFindings::of(&base.target.reference, &base.inventory, &base_findings);
        let quiet = ReadConfig {
            checks: false,
            ..config.clone()
        };
        let mut each = Vec::with_capacity(settings.candidates.len());
        for candidate in &settings.candidates {
            let started = std::time::Instant::now();
            let scanned = inventory(candidate, &quiet).map_err(|source| Error::Base {
                base: candidate.clone(),
                source: Box::new(source),
            })?;
            let (found, _) = portcullis_match::find(db, &scanned.inventory).map_err(db_error)?;
            tracing::info!(
                "base candidate {candidate}: {} packages, {} findings ({})",
                scanned.inventory.packages().len(),
                found.len(),
                crate::ms(started)
            );
            each.push(CandidateFindings::of(candidate, &scanned.inventory, &found));
        }
        candidates = origin::compare_candidates(&current, &each);
    }
    Ok(BaseReport {
        packages: base.inventory.packages().len(),
        findings: base_findings.len(),
        target: base.target,
        found_by: base.found_by,
        comparison: base.comparison,
        fixed_here,
        advice,
        candidates,
        own_only,
    })
}
