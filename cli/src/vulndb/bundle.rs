//! One-file DB bundles for air gaps: the SQLite file, zstd-compressed.
//! `db export` writes one; `db import` (and `db pull`) read one back, check
//! that it is a DB of this schema, and rename it into place.

use std::io::{Read, Write};
use std::path::Path;

use super::build::BuildLock;

use super::store::Database;
use super::Error;

/// zstd level for bundles: they are written once and copied often.
const BUNDLE_ZSTD_LEVEL: i32 = 12;
/// A bundle may not unpack past this (8 GiB), whatever it claims.
const MAX_BUNDLE_BYTES: u64 = 8 << 30;

/// Writes the DB at `db_path` as a bundle to `out`, atomically.
pub(crate) fn export(db_path: &Path, out: &Path) -> Result<(), Error> {
    Database::open(db_path)?;
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io {
            path: path.clone(),
            source,
        }
    };
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        Some(_) | None => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io_error(dir))?;
    let input = fs_err::File::open(db_path).map_err(io_error(db_path))?;
    let mut encoder =
        zstd::stream::write::Encoder::new(&mut temp, BUNDLE_ZSTD_LEVEL).map_err(io_error(out))?;
    std::io::copy(&mut std::io::BufReader::new(input), &mut encoder).map_err(io_error(out))?;
    encoder.finish().map_err(io_error(out))?;
    temp.flush().map_err(io_error(out))?;
    temp.persist(out).map_err(|e| io_error(out)(e.error))?;
    Ok(())
}

/// Unpacks a bundle from `reader`, checks it, and renames it to `db_path`.
pub(crate) fn install(reader: impl Read, origin: &Path, db_path: &Path) -> Result<(), Error> {
    let dir = db_path.parent().unwrap_or(Path::new("."));
    let io_error = |source| Error::Io {
        path: origin.to_owned(),
        source,
    };
    fs_err::create_dir_all(dir).map_err(io_error)?;
    let _lock = BuildLock::acquire(db_path)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".portcullis-db-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_error)?;
    let decoder = zstd::stream::read::Decoder::new(reader).map_err(io_error)?;
    let copied =
        std::io::copy(&mut decoder.take(MAX_BUNDLE_BYTES + 1), &mut temp).map_err(io_error)?;
    if copied > MAX_BUNDLE_BYTES {
        return Err(Error::EntryTooLarge {
            path: origin.to_owned(),
            entry: "the bundled DB".to_owned(),
            limit: MAX_BUNDLE_BYTES,
        });
    }
    temp.flush().map_err(io_error)?;
    let temp = temp.into_temp_path();
    Database::open(&temp).map_err(|error| match error {
        Error::NotADatabase { source, .. } => Error::NotADatabase {
            path: origin.to_owned(),
            source,
        },
        other => other,
    })?;
    super::build::make_readable(&temp)?;
    temp.persist(db_path).map_err(|e| io_error(e.error))?;
    Ok(())
}
