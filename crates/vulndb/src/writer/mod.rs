//! Writes a new DB file: tables first, rows in one transaction, then the
//! per-package rows, indexes and metadata last. The caller renames the
//! finished file into place.

mod blocks;
mod carry;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::cve::CveRecord;
use super::osv::Advisory;
use super::rows::{EpssScore, KevEntry, SourceInfo};
use super::schema::{
    in_family, package_key, sql_error, INDEXES, RECORD_ZSTD_LEVEL, SCHEMA, SCHEMA_VERSION,
};
use super::stored::{self, Entry, Place, StoredInfo, StoredRange};
use super::Error;
use blocks::Blocks;

/// Writes a new database file.
pub(crate) struct Builder {
    connection: Connection,
    path: PathBuf,
    blocks: Blocks,
    /// Feed name -> `feeds.id`.
    feeds: HashMap<String, i64>,
    /// Ecosystem name -> `ecosystems.id`.
    ecosystems: HashMap<String, i64>,
    /// Compresses long ranges.
    compressor: zstd::bulk::Compressor<'static>,
    /// An encoded `StoredRange` -> its `ranges.id`: each distinct one stored once.
    ranges: HashMap<Vec<u8>, i64>,
    /// (ecosystem id, package key) -> its entries, in advisory then record order.
    affected: BTreeMap<(i64, String), Vec<Entry>>,
    /// `advisories.id` - 1 -> the advisory's OSV id (for the per-ecosystem counts).
    osv_ids: Vec<String>,
}

impl Builder {
    /// Creates the tables in a new, empty file at `path`.
    pub(crate) fn create(path: &Path) -> Result<Builder, Error> {
        let error = sql_error(path);
        let connection = Connection::open(path).map_err(&error)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;",
            )
            .map_err(&error)?;
        connection.execute_batch(SCHEMA).map_err(&error)?;
        connection.execute_batch("BEGIN").map_err(&error)?;
        Ok(Builder {
            connection,
            path: path.to_owned(),
            blocks: Blocks::new(path)?,
            compressor: zstd::bulk::Compressor::new(RECORD_ZSTD_LEVEL).map_err(|source| {
                Error::Compress {
                    path: path.to_owned(),
                    source,
                }
            })?,
            feeds: HashMap::new(),
            ecosystems: HashMap::new(),
            ranges: HashMap::new(),
            affected: BTreeMap::new(),
            osv_ids: Vec::new(),
        })
    }

    /// Sets the fetch time of sources a mirror confirmed unchanged.
    pub(crate) fn mark_fetched(&mut self, names: &[String], at: &str) -> Result<(), Error> {
        let path = self.path.clone();
        let error = sql_error(&path);
        for name in names {
            self.connection
                .execute(
                    "UPDATE sources SET fetched_at = ?2 WHERE name = ?1",
                    [name.as_str(), at],
                )
                .map_err(&error)?;
        }
        Ok(())
    }

    /// The id of a name in one of the small name tables, added when new.
    fn intern(
        connection: &Connection,
        path: &Path,
        table: &str,
        names: &mut HashMap<String, i64>,
        name: &str,
    ) -> Result<i64, Error> {
        if let Some(id) = names.get(name) {
            return Ok(*id);
        }
        let id = names.len() as i64 + 1;
        connection
            .prepare_cached(&format!("INSERT INTO {table} (id, name) VALUES (?1, ?2)"))
            .and_then(|mut statement| statement.execute(params![id, name]))
            .map_err(sql_error(path))?;
        names.insert(name.to_owned(), id);
        Ok(id)
    }

    fn feed_id(&mut self, name: &str) -> Result<i64, Error> {
        Self::intern(&self.connection, &self.path, "feeds", &mut self.feeds, name)
    }

    fn ecosystem_id(&mut self, name: &str) -> Result<i64, Error> {
        Self::intern(
            &self.connection,
            &self.path,
            "ecosystems",
            &mut self.ecosystems,
            name,
        )
    }

    /// The id of an encoded `StoredRange`, stored when it is new.
    fn range_id(&mut self, encoded: Vec<u8>) -> Result<i64, Error> {
        if let Some(id) = self.ranges.get(&encoded) {
            return Ok(*id);
        }
        let id = self.ranges.len() as i64 + 1;
        let packed = stored::pack_range(&encoded, &mut self.compressor).map_err(|source| {
            Error::Compress {
                path: self.path.clone(),
                source,
            }
        })?;
        self.connection
            .prepare_cached("INSERT INTO ranges (id, data) VALUES (?1, ?2)")
            .and_then(|mut statement| statement.execute(params![id, packed]))
            .map_err(sql_error(&self.path))?;
        self.ranges.insert(encoded, id);
        Ok(id)
    }

    /// Adds an advisory row (the record is already in block `place`); returns its id.
    fn insert_advisory(&mut self, row: AdvisoryRow<'_>) -> Result<i64, Error> {
        let id = self.osv_ids.len() as i64 + 1;
        self.connection
            .prepare_cached(
                "INSERT INTO advisories (id, feed, osv_id, block, start, length, withdrawn, summary, info)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    id,
                    row.feed,
                    row.osv_id,
                    row.place.block,
                    row.place.start,
                    row.place.length,
                    row.withdrawn,
                    row.summary,
                    row.info
                ])
            })
            .map_err(sql_error(&self.path))?;
        self.osv_ids.push(row.osv_id.to_owned());
        Ok(id)
    }

    /// Adds one advisory from `source`. `family` limits the `affected` rows to
    /// one ecosystem (`Debian` keeps `Debian:12`), as OSV's per-ecosystem zips
    /// repeat multi-ecosystem records in each.
    pub(crate) fn add_advisory(
        &mut self,
        source: &str,
        family: Option<&str>,
        advisory: &Advisory,
        json: &[u8],
    ) -> Result<(), Error> {
        let feed = self.feed_id(source)?;
        let place = self.blocks.add(&self.connection, feed, json)?;
        let info = StoredInfo::of(advisory).map_err(Error::Store)?;
        let id = self.insert_advisory(AdvisoryRow {
            feed,
            osv_id: &advisory.id,
            place,
            withdrawn: advisory.withdrawn.is_some(),
            summary: advisory.summary.as_deref(),
            info: info.as_deref(),
        })?;
        for entry in &advisory.affected {
            if !in_family(family, &entry.ecosystem) {
                continue;
            }
            let range = StoredRange::new(
                &entry.ranges,
                &entry.versions,
                entry.severity.as_deref(),
                entry.imports.as_deref(),
            );
            let range = self.range_id(stored::encode(&range).map_err(Error::Store)?)?;
            let ecosystem = self.ecosystem_id(&entry.ecosystem)?;
            self.affected
                .entry((ecosystem, package_key(&entry.ecosystem, &entry.name)))
                .or_default()
                .push(Entry {
                    advisory: id,
                    range,
                });
        }
        Ok(())
    }

    pub(crate) fn add_kev(&mut self, entry: &KevEntry) -> Result<(), Error> {
        self.connection
            .prepare_cached("INSERT OR REPLACE INTO kev VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .and_then(|mut statement| {
                statement.execute(params![
                    entry.cve,
                    entry.date_added,
                    entry.due_date,
                    entry.vendor,
                    entry.product,
                    entry.name,
                    entry.ransomware
                ])
            })
            .map_err(sql_error(&self.path))?;
        Ok(())
    }

    pub(crate) fn add_cve(&mut self, record: &CveRecord) -> Result<(), Error> {
        let cna = serde_json::to_string(&record.cna).map_err(Error::Encode)?;
        let adp = serde_json::to_string(&record.adp).map_err(Error::Encode)?;
        self.connection
            .prepare_cached(
                "INSERT OR REPLACE INTO cve_records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    record.cve,
                    record.rejected,
                    cna,
                    adp,
                    record.ssvc.exploitation,
                    record.ssvc.automatable,
                    record.ssvc.technical_impact
                ])
            })
            .map_err(sql_error(&self.path))?;
        Ok(())
    }

    pub(crate) fn add_epss(&mut self, cve: &str, score: EpssScore) -> Result<(), Error> {
        self.connection
            .prepare_cached("INSERT OR REPLACE INTO epss VALUES (?1, ?2, ?3)")
            .and_then(|mut statement| {
                statement.execute(params![cve, score.score, score.percentile])
            })
            .map_err(sql_error(&self.path))?;
        Ok(())
    }

    pub(crate) fn add_source(&mut self, source: &SourceInfo) -> Result<(), Error> {
        self.connection
            .execute(
                "INSERT OR REPLACE INTO sources VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    source.name,
                    source.url,
                    source.digest,
                    source.records,
                    source.skipped,
                    source.etag,
                    source.last_modified,
                    source.fetched_at
                ],
            )
            .map_err(sql_error(&self.path))?;
        Ok(())
    }

    /// Writes one `affected` row per package and the per-ecosystem counts.
    fn write_affected(&mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let error = sql_error(&path);
        let mut insert = self
            .connection
            .prepare("INSERT INTO affected (ecosystem, name, entries) VALUES (?1, ?2, ?3)")
            .map_err(&error)?;
        let mut per_ecosystem: HashMap<i64, BTreeSet<&str>> = HashMap::new();
        for ((ecosystem, name), entries) in &self.affected {
            let encoded = stored::encode(entries).map_err(Error::Store)?;
            insert
                .execute(params![ecosystem, name, encoded])
                .map_err(&error)?;
            let ids = per_ecosystem.entry(*ecosystem).or_default();
            for entry in entries {
                let index = usize::try_from(entry.advisory - 1).unwrap_or(usize::MAX);
                if let Some(osv_id) = self.osv_ids.get(index) {
                    ids.insert(osv_id);
                }
            }
        }
        let mut count = self
            .connection
            .prepare("INSERT INTO counts (ecosystem, advisories) VALUES (?1, ?2)")
            .map_err(&error)?;
        for (name, id) in &self.ecosystems {
            let advisories = per_ecosystem.get(id).map_or(0, BTreeSet::len);
            if advisories > 0 {
                count
                    .execute(params![name, advisories as i64])
                    .map_err(&error)?;
            }
        }
        Ok(())
    }

    /// Writes what is still in memory, indexes the tables, writes the
    /// metadata and closes the file.
    pub(crate) fn finish(mut self, built_at: &str) -> Result<(), Error> {
        let path = self.path.clone();
        let error = sql_error(&path);
        self.blocks.flush_all(&self.connection)?;
        self.write_affected()?;
        self.connection.execute_batch("COMMIT").map_err(&error)?;
        self.connection.execute_batch(INDEXES).map_err(&error)?;
        let digests: Vec<String> = self
            .connection
            .prepare("SELECT name || '=' || digest FROM sources ORDER BY name")
            .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
            .map_err(&error)?;
        let digest = portcullis_model::Digest::sha256_of(
            format!("schema={SCHEMA_VERSION}\n{}", digests.join("\n")).as_bytes(),
        );
        for (key, value) in [
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("built_at", built_at.to_owned()),
            ("digest", digest.to_string()),
        ] {
            self.connection
                .execute(
                    "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
                    params![key, value],
                )
                .map_err(&error)?;
        }
        self.connection.execute_batch("ANALYZE").map_err(&error)?;
        self.connection
            .close()
            .map_err(|(_, source)| error(source))?;
        Ok(())
    }
}

/// One `advisories` row as written.
struct AdvisoryRow<'a> {
    feed: i64,
    osv_id: &'a str,
    place: Place,
    withdrawn: bool,
    summary: Option<&'a str>,
    info: Option<&'a [u8]>,
}
