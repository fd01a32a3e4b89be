//! Turn the kept files of an image into packages, and detect its OS.
//!
//! Each package format has its own file; each declares the paths it wants
//! (its `WANTS`), which [`selection`] hands to the layer reader.

mod apk;
mod dpkg;
mod os;
mod package;
mod rpm;

use crate::layer::{self, Selection, View, Want};

pub(crate) use os::OperatingSystem;
pub(crate) use package::Package;

/// Bump when a cataloger changes what it keeps or how, to invalidate cached layers.
const COLLECTOR_VERSION: &str = "portcullis-collectors-1";

/// Why cataloging failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("could not look up a file in the image")]
    Lookup(#[from] layer::Error),
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

fn layer_label(layer: Option<usize>) -> String {
    layer.map_or("root filesystem".to_owned(), |i| format!("layer {}", i + 1))
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub(crate) fn is_undecided(&self) -> bool {
        match self {
            Error::Lookup(inner) => inner.is_undecided(),
            Error::Patterns(_) => true,
            Error::RpmDatabase { .. } | Error::RpmHeader { .. } => false,
        }
    }
}

/// What an image holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inventory {
    pub(crate) os: Option<OperatingSystem>,
    pub(crate) packages: Vec<Package>,
}

/// The paths every cataloger wants, compiled once.
pub(crate) fn selection() -> Result<Selection, Error> {
    let wants: Vec<Want> = os::WANTS
        .iter()
        .chain(&dpkg::WANTS)
        .chain(&apk::WANTS)
        .chain(&rpm::WANTS)
        .copied()
        .collect();
    Selection::new(&wants, COLLECTOR_VERSION).map_err(Error::Patterns)
}

/// Catalogs the OS packages in `view`, sorted by kind, name and version.
pub(crate) fn catalog(view: &View) -> Result<Inventory, Error> {
    let mut os = os::detect(view)?;
    if let Some(os) = &mut os {
        apk::refine_ecosystem(view, os)?;
    }
    let mut packages = dpkg::catalog(view, os.as_ref())?;
    packages.extend(apk::catalog(view, os.as_ref())?);
    packages.extend(rpm::catalog(view, os.as_ref())?);
    packages.sort();
    Ok(Inventory { os, packages })
}
