//! Reads a DB opened read-only: typed queries with prepared statements for
//! the matcher, the scorer, `db status`, `db lookup` and `db show`.

mod records;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::cve::{CveRecord, Ssvc};
use super::osv::{GoImport, Range};
use super::rows::{
    AdvisoryInfo, AffectedRow, BundleOrigin, EpssScore, KevEntry, SourceInfo, Status,
};
use super::schema::{package_key, sql_error, SCHEMA_VERSION};
use super::stored::{self, Entry, StoredError, StoredInfo, StoredRange};
use super::Error;

/// Names per `affecting_many` statement (SQLite takes up to 32,766 parameters).
const AFFECTING_BATCH: usize = 500;

/// A `ranges` row decoded: ranges, versions, vendor severity, Go imports.
type RangeParts = (
    Vec<Range>,
    Vec<String>,
    Option<String>,
    Option<Vec<GoImport>>,
);

/// A database opened read-only.
pub struct Database {
    pub(super) connection: Connection,
    pub(super) path: PathBuf,
}

impl Database {
    /// Opens `path` read-only and checks its schema version and that it is
    /// no bundle's inner file.
    pub fn open(path: &Path) -> Result<Database, Error> {
        let db = Database::open_any_form(path)?;
        if db.meta_opt("form")?.is_some() {
            return Err(Error::BundleForm {
                path: path.to_owned(),
            });
        }
        Ok(db)
    }

    /// Opens `path` read-only and checks its schema version only.
    pub(crate) fn open_any_form(path: &Path) -> Result<Database, Error> {
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

    fn meta_opt(&self, key: &str) -> Result<Option<String>, Error> {
        self.connection
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(sql_error(&self.path))
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
            .prepare("SELECT ecosystem, advisories FROM counts ORDER BY ecosystem")
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
        let bundle = match (
            self.meta_opt("bundle_digest")?,
            self.meta_opt("bundle_size")?,
            self.meta_opt("bundle_from")?,
        ) {
            (Some(digest), Some(size), Some(from)) => Some(BundleOrigin {
                digest,
                size: size.parse().unwrap_or(0),
                from,
            }),
            _ => None,
        };
        let file_size = fs_err::metadata(&self.path)
            .map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?
            .len();
        Ok(Status {
            schema_version: SCHEMA_VERSION,
            file_size,
            bundle,
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
        let ecosystem_id: Option<i64> = self
            .connection
            .prepare_cached("SELECT id FROM ecosystems WHERE name = ?1")
            .and_then(|mut s| s.query_row([ecosystem], |row| row.get(0)).optional())
            .map_err(&error)?;
        let Some(ecosystem_id) = ecosystem_id else {
            return Ok(HashMap::new());
        };
        // A name's key as stored (`PyYAML` is `pyyaml`) -> the names given for it.
        let mut given: HashMap<String, Vec<&str>> = HashMap::new();
        for name in names {
            given
                .entry(package_key(ecosystem, name))
                .or_default()
                .push(name);
        }
        let keys: Vec<&String> = given.keys().collect();
        let mut by_key: Vec<(String, Vec<Entry>)> = Vec::new();
        for chunk in keys.chunks(AFFECTING_BATCH) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let mut statement = self
                .connection
                .prepare_cached(&format!(
                    "SELECT name, entries FROM affected WHERE ecosystem = ? AND name IN ({placeholders})"
                ))
                .map_err(&error)?;
            let values = std::iter::once(rusqlite::types::Value::Integer(ecosystem_id)).chain(
                chunk
                    .iter()
                    .map(|k| rusqlite::types::Value::Text((*k).clone())),
            );
            let mut rows = statement
                .query(rusqlite::params_from_iter(values))
                .map_err(&error)?;
            while let Some(row) = rows.next().map_err(&error)? {
                let key: String = row.get(0).map_err(&error)?;
                let entries: Vec<u8> = row.get(1).map_err(&error)?;
                let entries = stored::decode(&entries).map_err(|source| Error::Damaged {
                    path: self.path.clone(),
                    what: format!("entries of `{ecosystem}/{key}`"),
                    source,
                })?;
                by_key.push((key, entries));
            }
        }
        let advisories = self.advisory_heads(by_key.iter().flat_map(|(_, e)| e))?;
        let ranges = self.ranges(by_key.iter().flat_map(|(_, e)| e))?;
        let mut found = HashMap::new();
        for (key, entries) in by_key {
            let mut rows = Vec::with_capacity(entries.len());
            for entry in entries {
                let (Some((osv_id, withdrawn)), Some(range)) =
                    (advisories.get(&entry.advisory), ranges.get(&entry.range))
                else {
                    return Err(Error::Damaged {
                        path: self.path.clone(),
                        what: format!("entries of `{ecosystem}/{key}`"),
                        source: StoredError::Dangling(format!(
                            "advisory {} or range {}",
                            entry.advisory, entry.range
                        )),
                    });
                };
                rows.push(AffectedRow {
                    osv_id: osv_id.clone(),
                    withdrawn: *withdrawn,
                    ecosystem: ecosystem.to_owned(),
                    ranges: range.0.clone(),
                    versions: range.1.clone(),
                    severity: range.2.clone(),
                    imports: range.3.clone(),
                });
            }
            rows.sort_by(|a, b| a.osv_id.cmp(&b.osv_id));
            for name in given.get(&key).into_iter().flatten() {
                found.insert((*name).to_owned(), rows.clone());
            }
        }
        Ok(found)
    }

    /// Runs `select`, whose `{ids}` is replaced by placeholders, over the
    /// distinct `ids` in batches of `AFFECTING_BATCH`, calling `each` per row.
    fn for_each_by_id(
        &self,
        ids: impl Iterator<Item = i64>,
        select: &str,
        mut each: impl FnMut(&rusqlite::Row<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let error = sql_error(&self.path);
        let ids: Vec<i64> = ids.collect::<BTreeSet<i64>>().into_iter().collect();
        for chunk in ids.chunks(AFFECTING_BATCH) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let mut statement = self
                .connection
                .prepare_cached(&select.replace("{ids}", &placeholders))
                .map_err(&error)?;
            let mut rows = statement
                .query(rusqlite::params_from_iter(chunk))
                .map_err(&error)?;
            while let Some(row) = rows.next().map_err(&error)? {
                each(row)?;
            }
        }
        Ok(())
    }

    /// The OSV id and withdrawn flag of each advisory the entries name.
    fn advisory_heads<'e>(
        &self,
        entries: impl Iterator<Item = &'e Entry>,
    ) -> Result<HashMap<i64, (String, bool)>, Error> {
        let error = sql_error(&self.path);
        let mut heads = HashMap::new();
        self.for_each_by_id(
            entries.map(|entry| entry.advisory),
            "SELECT id, osv_id, withdrawn FROM advisories WHERE id IN ({ids})",
            |row| {
                heads.insert(
                    row.get(0).map_err(&error)?,
                    (row.get(1).map_err(&error)?, row.get(2).map_err(&error)?),
                );
                Ok(())
            },
        )?;
        Ok(heads)
    }

    /// The decoded ranges of each `ranges` row the entries name.
    fn ranges<'e>(
        &self,
        entries: impl Iterator<Item = &'e Entry>,
    ) -> Result<HashMap<i64, RangeParts>, Error> {
        let error = sql_error(&self.path);
        let mut ranges = HashMap::new();
        self.for_each_by_id(
            entries.map(|entry| entry.range),
            "SELECT id, data FROM ranges WHERE id IN ({ids})",
            |row| {
                let id: i64 = row.get(0).map_err(&error)?;
                let data = row
                    .get_ref(1)
                    .and_then(|v| Ok(v.as_blob()?))
                    .map_err(&error)?;
                let parts = stored::unpack_range(data)
                    .and_then(|encoded| stored::decode::<StoredRange>(&encoded)?.into_parts())
                    .map_err(|source| Error::Damaged {
                        path: self.path.clone(),
                        what: format!("range {id}"),
                        source,
                    })?;
                ranges.insert(id, parts);
                Ok(())
            },
        )?;
        Ok(ranges)
    }

    /// Summary, aliases and severities of `osv_id` (the first row when several sources hold it).
    pub fn advisory(&self, osv_id: &str) -> Result<Option<AdvisoryInfo>, Error> {
        let error = sql_error(&self.path);
        let row = self
            .connection
            .prepare_cached(
                "SELECT summary, info FROM advisories WHERE osv_id = ?1 ORDER BY id LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([osv_id], |row| {
                        Ok((
                            row.get::<_, Option<String>>(0)?,
                            row.get::<_, Option<Vec<u8>>>(1)?,
                        ))
                    })
                    .optional()
            })
            .map_err(&error)?;
        let Some((summary, info)) = row else {
            return Ok(None);
        };
        let info = self.info(osv_id, info.as_deref())?;
        Ok(Some(AdvisoryInfo {
            osv_id: osv_id.to_owned(),
            summary,
            severity: info.severity(),
            database_severity: info.database_severity,
            aliases: info.aliases,
            upstream: info.upstream,
            related: info.related,
        }))
    }

    /// An advisory's decoded `info` (empty when the column is NULL).
    pub(super) fn info(&self, osv_id: &str, info: Option<&[u8]>) -> Result<StoredInfo, Error> {
        info.map(stored::decode::<StoredInfo>)
            .transpose()
            .map(Option::unwrap_or_default)
            .map_err(|source| Error::Damaged {
                path: self.path.clone(),
                what: format!("aliases and severities of `{osv_id}`"),
                source,
            })
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
