//! A stored record's JSON, byte for byte as imported: found by its id or by
//! any id it lists, and cut from its inflated record block.

use std::collections::{BTreeSet, HashMap};

use rusqlite::OptionalExtension;

use super::Database;
use crate::schema::sql_error;
use crate::stored::{Place, StoredError};
use crate::Error;

impl Database {
    /// Every record whose id is `id` or that names it as an alias, upstream
    /// or related id, with its id, sorted by id; a record stored twice
    /// (two sources) once. The bytes are the record's JSON as imported.
    pub fn records(&self, id: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let error = sql_error(&self.path);
        // `instr` narrows the scan to rows whose encoded ids hold the text;
        // the decoded list decides.
        let mut statement = self
            .connection
            .prepare(
                "SELECT osv_id, block, start, length, info FROM advisories
                 WHERE osv_id = ?1 OR instr(info, CAST(?1 AS BLOB)) > 0 ORDER BY id",
            )
            .map_err(&error)?;
        let rows = statement
            .query_map([id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    Place {
                        block: row.get(1)?,
                        start: row.get(2)?,
                        length: row.get(3)?,
                    },
                    row.get::<_, Option<Vec<u8>>>(4)?,
                ))
            })
            .map_err(&error)?;
        let mut found = BTreeSet::new();
        let mut blocks = RecordBlocks::new(self);
        for row in rows {
            let (osv_id, place, info) = row.map_err(&error)?;
            if osv_id != id && !self.info(&osv_id, info.as_deref())?.names(id) {
                continue;
            }
            found.insert((osv_id.clone(), blocks.record(&osv_id, place)?));
        }
        Ok(found.into_iter().collect())
    }

    /// The compressed block `id`, as stored.
    fn block(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        self.connection
            .prepare_cached("SELECT data FROM records WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |row| row.get(0)).optional())
            .map_err(sql_error(&self.path))
    }
}

/// Inflates record blocks for one query, each once.
struct RecordBlocks<'d> {
    db: &'d Database,
    inflated: HashMap<i64, Vec<u8>>,
}

impl<'d> RecordBlocks<'d> {
    fn new(db: &'d Database) -> RecordBlocks<'d> {
        RecordBlocks {
            db,
            inflated: HashMap::new(),
        }
    }

    /// The JSON of the record at `place`.
    fn record(&mut self, osv_id: &str, place: Place) -> Result<Vec<u8>, Error> {
        let damaged = |missing: String| Error::Damaged {
            path: self.db.path.clone(),
            what: format!("record of `{osv_id}`"),
            source: StoredError::Dangling(missing),
        };
        if !self.inflated.contains_key(&place.block) {
            let Some(compressed) = self.db.block(place.block)? else {
                return Err(damaged(format!("record block {}", place.block)));
            };
            let data = zstd::stream::decode_all(compressed.as_slice()).map_err(|source| {
                Error::Compress {
                    path: self.db.path.clone(),
                    source,
                }
            })?;
            self.inflated.insert(place.block, data);
        }
        let range = self
            .inflated
            .get(&place.block)
            .and_then(|data| place.slice(data));
        match range {
            Some(bytes) => Ok(bytes.to_vec()),
            None => Err(damaged(format!(
                "bytes {}+{} of record block {}",
                place.start, place.length, place.block
            ))),
        }
    }
}
