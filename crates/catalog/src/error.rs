//! Why cataloging stopped: the image itself is at fault (a link out of it, a
//! package database that cannot be read). A single unusable file is not an
//! error but a diagnostic (see `inventory.rs`).

use crate::distro::rpm;

/// Why cataloging failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not look up a file in the image")]
    Lookup(#[from] portcullis_layer::Error),
    #[error("`{path}` ({}) is not a readable rpm database", layer_label(*.layer))]
    RpmDatabase {
        path: String,
        layer: Option<usize>,
        #[source]
        source: rpm::DatabaseError,
    },
    #[error("row {row} of `{path}` is not a valid rpm header")]
    RpmHeader {
        path: String,
        row: usize,
        #[source]
        source: rpm::HeaderError,
    },
    #[error("the catalogers' path patterns do not compile")]
    Patterns(#[source] globset::Error),
}

/// `layer 3`, or `root filesystem`.
pub(crate) fn layer_label(layer: Option<usize>) -> String {
    layer.map_or("root filesystem".to_owned(), |i| format!("layer {}", i + 1))
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::Lookup(inner) => inner.is_undecided(),
            Error::Patterns(_) => true,
            Error::RpmDatabase { .. } | Error::RpmHeader { .. } => false,
        }
    }
}
