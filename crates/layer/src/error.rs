//! Errors from reading layers and the layer cache.

use std::path::PathBuf;

use portcullis_model::Digest;

/// Names a layer in messages: `layer 3 (sha256:1a2b3c4d5e6f)`, or a zip by its path.
#[derive(Debug, Clone)]
pub struct LayerName {
    pub index: usize,
    pub digest: Digest,
    /// Set for a zip read as a layer.
    pub file: Option<PathBuf>,
}

impl LayerName {
    pub fn zip(path: &std::path::Path) -> LayerName {
        LayerName {
            index: 0,
            digest: Digest::sha256_of(b""),
            file: Some(path.to_owned()),
        }
    }
}

impl std::fmt::Display for LayerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(path) => write!(f, "`{}`", path.display()),
            None => write!(f, "layer {} ({})", self.index + 1, self.digest.short()),
        }
    }
}

/// Why a layer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not open {layer}")]
    Open {
        layer: LayerName,
        #[source]
        source: Box<portcullis_source::Error>,
    },
    #[error("{layer} is corrupt or truncated (read {offset} bytes of its {stage})")]
    Read {
        layer: LayerName,
        offset: u64,
        stage: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("{layer} has digest {}, but {} was expected", .digests.1, .digests.0)]
    DigestMismatch {
        layer: LayerName,
        /// (expected, actual), boxed to keep `Result` small.
        digests: Box<(Digest, Digest)>,
    },
    #[error("{layer} holds the entry `{path}`, which {why}")]
    UnsafePath {
        layer: LayerName,
        path: String,
        why: &'static str,
    },
    #[error("{layer} unpacks past {limit} bytes (raise it with `{flag}`)")]
    TooLarge {
        layer: LayerName,
        limit: u64,
        flag: &'static str,
    },
    #[error("`{path}` is a link that points out of the image (through `{target}`)")]
    LinkEscapes { path: String, target: String },
    #[error("could not write the layer cache in `{path}`")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the export of `{location}` broke off")]
    Export {
        location: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the export of `{location}` is not the image the engine named: {why}")]
    ExportIncomplete { location: String, why: String },
    #[error("the export of `{location}` could not be read")]
    ExportSource {
        location: String,
        #[source]
        source: Box<portcullis_source::Error>,
    },
    #[error("could not read `{path}`")]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// What to do about it, when that is known.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::TooLarge { .. } => Some("if the image is genuine, raise the cap named above"),
            _ => None,
        }
    }

    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::Open { source, .. } => source.is_undecided(),
            Error::Cache { .. } | Error::Export { .. } => true,
            Error::ExportSource { source, .. } => source.is_undecided(),
            Error::Read { .. }
            | Error::DigestMismatch { .. }
            | Error::UnsafePath { .. }
            | Error::TooLarge { .. }
            | Error::LinkEscapes { .. }
            | Error::ExportIncomplete { .. }
            | Error::Directory { .. } => false,
        }
    }
}
