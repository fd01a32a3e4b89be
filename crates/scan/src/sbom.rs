//! An SBOM target: the document is read (bounded) and its components become
//! the inventory; there are no layers to read.

use std::path::Path;

use portcullis_catalog::Inventory;

use crate::Error;

/// SBOMs of real images stay far below this (256 MiB).
const MAX_SBOM_BYTES: u64 = 256 << 20;

pub(crate) fn read(path: &Path) -> Result<Inventory, Error> {
    let shown = path.display().to_string();
    let io_error = |source| Error::SbomIo {
        path: shown.clone(),
        source,
    };
    let file = fs_err::File::open(path).map_err(io_error)?;
    let bytes = portcullis_io::read_bounded(file, MAX_SBOM_BYTES)
        .map_err(io_error)?
        .ok_or_else(|| Error::Sbom {
            path: shown.clone(),
            message: format!("it is larger than {MAX_SBOM_BYTES} bytes"),
        })?;
    portcullis_catalog::read_sbom(&bytes, &shown).map_err(|error| Error::Sbom {
        path: shown.clone(),
        message: error.to_string(),
    })
}
