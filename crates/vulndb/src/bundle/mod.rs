//! One-file DB bundles for air gaps and the OCI artifact: the DB file in
//! bundle form (`form.rs`), zstd-compressed with a long window. `db export`
//! writes one; `db import` (and `db pull`) read one back, check that it is
//! a DB of this schema, and rename it into place.

mod form;

use std::io::{Read, Write};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use sha2::Digest as _;

use super::build::BuildLock;
use super::query::Database;
use super::schema::sql_error;
use super::Error;
use portcullis_io::AtomicFile;

/// zstd level and window for bundles: they are written once and downloaded
/// by every runner. On the shared corpus (90 MB in bundle form) level 19
/// takes 34 s for 4.75 MB, level 15 5 s for 5.5 MB, level 12 1.5 s for 5.6 MB.
const BUNDLE_ZSTD_LEVEL: i32 = 19;
/// 128 MiB: what `zstd --long` uses; a decoder must allow it.
const BUNDLE_WINDOW_LOG: u32 = 27;
/// A bundle may not unpack past this (8 GiB), whatever it claims.
const MAX_BUNDLE_BYTES: u64 = 8 << 30;

/// What `db export` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// `sha256:…` of the bundle's bytes.
    pub digest: String,
    pub size: u64,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Counts and hashes the bytes that pass through.
struct Hashing<T> {
    inner: T,
    hasher: sha2::Sha256,
    bytes: u64,
}

impl<T> Hashing<T> {
    fn new(inner: T) -> Hashing<T> {
        Hashing {
            inner,
            hasher: sha2::Sha256::new(),
            bytes: 0,
        }
    }

    fn digest(&self) -> String {
        format!("sha256:{}", hex::encode(self.hasher.clone().finalize()))
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        let done = buf.get(..written).unwrap_or_default();
        self.hasher.update(done);
        self.bytes += done.len() as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let done = buf.get(..read).unwrap_or_default();
        self.hasher.update(done);
        self.bytes += done.len() as u64;
        Ok(read)
    }
}

/// Writes the DB at `db_path` as a bundle to `out`, atomically.
pub fn export(db_path: &Path, out: &Path) -> Result<Exported, Error> {
    Database::open(db_path)?;
    // The copy in bundle form, in the temp dir: the DB's own dir may be read-only.
    let scratch = tempfile::tempdir().map_err(io_error(db_path))?;
    let copy = scratch.path().join("bundle.db");
    let error = sql_error(db_path);
    let connection = Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(&error)?;
    connection
        .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .map_err(&error)?;
    drop(connection);
    form::to_bundle(&copy)?;
    let mut file = AtomicFile::create(out).map_err(io_error(out))?;
    let mut hashing = Hashing::new(&mut file);
    let mut encoder = zstd::stream::write::Encoder::new(&mut hashing, BUNDLE_ZSTD_LEVEL)
        .map_err(io_error(out))?;
    encoder
        .long_distance_matching(true)
        .and_then(|()| encoder.window_log(BUNDLE_WINDOW_LOG))
        .and_then(|()| encoder.include_checksum(true))
        .map_err(io_error(out))?;
    let input = fs_err::File::open(&copy).map_err(io_error(&copy))?;
    std::io::copy(&mut std::io::BufReader::new(input), &mut encoder).map_err(io_error(out))?;
    encoder.finish().map_err(io_error(out))?;
    let exported = Exported {
        digest: hashing.digest(),
        size: hashing.bytes,
    };
    file.commit().map_err(io_error(out))?;
    Ok(exported)
}

/// Unpacks a bundle from `reader`, checks it, and renames it to `db_path`;
/// `meta` notes the bundle's digest, size and origin for `db status`.
pub(crate) fn install(reader: impl Read, origin: &Path, db_path: &Path) -> Result<(), Error> {
    let dir = db_path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir).map_err(io_error(origin))?;
    let lock = BuildLock::acquire(db_path)?;
    super::build::remove_leftovers(&lock, db_path, None);
    let mut file = AtomicFile::create(db_path)
        .map_err(io_error(origin))?
        .mode(0o644);
    let mut hashing = Hashing::new(reader);
    let mut decoder = zstd::stream::read::Decoder::new(&mut hashing).map_err(io_error(origin))?;
    decoder
        .window_log_max(BUNDLE_WINDOW_LOG)
        .map_err(io_error(origin))?;
    let copied = std::io::copy(&mut decoder.take(MAX_BUNDLE_BYTES + 1), &mut file)
        .map_err(io_error(origin))?;
    if copied > MAX_BUNDLE_BYTES {
        return Err(Error::EntryTooLarge {
            path: origin.to_owned(),
            entry: "the bundled DB".to_owned(),
            limit: MAX_BUNDLE_BYTES,
        });
    }
    file.flush().map_err(io_error(origin))?;
    let named = |error| match error {
        Error::NotADatabase { source, .. } => Error::NotADatabase {
            path: origin.to_owned(),
            source,
        },
        other => other,
    };
    Database::open_any_form(file.temp_path()).map_err(named)?;
    let digest = hashing.digest();
    form::from_bundle(
        file.temp_path(),
        &form::Origin {
            digest: &digest,
            size: hashing.bytes,
            from: &origin.display().to_string(),
        },
    )?;
    Database::open(file.temp_path()).map_err(named)?;
    file.commit().map_err(io_error(origin))
}
