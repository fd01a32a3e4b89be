//! One-file DB bundles for air gaps: the SQLite file, zstd-compressed.
//! `db export` writes one; `db import` (and `db pull`) read one back, check
//! that it is a DB of this schema, and rename it into place.

use std::io::{Read, Write};
use std::path::Path;

use super::build::BuildLock;

use portcullis_io::AtomicFile;

use super::query::Database;
use super::Error;

/// zstd level for bundles: they are written once and copied often.
const BUNDLE_ZSTD_LEVEL: i32 = 12;
/// A bundle may not unpack past this (8 GiB), whatever it claims.
const MAX_BUNDLE_BYTES: u64 = 8 << 30;

/// Writes the DB at `db_path` as a bundle to `out`, atomically.
pub fn export(db_path: &Path, out: &Path) -> Result<(), Error> {
    Database::open(db_path)?;
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io {
            path: path.clone(),
            source,
        }
    };
    let mut file = AtomicFile::create(out).map_err(io_error(out))?;
    let input = fs_err::File::open(db_path).map_err(io_error(db_path))?;
    let mut encoder =
        zstd::stream::write::Encoder::new(&mut file, BUNDLE_ZSTD_LEVEL).map_err(io_error(out))?;
    std::io::copy(&mut std::io::BufReader::new(input), &mut encoder).map_err(io_error(out))?;
    encoder.finish().map_err(io_error(out))?;
    file.commit().map_err(io_error(out))
}

/// Unpacks a bundle from `reader`, checks it, and renames it to `db_path`.
pub(crate) fn install(reader: impl Read, origin: &Path, db_path: &Path) -> Result<(), Error> {
    let dir = db_path.parent().unwrap_or(Path::new("."));
    let io_error = |source| Error::Io {
        path: origin.to_owned(),
        source,
    };
    fs_err::create_dir_all(dir).map_err(io_error)?;
    let lock = BuildLock::acquire(db_path)?;
    super::build::remove_leftovers(&lock, db_path, None);
    let mut file = AtomicFile::create(db_path).map_err(io_error)?.mode(0o644);
    let decoder = zstd::stream::read::Decoder::new(reader).map_err(io_error)?;
    let copied =
        std::io::copy(&mut decoder.take(MAX_BUNDLE_BYTES + 1), &mut file).map_err(io_error)?;
    if copied > MAX_BUNDLE_BYTES {
        return Err(Error::EntryTooLarge {
            path: origin.to_owned(),
            entry: "the bundled DB".to_owned(),
            limit: MAX_BUNDLE_BYTES,
        });
    }
    file.flush().map_err(io_error)?;
    Database::open(file.temp_path()).map_err(|error| match error {
        Error::NotADatabase { source, .. } => Error::NotADatabase {
            path: origin.to_owned(),
            source,
        },
        other => other,
    })?;
    file.commit().map_err(io_error)
}
