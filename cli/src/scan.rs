//! The composition root: one target in, one result out. Runs the stages in
//! order (source → layers → squash → catalog) with frozen configs.

use crate::catalog::{self, Inventory};
use crate::layer::{self, LayerConfig, ReadStats};
use crate::model::{Digest, Platform};
use crate::source::{self, Contents, Image, SourceConfig, TargetKind};

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
