//! OPA bundles: `opa build -t wasm` writes `bundle.tar.gz`, which holds the
//! module as `/policy.wasm`.
//!
//! See <https://www.openpolicyagent.org/docs/latest/management-bundles/>.

use crate::Error;

/// A bundle's module above this size is refused (64 MiB).
const MAX_BUNDLE_MODULE_BYTES: u64 = 64 << 20;

/// The `policy.wasm` of the gzipped bundle `bytes`, read from `path`.
pub(crate) fn bundle_module(bytes: &[u8], path: &str) -> Result<Vec<u8>, Error> {
    let read_error = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if name.trim_start_matches("./").trim_start_matches('/') == "policy.wasm" {
            return portcullis_io::read_bounded(&mut entry, MAX_BUNDLE_MODULE_BYTES)
                .map_err(read_error)?
                .ok_or_else(|| Error::Unsupported {
                    module: path.to_owned(),
                    what: "a bundle whose policy.wasm is larger than 64 MiB",
                });
        }
    }
    Err(Error::Unsupported {
        module: path.to_owned(),
        what: "a gzipped archive without `/policy.wasm` (not an OPA bundle)",
    })
}
