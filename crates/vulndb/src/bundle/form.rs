//! The bundle form of a DB file and back. A bundle holds the record blocks
//! inflated and no index: zstd then sees every record's JSON in one long
//! window, which takes the shared corpus's bundle from 49 % to 28 % of the
//! DB file. Installing deflates the blocks again and rebuilds the index.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::schema::{sql_error, INDEXES, RECORD_ZSTD_LEVEL};
use crate::Error;

/// `meta.form` of a DB file in bundle form.
const BUNDLE_FORM: &str = "bundle";

/// What `bundle::install` writes into `meta` about where the DB came from.
pub(super) struct Origin<'a> {
    pub digest: &'a str,
    pub size: u64,
    pub from: &'a str,
}

fn open(path: &Path) -> Result<Connection, Error> {
    let error = sql_error(path);
    let connection = Connection::open(path).map_err(&error)?;
    // Freed pages are zeroed, so that stale bytes neither ship nor stay.
    connection
        .execute_batch("PRAGMA journal_mode = OFF; PRAGMA secure_delete = ON; BEGIN")
        .map_err(&error)?;
    Ok(connection)
}

/// Rewrites every record block of the file at `path` through `change`.
fn rewrite_blocks(
    connection: &Connection,
    path: &Path,
    change: impl Fn(&[u8]) -> std::io::Result<Vec<u8>>,
) -> Result<(), Error> {
    let error = sql_error(path);
    let ids: Vec<i64> = connection
        .prepare("SELECT id FROM records ORDER BY id")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .map_err(&error)?;
    let mut select = connection
        .prepare("SELECT data FROM records WHERE id = ?1")
        .map_err(&error)?;
    let mut update = connection
        .prepare("UPDATE records SET data = ?2 WHERE id = ?1")
        .map_err(&error)?;
    for id in ids {
        let data: Vec<u8> = select.query_row([id], |row| row.get(0)).map_err(&error)?;
        let changed = change(&data).map_err(|source| Error::Compress {
            path: path.to_owned(),
            source,
        })?;
        update.execute(params![id, changed]).map_err(&error)?;
    }
    Ok(())
}

/// Turns the DB copy at `path` into bundle form, in place.
pub(super) fn to_bundle(path: &Path) -> Result<(), Error> {
    let error = sql_error(path);
    let connection = open(path)?;
    rewrite_blocks(&connection, path, |data| zstd::stream::decode_all(data))?;
    connection
        .execute_batch("DROP INDEX advisories_osv_id")
        .map_err(&error)?;
    connection
        .execute(
            "INSERT OR REPLACE INTO meta VALUES ('form', ?1)",
            [BUNDLE_FORM],
        )
        .map_err(&error)?;
    connection.execute_batch("COMMIT").map_err(&error)?;
    connection.close().map_err(|(_, source)| error(source))
}

/// Turns an unpacked bundle at `path` back into a DB, in place, and notes its origin.
/// A plain DB file (no `meta.form`) is only given the note.
pub(super) fn from_bundle(path: &Path, origin: &Origin<'_>) -> Result<(), Error> {
    let error = sql_error(path);
    let connection = open(path)?;
    let form: Option<String> = connection
        .query_row("SELECT value FROM meta WHERE key = 'form'", [], |row| {
            row.get(0)
        })
        .optional()
        .map_err(&error)?;
    if form.as_deref() == Some(BUNDLE_FORM) {
        let mut compressor =
            zstd::bulk::Compressor::new(RECORD_ZSTD_LEVEL).map_err(|source| Error::Compress {
                path: path.to_owned(),
                source,
            })?;
        // `Compressor::compress` needs `&mut`; the closure is called once per block.
        let compressor = std::cell::RefCell::new(&mut compressor);
        rewrite_blocks(&connection, path, |data| {
            compressor.borrow_mut().compress(data)
        })?;
        connection.execute_batch(INDEXES).map_err(&error)?;
        connection
            .execute("DELETE FROM meta WHERE key = 'form'", [])
            .map_err(&error)?;
    }
    for (key, value) in [
        ("bundle_digest", origin.digest.to_owned()),
        ("bundle_size", origin.size.to_string()),
        ("bundle_from", origin.from.to_owned()),
    ] {
        connection
            .execute(
                "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(&error)?;
    }
    connection.execute_batch("COMMIT; VACUUM").map_err(&error)?;
    connection.close().map_err(|(_, source)| error(source))
}
