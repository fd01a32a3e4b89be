//! An SBOM target: the document is read (bounded, from a file or, for `-`,
//! standard input) and its components become the inventory; there are no
//! layers to read.

use std::path::Path;

use portcullis_catalog::Inventory;

use crate::Error;

/// SBOMs of real images stay far below this (256 MiB).
const MAX_SBOM_BYTES: u64 = 256 << 20;

pub(crate) fn read(path: &Path) -> Result<Inventory, Error> {
    let shown = if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    let io_error = |source| Error::SbomIo {
        path: shown.clone(),
        source,
    };
    // `sbom:-`: the document comes on standard input (`syft … | portcullis scan sbom:-`).
    let input: Box<dyn std::io::Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(fs_err::File::open(path).map_err(io_error)?)
    };
    let bytes = portcullis_io::read_bounded(input, MAX_SBOM_BYTES)
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
