//! Reads a DB opened read-only: typed queries with prepared statements for
//! the matcher, the scorer, `db status`, `db lookup` and `db show`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::cve::{CveRecord, Ssvc};
use super::rows::{AdvisoryInfo, AffectedRow, EpssScore, KevEntry, SourceInfo, Status};
use super::schema::{package_key, sql_error, SCHEMA_VERSION};
use super::Error;

/// Names per `affecting_many` statement (SQLite takes up to 32,766 parameters).
const AFFECTING_BATCH: usize = 500;

/// A database opened read-only.
pub struct Database {
    connection: Connection,
    path: PathBuf,
}

impl Database {
    /// Opens `path` read-only and checks its schema version.
    pub fn open(path: &Path) -> Result<Database, Error> {
        if !path.is_file() {
            return Err(Error::Missing {
                path: path.to_owned(),
            });
        }
        let error = sql_error(path);
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(&error)?;
        // Map the file instead of copying pages through read(2): lookups touch few pages, often.
        connection
            .execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA query_only = ON;")
            .map_err(&error)?;
        let version: Option<String> = connection
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|source| Error::NotADatabase {
                path: path.to_owned(),
                source,
            })?;
        let found = version.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        if found != SCHEMA_VERSION {
            return Err(Error::Schema {
                path: path.to_owned(),
                found,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(Database {
            connection,
            path: path.to_owned(),
        })
    }

    fn meta(&self, key: &str) -> Result<String, Error> {
        self.connection
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .map_err(sql_error(&self.path))
    }

    pub fn built_at(&self) -> Result<String, Error> {
        self.meta("built_at")
    }

    pub fn digest(&self) -> Result<String, Error> {
        self.meta("digest")
    }

    pub fn sources(&self) -> Result<Vec<SourceInfo>, Error> {
        let error = sql_error(&self.path);
        let mut statement = self
            .connection
            .prepare("SELECT name, url, digest, records, skipped, etag, last_modified, fetched_at FROM sources ORDER BY name")
            .map_err(&error)?;
        let rows = statement
            .query_map([], |row| {
                Ok(SourceInfo {
                    name: row.get(0)?,
                    url: row.get(1)?,
                    digest: row.get(2)?,
                    records: row.get(3)?,
                    skipped: row.get(4)?,
                    etag: row.get(5)?,
                    last_modified: row.get(6)?,
                    fetched_at: row.get(7)?,
                })
            })
            .map_err(&error)?;
        rows.collect::<Result<_, _>>().map_err(&error)
    }

    pub fn status(&self) -> Result<Status, Error> {
        let error = sql_error(&self.path);
        let mut statement = self
            .connection
            .prepare("SELECT ecosystem, COUNT(DISTINCT osv_id) FROM affected GROUP BY ecosystem")
            .map_err(&error)?;
        let counts = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .map_err(&error)?
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(&error)?;
        let count = |table: &str| -> Result<i64, Error> {
            self.connection
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                    row.get(0)
                })
                .map_err(sql_error(&self.path))
        };
        Ok(Status {
            schema_version: SCHEMA_VERSION,
            built_at: self.built_at()?,
            digest: self.digest()?,
            sources: self.sources()?,
            counts,
            kev_entries: count("kev")?,
            epss_scores: count("epss")?,
        })
    }

    /// Every advisory row for a package, withdrawn ones marked.
    pub fn affecting(&self, ecosystem: &str, name: &str) -> Result<Vec<AffectedRow>, Error> {
        let mut found = self.affecting_many(ecosystem, &[name])?;
        Ok(found.remove(name).unwrap_or_default())
    }

    /// The advisory rows of many packages of one ecosystem, by the names as
    /// given (those without rows are absent), sorted by id: one statement
    /// per `AFFECTING_BATCH` names instead of one per package.
    pub fn affecting_many(
        &self,
        ecosystem: &str,
        names: &[&str],
    ) -> Result<HashMap<String, Vec<AffectedRow>>, Error> {
        let error = sql_error(&self.path);
        // A name's key as stored (`PyYAML` is `pyyaml`) -> the names given for it.
        let mut given: HashMap<String, Vec<&str>> = HashMap::new();
        for name in names {
            given
                .entry(package_key(ecosystem, name))
                .or_default()
                .push(name);
        }
        let keys: Vec<&String> = given.keys().collect();
        let mut by_key: HashMap<String, Vec<AffectedRow>> = HashMap::new();
        for chunk in keys.chunks(AFFECTING_BATCH) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let mut statement = self
                .connection
                .prepare_cached(&format!(
                    "SELECT name, osv_id, withdrawn, ecosystem, ranges, versions, severity, imports
                     FROM affected WHERE ecosystem = ? AND name IN ({placeholders})"
                ))
                .map_err(&error)?;
            let values = std::iter::once(ecosystem).chain(chunk.iter().map(|k| k.as_str()));
            let mut rows = statement
                .query(rusqlite::params_from_iter(values))
                .map_err(&error)?;
            while let Some(row) = rows.next().map_err(&error)? {
                let key: String = row.get(0).map_err(&error)?;
                let affected = self.affected_row(row)?;
                by_key.entry(key).or_default().push(affected);
            }
        }
        let mut found = HashMap::new();
        for (key, mut rows) in by_key {
            rows.sort_by(|a, b| a.osv_id.cmp(&b.osv_id));
            for name in given.get(&key).into_iter().flatten() {
                found.insert((*name).to_owned(), rows.clone());
            }
        }
        Ok(found)
    }

    /// One `affected` row (columns 1..=7 of `affecting_many`'s statement).
    fn affected_row(&self, row: &rusqlite::Row<'_>) -> Result<AffectedRow, Error> {
        let error = sql_error(&self.path);
        let osv_id: String = row.get(1).map_err(&error)?;
        let text = |index| row.get::<_, String>(index).map_err(&error);
        let corrupt = |source| Error::Corrupt {
            path: self.path.clone(),
            id: osv_id.clone(),
            source,
        };
        let imports: Option<String> = row.get(7).map_err(&error)?;
        Ok(AffectedRow {
            ranges: serde_json::from_str(&text(4)?).map_err(&corrupt)?,
            versions: serde_json::from_str(&text(5)?).map_err(&corrupt)?,
            imports: imports
                .map(|imports| serde_json::from_str(&imports))
                .transpose()
                .map_err(&corrupt)?,
            withdrawn: row.get(2).map_err(&error)?,
            ecosystem: text(3)?,
            severity: row.get(6).map_err(&error)?,
            osv_id,
        })
    }

    /// Summary, aliases and severities of `osv_id` (the first row when several sources hold it).
    pub fn advisory(&self, osv_id: &str) -> Result<Option<AdvisoryInfo>, Error> {
        let error = sql_error(&self.path);
        let row = self
            .connection
            .prepare_cached(
                "SELECT id, summary, published, severity, database_severity FROM advisories WHERE osv_id = ?1 ORDER BY id LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([osv_id], |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, Option<String>>(1)?,
                            row.get::<_, Option<String>>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, Option<String>>(4)?,
                        ))
                    })
                    .optional()
            })
            .map_err(&error)?;
        let Some((id, summary, published, severity, database_severity)) = row else {
            return Ok(None);
        };
        let corrupt = |source| Error::Corrupt {
            path: self.path.clone(),
            id: osv_id.to_owned(),
            source,
        };
        let mut info = AdvisoryInfo {
            osv_id: osv_id.to_owned(),
            summary,
            published,
            severity: serde_json::from_str(&severity).map_err(corrupt)?,
            database_severity,
            ..AdvisoryInfo::default()
        };
        let mut statement = self
            .connection
            .prepare_cached("SELECT alias, kind FROM aliases WHERE advisory = ?1 ORDER BY alias")
            .map_err(&error)?;
        let rows = statement
            .query_map([id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(&error)?;
        for row in rows {
            let (alias, kind) = row.map_err(&error)?;
            match kind.as_str() {
                "upstream" => info.upstream.push(alias),
                "related" => info.related.push(alias),
                _ => info.aliases.push(alias),
            }
        }
        Ok(Some(info))
    }

    /// The whole OSV record of `osv_id` (or of the first advisory that has it as an alias), as imported.
    pub fn record(&self, osv_id: &str) -> Result<Option<Vec<u8>>, Error> {
        let error = sql_error(&self.path);
        let compressed: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT record FROM advisories WHERE osv_id = ?1
                 UNION ALL SELECT a.record FROM aliases l JOIN advisories a ON a.id = l.advisory WHERE l.alias = ?1
                 LIMIT 1",
                [osv_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(&error)?;
        compressed
            .map(|bytes| {
                zstd::stream::decode_all(bytes.as_slice()).map_err(|source| Error::Compress {
                    path: self.path.clone(),
                    source,
                })
            })
            .transpose()
    }

    /// Every record whose id is `id` or that names it as an alias, with its id.
    pub fn records(&self, id: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let error = sql_error(&self.path);
        let mut statement = self
            .connection
            .prepare(
                "SELECT osv_id, record FROM advisories WHERE osv_id = ?1
                 UNION SELECT a.osv_id, a.record FROM aliases l JOIN advisories a ON a.id = l.advisory WHERE l.alias = ?1
                 ORDER BY 1",
            )
            .map_err(&error)?;
        let rows = statement
            .query_map([id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(&error)?;
        let mut out = Vec::new();
        for row in rows {
            let (osv_id, compressed) = row.map_err(&error)?;
            let record = zstd::stream::decode_all(compressed.as_slice()).map_err(|source| {
                Error::Compress {
                    path: self.path.clone(),
                    source,
                }
            })?;
            out.push((osv_id, record));
        }
        Ok(out)
    }

    pub fn kev(&self, cve: &str) -> Result<Option<KevEntry>, Error> {
        // Cached statements: a scan asks once per finding, and parsing the
        // SQL each time was a third of the lookups' time at 100,000 findings.
        self.connection
            .prepare_cached(
                "SELECT cve, date_added, due_date, vendor, product, name, ransomware FROM kev WHERE cve = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([cve], |row| {
                        Ok(KevEntry {
                            cve: row.get(0)?,
                            date_added: row.get(1)?,
                            due_date: row.get(2)?,
                            vendor: row.get(3)?,
                            product: row.get(4)?,
                            name: row.get(5)?,
                            ransomware: row.get(6)?,
                        })
                    })
                    .optional()
            })
            .map_err(sql_error(&self.path))
    }

    /// What the DB keeps of the CVE record of `cve`, when a CVE source was imported.
    pub fn cve_record(&self, cve: &str) -> Result<Option<CveRecord>, Error> {
        let row = self
            .connection
            .prepare_cached(
                "SELECT rejected, cna, adp, exploitation, automatable, technical_impact FROM cve_records WHERE cve = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([cve], |row| {
                        Ok((
                            row.get::<_, bool>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            Ssvc {
                                exploitation: row.get(3)?,
                                automatable: row.get(4)?,
                                technical_impact: row.get(5)?,
                            },
                        ))
                    })
                    .optional()
            })
            .map_err(sql_error(&self.path))?;
        let Some((rejected, cna, adp, ssvc)) = row else {
            return Ok(None);
        };
        let corrupt = |source| Error::Corrupt {
            id: cve.to_owned(),
            path: self.path.clone(),
            source,
        };
        Ok(Some(CveRecord {
            cve: cve.to_owned(),
            rejected,
            cna: serde_json::from_str(&cna).map_err(corrupt)?,
            adp: serde_json::from_str(&adp).map_err(corrupt)?,
            ssvc,
        }))
    }

    pub fn epss(&self, cve: &str) -> Result<Option<EpssScore>, Error> {
        self.connection
            .prepare_cached("SELECT score, percentile FROM epss WHERE cve = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([cve], |row| {
                        Ok(EpssScore {
                            score: row.get(0)?,
                            percentile: row.get(1)?,
                        })
                    })
                    .optional()
            })
            .map_err(sql_error(&self.path))
    }
}
