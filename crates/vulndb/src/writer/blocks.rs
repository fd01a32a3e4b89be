//! Record blocks: the JSON of consecutive records of one feed, back to back,
//! compressed together as one zstd frame. Records of one feed look alike, so
//! a block of 64 compresses to a quarter of what 64 single records do.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use crate::schema::{sql_error, BLOCK_BYTES, BLOCK_RECORDS, RECORD_ZSTD_LEVEL};
use crate::stored::Place;
use crate::Error;

/// One block still being filled.
struct Open {
    id: i64,
    data: Vec<u8>,
    records: usize,
}

/// The open block of each feed, and the next block id.
pub(super) struct Blocks {
    path: PathBuf,
    open: HashMap<i64, Open>,
    next_id: i64,
    compressor: zstd::bulk::Compressor<'static>,
}

impl Blocks {
    pub(super) fn new(path: &Path) -> Result<Blocks, Error> {
        let compressor =
            zstd::bulk::Compressor::new(RECORD_ZSTD_LEVEL).map_err(|source| Error::Compress {
                path: path.to_owned(),
                source,
            })?;
        Ok(Blocks {
            path: path.to_owned(),
            open: HashMap::new(),
            next_id: 1,
            compressor,
        })
    }

    /// Appends a record to its feed's open block; a full block is written.
    pub(super) fn add(
        &mut self,
        connection: &Connection,
        feed: i64,
        json: &[u8],
    ) -> Result<Place, Error> {
        let next_id = &mut self.next_id;
        let block = self.open.entry(feed).or_insert_with(|| {
            let id = *next_id;
            *next_id += 1;
            Open {
                id,
                data: Vec::new(),
                records: 0,
            }
        });
        let place = Place {
            block: block.id,
            start: block.data.len() as i64,
            length: json.len() as i64,
        };
        block.data.extend_from_slice(json);
        block.records += 1;
        if block.records >= BLOCK_RECORDS || block.data.len() >= BLOCK_BYTES {
            if let Some(full) = self.open.remove(&feed) {
                self.write(connection, feed, &full)?;
            }
        }
        Ok(place)
    }

    /// Takes a new block id for a block copied whole from another DB.
    pub(super) fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn write(&mut self, connection: &Connection, feed: i64, block: &Open) -> Result<(), Error> {
        let data = self
            .compressor
            .compress(&block.data)
            .map_err(|source| Error::Compress {
                path: self.path.clone(),
                source,
            })?;
        connection
            .prepare_cached("INSERT INTO records (id, feed, data) VALUES (?1, ?2, ?3)")
            .and_then(|mut statement| statement.execute(params![block.id, feed, data]))
            .map_err(sql_error(&self.path))?;
        Ok(())
    }

    /// Writes every block still open.
    pub(super) fn flush_all(&mut self, connection: &Connection) -> Result<(), Error> {
        let mut open: Vec<(i64, Open)> = self.open.drain().collect();
        open.sort_by_key(|(_, block)| block.id);
        for (feed, block) in open {
            self.write(connection, feed, &block)?;
        }
        Ok(())
    }
}
