//! The SQLite store: the schema, every SQL statement, and typed functions over
//! them. Scans open the file read-only; builds write a fresh file that
//! `update.rs` renames into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::osv::{Advisory, Range, Severity};
use super::Error;

/// Bump on any change to the tables below; an older file is rebuilt, never read.
pub(crate) const SCHEMA_VERSION: u32 = 1;
/// zstd level for stored records: fast to write, a third of the JSON size.
const RECORD_ZSTD_LEVEL: i32 = 3;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY, url TEXT NOT NULL, digest TEXT NOT NULL,
    records INTEGER NOT NULL, skipped INTEGER NOT NULL,
    etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE advisories (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, osv_id TEXT NOT NULL,
    modified TEXT NOT NULL, published TEXT, withdrawn TEXT, summary TEXT,
    severity TEXT NOT NULL, database_severity TEXT, record BLOB NOT NULL
);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory INTEGER NOT NULL, position INTEGER NOT NULL,
    osv_id TEXT NOT NULL, withdrawn INTEGER NOT NULL,
    ranges TEXT NOT NULL, versions TEXT NOT NULL, severity TEXT,
    PRIMARY KEY (ecosystem, name, advisory, position)
) WITHOUT ROWID;
CREATE TABLE aliases (advisory INTEGER NOT NULL, alias TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE kev (
    cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT,
    vendor TEXT, product TEXT, name TEXT, ransomware TEXT
) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
";

/// Built after the bulk insert, which is faster than keeping them up to date.
const INDEXES: &str = "
CREATE INDEX affected_advisory ON affected (advisory);
CREATE INDEX advisories_osv_id ON advisories (osv_id);
CREATE INDEX advisories_source ON advisories (source);
CREATE INDEX aliases_alias ON aliases (alias);
CREATE INDEX aliases_advisory ON aliases (advisory);
";

/// The key a package is stored and looked up under: PyPI names are
/// normalised as PEP 503 says; every other ecosystem compares names exactly.
pub(crate) fn package_key(ecosystem: &str, name: &str) -> String {
    if ecosystem == "PyPI" {
        let mut key = String::with_capacity(name.len());
        let mut separator = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                separator = true;
            } else {
                if separator && !key.is_empty() {
                    key.push('-');
                }
                separator = false;
                key.push(c.to_ascii_lowercase());
            }
        }
        key
    } else {
        name.to_owned()
    }
}

/// Where a source came from, as `db status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceInfo {
    /// `osv:PyPI`, `kev`, `epss`.
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) digest: String,
    pub(crate) records: i64,
    pub(crate) skipped: i64,
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
    pub(crate) fetched_at: String,
}

/// One KEV catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KevEntry {
    pub(crate) cve: String,
    pub(crate) date_added: String,
    pub(crate) due_date: Option<String>,
    pub(crate) vendor: Option<String>,
    pub(crate) product: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) ransomware: Option<String>,
}

/// One EPSS score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EpssScore {
    pub(crate) score: f64,
    pub(crate) percentile: f64,
}

/// Writes a new database file.
pub(crate) struct Builder {
    connection: Connection,
    path: PathBuf,
    compressor: zstd::bulk::Compressor<'static>,
}

fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| Error::Sqlite {
        path: path.to_owned(),
        source,
    }
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
                _ => Ok(0),
            }
            .map_err(&error)?;
        }
        self.connection
            .execute_batch("COMMIT; DETACH DATABASE old; BEGIN")
            .map_err(&error)?;
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
                "INSERT INTO affected (ecosystem, name, advisory, position, osv_id, withdrawn, ranges, versions, severity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
                    entry.severity
                ])
                .map_err(&error)?;
        }
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
        let digest = crate::model::Digest::sha256_of(
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

/// One `affected` row joined with its advisory, for the matcher.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AffectedRow {
    pub(crate) osv_id: String,
    pub(crate) withdrawn: bool,
    pub(crate) ecosystem: String,
    pub(crate) ranges: Vec<Range>,
    pub(crate) versions: Vec<String>,
    pub(crate) severity: Option<String>,
}

/// What the matcher and scorer need of an advisory beyond its ranges.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct AdvisoryInfo {
    pub(crate) osv_id: String,
    pub(crate) summary: Option<String>,
    pub(crate) published: Option<String>,
    pub(crate) aliases: Vec<String>,
    pub(crate) upstream: Vec<String>,
    pub(crate) related: Vec<String>,
    pub(crate) severity: Vec<Severity>,
    pub(crate) database_severity: Option<String>,
}

/// What `db status` shows.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) schema_version: u32,
    pub(crate) built_at: String,
    pub(crate) digest: String,
    pub(crate) sources: Vec<SourceInfo>,
    /// Distinct advisories per affected ecosystem.
    pub(crate) counts: BTreeMap<String, i64>,
    pub(crate) kev_entries: i64,
    pub(crate) epss_scores: i64,
}

/// A database opened read-only.
pub(crate) struct Database {
    connection: Connection,
    path: PathBuf,
}

impl Database {
    /// Opens `path` read-only and checks its schema version.
    pub(crate) fn open(path: &Path) -> Result<Database, Error> {
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

    pub(crate) fn built_at(&self) -> Result<String, Error> {
        self.meta("built_at")
    }

    pub(crate) fn digest(&self) -> Result<String, Error> {
        self.meta("digest")
    }

    pub(crate) fn sources(&self) -> Result<Vec<SourceInfo>, Error> {
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

    pub(crate) fn status(&self) -> Result<Status, Error> {
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
    pub(crate) fn affecting(&self, ecosystem: &str, name: &str) -> Result<Vec<AffectedRow>, Error> {
        let error = sql_error(&self.path);
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT osv_id, withdrawn, ecosystem, ranges, versions, severity
                 FROM affected WHERE ecosystem = ?1 AND name = ?2",
            )
            .map_err(&error)?;
        let key = package_key(ecosystem, name);
        let rows = statement
            .query_map(params![ecosystem, key], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, bool>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(&error)?;
        let mut found = Vec::new();
        for row in rows {
            let (osv_id, withdrawn, ecosystem, ranges, versions, severity) = row.map_err(&error)?;
            let corrupt = |source| Error::Corrupt {
                path: self.path.clone(),
                id: osv_id.clone(),
                source,
            };
            found.push(AffectedRow {
                ranges: serde_json::from_str(&ranges).map_err(corrupt)?,
                versions: serde_json::from_str(&versions).map_err(corrupt)?,
                osv_id,
                withdrawn,
                ecosystem,
                severity,
            });
        }
        found.sort_by(|a, b| a.osv_id.cmp(&b.osv_id));
        Ok(found)
    }

    /// Summary, aliases and severities of `osv_id` (the first row when several sources hold it).
    pub(crate) fn advisory(&self, osv_id: &str) -> Result<Option<AdvisoryInfo>, Error> {
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
    pub(crate) fn record(&self, osv_id: &str) -> Result<Option<Vec<u8>>, Error> {
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

    pub(crate) fn kev(&self, cve: &str) -> Result<Option<KevEntry>, Error> {
        self.connection
            .query_row(
                "SELECT cve, date_added, due_date, vendor, product, name, ransomware FROM kev WHERE cve = ?1",
                [cve],
                |row| {
                    Ok(KevEntry {
                        cve: row.get(0)?,
                        date_added: row.get(1)?,
                        due_date: row.get(2)?,
                        vendor: row.get(3)?,
                        product: row.get(4)?,
                        name: row.get(5)?,
                        ransomware: row.get(6)?,
                    })
                },
            )
            .optional()
            .map_err(sql_error(&self.path))
    }

    pub(crate) fn epss(&self, cve: &str) -> Result<Option<EpssScore>, Error> {
        self.connection
            .query_row(
                "SELECT score, percentile FROM epss WHERE cve = ?1",
                [cve],
                |row| {
                    Ok(EpssScore {
                        score: row.get(0)?,
                        percentile: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(sql_error(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_names_are_normalised_as_pep_503_says() {
        assert_eq!(package_key("PyPI", "PyYAML"), "pyyaml");
        assert_eq!(package_key("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(package_key("PyPI", "Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(package_key("npm", "Foo_Bar"), "Foo_Bar");
    }
}
