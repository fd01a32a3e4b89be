//! The composition root: one target in, one result out. Runs the stages in
//! order (source → layers → squash → catalog) with frozen configs.

use crate::catalog::{self, Inventory};
use crate::layer::{self, LayerConfig, ReadStats};
use crate::model::{Digest, Platform};
use crate::source::{self, SourceConfig, TargetKind};

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

/// A file a cataloger wanted but could not use.
#[derive(Debug, Clone)]
pub(crate) struct Skipped {
    pub(crate) path: String,
    pub(crate) layer: Option<usize>,
    pub(crate) why: String,
}

/// The inventory of one target.
#[derive(Debug, Clone)]
pub(crate) struct ScanInventory {
    pub(crate) target: TargetSummary,
    pub(crate) inventory: Inventory,
    pub(crate) skipped: Vec<Skipped>,
    pub(crate) stats: ReadStats,
}

/// Opens `target`, reads its layers and catalogs its packages.
pub(crate) fn inventory(target: &str, config: &ScanConfig) -> Result<ScanInventory, Error> {
    let image = source::open(target, &config.source).map_err(|source| Error::Source {
        target: target.to_owned(),
        source: Box::new(source),
    })?;
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
    let skipped = view
        .skipped
        .iter()
        .map(|(path, layer, why)| Skipped {
            path: format!("/{path}"),
            layer: *layer,
            why: why.clone(),
        })
        .collect();
    Ok(ScanInventory {
        target: TargetSummary {
            kind: image.kind,
            reference: image.reference.clone(),
            manifest_digest: image.manifest_digest.clone(),
            platform: image.platform.clone(),
            layers: image.config.diff_ids.clone(),
        },
        inventory,
        skipped,
        stats,
    })
}
