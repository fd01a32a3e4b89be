//! Writes a new DB file: tables first, rows in one transaction, indexes and
//! metadata last. The caller renames the finished file into place.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::cve::CveRecord;
use super::osv::Advisory;
use super::rows::{EpssScore, KevEntry, SourceInfo};
use super::schema::{package_key, sql_error, INDEXES, RECORD_ZSTD_LEVEL, SCHEMA, SCHEMA_VERSION};
use super::Error;

/// Writes a new database file.
pub(crate) struct Builder {
    connection: Connection,
    path: PathBuf,
    compressor: zstd::bulk::Compressor<'static>,
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
        let compressor =
            zstd::bulk::Compressor::new(RECORD_ZSTD_LEVEL).map_err(|source| Error::Compress {
                path: path.to_owned(),
                source,
            })?;
        Ok(Builder {
            connection,
            path: path.to_owned(),
            compressor,
        })
    }

    /// Copies the sources named in `keep` (all their rows) from the database at `old`.
    /// Sets the fetch time of sources a mirror confirmed unchanged.
    pub(crate) fn mark_fetched(&mut self, names: &[String], at: &str) -> Result<(), Error> {
        let error = sql_error(&self.path);
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

    pub(crate) fn copy_sources(&mut self, old: &Path, keep: &[String]) -> Result<(), Error> {
        if keep.is_empty() {
            return Ok(());
        }
        let error = sql_error(&self.path);
        self.connection
            .execute("ATTACH DATABASE ?1 AS old", [old.to_string_lossy()])
            .map_err(&error)?;
        for name in keep {
            let copied = [
                "INSERT INTO sources SELECT * FROM old.sources WHERE name = ?1",
                "INSERT INTO advisories SELECT * FROM old.advisories WHERE source = ?1",
                "INSERT INTO affected SELECT f.* FROM old.affected f JOIN old.advisories a ON a.id = f.advisory WHERE a.source = ?1",
                "INSERT INTO aliases SELECT l.* FROM old.aliases l JOIN old.advisories a ON a.id = l.advisory WHERE a.source = ?1",
            ];
            for statement in copied {
                self.connection.execute(statement, [name]).map_err(&error)?;
            }
            match name.as_str() {
                "kev" => self
                    .connection
                    .execute("INSERT INTO kev SELECT * FROM old.kev", []),
                "epss" => self
                    .connection
                    .execute("INSERT INTO epss SELECT * FROM old.epss", []),
                "cve" => self
                    .connection
                    .execute("INSERT INTO cve_records SELECT * FROM old.cve_records", []),
                _ => Ok(0),
            }
            .map_err(&error)?;
        }
        self.connection
            .execute_batch("COMMIT; DETACH DATABASE old; BEGIN")
            .map_err(&error)?;
        Ok(())
    }

    /// Adds the aliases, upstream and related ids of advisory row `id`.
    fn add_aliases(&self, id: i64, advisory: &Advisory) -> Result<(), Error> {
        let error = sql_error(&self.path);
        let mut alias = self
            .connection
            .prepare_cached("INSERT INTO aliases (advisory, alias, kind) VALUES (?1, ?2, ?3)")
            .map_err(&error)?;
        for (kind, names) in [
            ("alias", &advisory.aliases),
            ("upstream", &advisory.upstream),
            ("related", &advisory.related),
        ] {
            for name in names {
                alias.execute(params![id, name, kind]).map_err(&error)?;
            }
        }
        Ok(())
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
        let error = sql_error(&self.path);
        let record = self
            .compressor
            .compress(json)
            .map_err(|source| Error::Compress {
                path: self.path.clone(),
                source,
            })?;
        let severity = serde_json::to_string(&advisory.severity).map_err(Error::Encode)?;
        let mut insert = self
            .connection
            .prepare_cached(
                "INSERT INTO advisories (source, osv_id, modified, published, withdrawn, summary, severity, database_severity, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(&error)?;
        insert
            .execute(params![
                source,
                advisory.id,
                advisory.modified,
                advisory.published,
                advisory.withdrawn,
                advisory.summary,
                severity,
                advisory.database_severity,
                record
            ])
            .map_err(&error)?;
        let id = self.connection.last_insert_rowid();
        let mut affected = self
            .connection
            .prepare_cached(
                "INSERT INTO affected (ecosystem, name, advisory, position, osv_id, withdrawn, ranges, versions, severity, imports)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(&error)?;
        for (position, entry) in advisory.affected.iter().enumerate() {
            let in_family = family.is_none_or(|family| {
                entry.ecosystem == family
                    || entry
                        .ecosystem
                        .strip_prefix(family)
                        .is_some_and(|rest| rest.starts_with(':'))
            });
            if !in_family {
                continue;
            }
            affected
                .execute(params![
                    entry.ecosystem,
                    package_key(&entry.ecosystem, &entry.name),
                    id,
                    position as i64,
                    advisory.id,
                    advisory.withdrawn.is_some(),
                    serde_json::to_string(&entry.ranges).map_err(Error::Encode)?,
                    serde_json::to_string(&entry.versions).map_err(Error::Encode)?,
                    entry.severity,
                    entry
                        .imports
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(Error::Encode)?
                ])
                .map_err(&error)?;
        }
        self.add_aliases(id, advisory)?;
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

    /// Indexes the tables, writes the metadata and closes the file.
    pub(crate) fn finish(self, built_at: &str) -> Result<(), Error> {
        let error = sql_error(&self.path);
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
