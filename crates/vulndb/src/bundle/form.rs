//! The bundle form of a DB file and back. A bundle holds the record blocks
//! and the long ranges inflated, and no index: zstd then sees every record's
//! JSON in one long window, which takes the shared corpus's bundle from 49 %
//! to 28 % of the DB file. What the records say again (each advisory's id,
//! summary, aliases and severities) is left out and read back from them on
//! install, which takes it to 32 %. Installing deflates the blocks and
//! ranges again and rebuilds the index.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::osv::Advisory;
use crate::schema::{sql_error, INDEXES, RECORD_ZSTD_LEVEL};
use crate::stored::{self, Place, StoredInfo};
use crate::Error;

/// `meta.form` of a DB file in bundle form.
const BUNDLE_FORM: &str = "bundle";

/// What `bundle::install` writes into `meta` about where the DB came from.
pub(super) struct Origin<'a> {
    pub digest: &'a str,
    pub size: u64,
    pub from: &'a str,
}

fn compress_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Compress {
        path: path.to_owned(),
        source,
    }
}

fn damaged(path: &Path) -> impl Fn(stored::StoredError) -> Error + '_ {
    move |source| Error::Damaged {
        path: path.to_owned(),
        what: "range".to_owned(),
        source,
    }
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

/// Rewrites the `data` of every row of `table` (`records` or `ranges`) of
/// the file at `path` through `change`.
fn rewrite(
    connection: &Connection,
    path: &Path,
    table: &str,
    mut change: impl FnMut(&[u8]) -> Result<Vec<u8>, Error>,
) -> Result<(), Error> {
    let error = sql_error(path);
    let ids: Vec<i64> = connection
        .prepare(&format!("SELECT id FROM {table} ORDER BY id"))
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .map_err(&error)?;
    let mut select = connection
        .prepare(&format!("SELECT data FROM {table} WHERE id = ?1"))
        .map_err(&error)?;
    let mut update = connection
        .prepare(&format!("UPDATE {table} SET data = ?2 WHERE id = ?1"))
        .map_err(&error)?;
    for id in ids {
        let data: Vec<u8> = select.query_row([id], |row| row.get(0)).map_err(&error)?;
        let changed = change(&data)?;
        update.execute(params![id, changed]).map_err(&error)?;
    }
    Ok(())
}

/// Turns the DB copy at `path` into bundle form, in place.
pub(super) fn to_bundle(path: &Path) -> Result<(), Error> {
    let error = sql_error(path);
    let connection = open(path)?;
    let compress = compress_error(path);
    rewrite(&connection, path, "records", |data| {
        zstd::stream::decode_all(data).map_err(&compress)
    })?;
    rewrite(&connection, path, "ranges", |data| {
        let encoded = stored::unpack_range(data).map_err(damaged(path))?;
        Ok(stored::raw_range(&encoded))
    })?;
    connection
        .execute_batch("UPDATE advisories SET osv_id = '', summary = NULL, info = NULL")
        .map_err(&error)?;
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
        restore_advisories(&connection, path)?;
        let compress = compress_error(path);
        let mut compressor = zstd::bulk::Compressor::new(RECORD_ZSTD_LEVEL).map_err(&compress)?;
        rewrite(&connection, path, "records", |data| {
            compressor.compress(data).map_err(&compress)
        })?;
        rewrite(&connection, path, "ranges", |data| {
            let encoded = stored::unpack_range(data).map_err(damaged(path))?;
            stored::pack_range(&encoded, &mut compressor).map_err(&compress)
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

/// Reads each advisory's id, summary, aliases and severities back from its
/// record, in the still inflated blocks of a bundle.
fn restore_advisories(connection: &Connection, path: &Path) -> Result<(), Error> {
    let error = sql_error(path);
    let places: Vec<(i64, Place)> = connection
        .prepare("SELECT id, block, start, length FROM advisories ORDER BY block, start")
        .and_then(|mut s| {
            s.query_map([], |row| {
                Ok((
                    row.get(0)?,
                    Place {
                        block: row.get(1)?,
                        start: row.get(2)?,
                        length: row.get(3)?,
                    },
                ))
            })?
            .collect()
        })
        .map_err(&error)?;
    let mut select = connection
        .prepare("SELECT data FROM records WHERE id = ?1")
        .map_err(&error)?;
    let mut update = connection
        .prepare("UPDATE advisories SET osv_id = ?2, summary = ?3, info = ?4 WHERE id = ?1")
        .map_err(&error)?;
    let mut block: Option<(i64, Vec<u8>)> = None;
    for (id, place) in places {
        if block.as_ref().is_none_or(|(at, _)| *at != place.block) {
            let data: Vec<u8> = select
                .query_row([place.block], |row| row.get(0))
                .map_err(&error)?;
            block = Some((place.block, data));
        }
        let json = block.as_ref().and_then(|(_, data)| place.slice(data));
        let damaged = |source| Error::Damaged {
            path: path.to_owned(),
            what: format!("record of advisory {id}"),
            source,
        };
        let Some(json) = json else {
            return Err(damaged(stored::StoredError::Dangling(format!(
                "bytes {}+{} of record block {}",
                place.start, place.length, place.block
            ))));
        };
        let advisory = Advisory::from_json(json)
            .map_err(|why| damaged(stored::StoredError::Record(why.to_string())))?;
        let info = StoredInfo::of(&advisory).map_err(Error::Store)?;
        update
            .execute(params![id, advisory.id, advisory.summary, info])
            .map_err(&error)?;
    }
    Ok(())
}
