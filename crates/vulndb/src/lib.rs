//! The offline vulnerability DB: OSV records (and the KEV and EPSS feeds) in
//! one SQLite file. Import, update from mirrors, bundles for air gaps, the DB
//! as an OCI artifact, and the typed queries the matcher runs.

mod artifact;
mod build;
mod bundle;
#[cfg(test)]
mod corpus_tests;
mod cve;
mod error;
mod fetch;
mod import;
mod osv;
mod query;
mod rows;
mod schema;
mod stored;
mod writer;

use std::path::{Path, PathBuf};

pub use artifact::{pull, push};
pub use build::BuildReport;
pub use bundle::{export, Exported};
pub use cve::{CveRecord, Ssvc};
pub use error::Error;
pub use fetch::{Mirror, DEFAULT_CVE_URL, DEFAULT_EPSS_URL, DEFAULT_KEV_URL, DEFAULT_MIRROR};
pub use osv::{Event, GoImport, RangeKind, Severity as SeverityVector};
pub use query::Database;
pub use rows::{AdvisoryInfo, AffectedRow, BundleOrigin, EpssScore, KevEntry, SourceInfo, Status};

use build::{BuildLock, Feed, Guard};
use fetch::{Fetched, Fetcher};
use import::InputKind;

use portcullis_model::Timestamp;

/// Frozen settings for `db update`.
#[derive(Debug, Clone)]
pub struct UpdateConfig {
    pub db_path: PathBuf,
    pub mirrors: Vec<Mirror>,
    /// The ecosystems to fetch; `None` means all the mirrors hold (folders) or all known (HTTP).
    pub ecosystems: Option<Vec<String>>,
    pub kev_url: Option<String>,
    pub epss_url: Option<String>,
    /// CVE JSON 5 records: a cvelistV5-style zip (URL or file) or folder.
    pub cve_url: Option<String>,
    /// Draw download progress on stderr.
    pub progress: bool,
    /// Accept a feed that holds fewer than half the records its source held.
    pub allow_shrink: bool,
    /// The longest one request may take (default 60 s).
    pub request_timeout: std::time::Duration,
    /// The longest the whole update may take, retries included (default 30 min).
    pub deadline: std::time::Duration,
}

/// `db update`'s default per-request timeout and overall deadline.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
pub const DEFAULT_UPDATE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(1800);

/// Builds a DB from local files and folders (`db import`); a bundle replaces the DB whole.
pub fn import(
    db_path: &Path,
    paths: &[PathBuf],
    now: Timestamp,
) -> Result<Option<BuildReport>, Error> {
    let mut feeds = Vec::new();
    for path in paths {
        let kind = import::classify(path)?;
        let url = format!("file://{}", path.display());
        let (name, family) = match kind {
            InputKind::OsvZip => import::osv_zip_source(path),
            InputKind::OsvFolder => (
                format!(
                    "osv:{}",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ),
                None,
            ),
            InputKind::Kev => ("kev".to_owned(), None),
            InputKind::CveZip | InputKind::CveFolder => (import::CVE_SOURCE.to_owned(), None),
            InputKind::Epss => ("epss".to_owned(), None),
            InputKind::Bundle => {
                let file = fs_err::File::open(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                bundle::install(std::io::BufReader::new(file), path, db_path)?;
                if paths.len() > 1 {
                    tracing::warn!(
                        "`{}` is a whole DB bundle; the other inputs were not imported",
                        path.display()
                    );
                }
                return Ok(None);
            }
        };
        feeds.push(Feed {
            kind,
            path: path.clone(),
            name,
            url,
            family,
            etag: None,
            last_modified: None,
        });
    }
    let lock = BuildLock::acquire(db_path)?;
    build::remove_leftovers(&lock, db_path, None);
    // Files named on the command line are meant: only an empty one is refused.
    build::rebuild(
        &lock,
        db_path,
        &feeds,
        now,
        Guard { allow_shrink: true },
        &[],
    )
    .map(Some)
}

/// Fetches the feeds from the mirrors and rebuilds the DB (`db update`).
pub fn update(config: &UpdateConfig, now: Timestamp) -> Result<BuildReport, Error> {
    let scratch_dir = config
        .db_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(".download");
    // Held from the first download to the rename: no other update shares the scratch folder.
    let lock = BuildLock::acquire(&config.db_path)?;
    build::remove_leftovers(&lock, &config.db_path, Some(&scratch_dir));
    let fetcher = Fetcher::new(
        &scratch_dir,
        config.progress,
        config.request_timeout,
        config.deadline,
    )?;
    let previous = build::current_sources(&config.db_path);
    let previous_of = |name: &str| previous.iter().find(|source| source.name == name);
    let explicit = config.ecosystems.is_some();
    let ecosystems = match &config.ecosystems {
        Some(list) => list.clone(),
        None => default_ecosystems(&config.mirrors)?,
    };
    let mut feeds = Vec::new();
    // Keeps scratch downloads alive until the build has read them.
    let mut downloads = Vec::new();
    let mut confirmed = Vec::new();
    for ecosystem in &ecosystems {
        let name = format!("osv:{ecosystem}");
        match fetcher.ecosystem(&config.mirrors, ecosystem, previous_of(&name))? {
            Fetched::File {
                path,
                url,
                etag,
                last_modified,
                _scratch,
            } => {
                feeds.push(Feed {
                    kind: InputKind::OsvZip,
                    path,
                    name,
                    url,
                    family: Some(ecosystem.clone()),
                    etag,
                    last_modified,
                });
                downloads.push(_scratch);
            }
            Fetched::Unchanged => {
                confirmed.push(name);
                tracing::info!("`{ecosystem}` is unchanged since the last update")
            }
            Fetched::Unreachable { tried, why } => {
                return Err(Error::Unreachable {
                    ecosystem: ecosystem.clone(),
                    tried: tried.join(", "),
                    why,
                })
            }
            Fetched::Absent { tried } if explicit => {
                return Err(Error::NoMirror {
                    ecosystem: ecosystem.clone(),
                    tried: tried.join(", "),
                })
            }
            Fetched::Absent { .. } => tracing::info!("no mirror has `{ecosystem}`; skipped"),
        }
    }
    extra_feeds(
        config,
        &fetcher,
        &previous,
        &mut feeds,
        &mut downloads,
        &mut confirmed,
    )?;
    if feeds.is_empty() && confirmed.is_empty() {
        // Nothing was fetched nor confirmed current: the build time must not move.
        return Err(Error::NoMirror {
            ecosystem: "any feed".to_owned(),
            tried: config
                .mirrors
                .iter()
                .map(|m| match m {
                    Mirror::Http(url) => url.clone(),
                    Mirror::Folder(path) => path.display().to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let guard = Guard {
        allow_shrink: config.allow_shrink,
    };
    let report = build::rebuild(&lock, &config.db_path, &feeds, now, guard, &confirmed);
    drop(downloads);
    report
}

/// The KEV, EPSS and CVE record feeds, when their URLs are set; those the
/// server confirmed unchanged join `confirmed`.
fn extra_feeds(
    config: &UpdateConfig,
    fetcher: &Fetcher,
    previous: &[SourceInfo],
    feeds: &mut Vec<Feed>,
    downloads: &mut Vec<Option<tempfile::TempPath>>,
    confirmed: &mut Vec<String>,
) -> Result<(), Error> {
    let previous_of = |name: &str| previous.iter().find(|source| source.name == name);
    for (name, mut kind, url) in [
        ("kev", InputKind::Kev, &config.kev_url),
        ("epss", InputKind::Epss, &config.epss_url),
        (import::CVE_SOURCE, InputKind::CveZip, &config.cve_url),
    ] {
        let Some(url) = url else {
            continue;
        };
        let local = Path::new(url.trim_start_matches("file://"));
        if kind == InputKind::CveZip && local.is_dir() {
            kind = InputKind::CveFolder;
        }
        let fetched = match url.parse::<Mirror>() {
            Ok(Mirror::Folder(_)) | Err(_) if local.exists() => Fetched::File {
                path: PathBuf::from(url.trim_start_matches("file://")),
                url: url.clone(),
                etag: None,
                last_modified: None,
                _scratch: None,
            },
            _ => fetcher.url(url, previous_of(name))?,
        };
        match fetched {
            Fetched::File {
                path,
                url,
                etag,
                last_modified,
                _scratch,
            } => {
                feeds.push(Feed {
                    kind,
                    path,
                    name: name.to_owned(),
                    url,
                    family: None,
                    etag,
                    last_modified,
                });
                downloads.push(_scratch);
            }
            Fetched::Unchanged => confirmed.push(name.to_owned()),
            Fetched::Unreachable { why, .. } => {
                return Err(Error::Unreachable {
                    ecosystem: name.to_owned(),
                    tried: url.clone(),
                    why,
                })
            }
            Fetched::Absent { .. } => {
                return Err(Error::NoMirror {
                    ecosystem: name.to_owned(),
                    tried: url.clone(),
                })
            }
        }
    }
    Ok(())
}

/// The ecosystems to fetch when none are named: all that the folder mirrors
/// hold, or every ecosystem Portcullis knows when a mirror is HTTP.
fn default_ecosystems(mirrors: &[Mirror]) -> Result<Vec<String>, Error> {
    let mut names = std::collections::BTreeSet::new();
    for mirror in mirrors {
        match mirror.listing()? {
            Some(listing) => names.extend(listing),
            None => names.extend(fetch::KNOWN_ECOSYSTEMS.iter().map(|s| (*s).to_owned())),
        }
    }
    Ok(names.into_iter().collect())
}

/// How old a DB may be before a scan warns, and before it refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    pub warn_after_seconds: i64,
    pub fail_after_seconds: i64,
}

/// What the staleness rule says of a DB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Age {
    Fresh,
    /// Past the warning age: scan, but say so.
    Old {
        age: String,
    },
}

/// Renders seconds as `3d 4h`, `5h 2m` or `40s`.
pub fn human_duration(seconds: i64) -> String {
    let (days, hours, minutes) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

impl Freshness {
    /// Warn after a day, refuse after a week.
    pub const DEFAULT: Freshness = Freshness {
        warn_after_seconds: 86_400,
        fail_after_seconds: 7 * 86_400,
    };

    /// Checks a DB built at `built_at` against this rule at `now`.
    pub fn check(&self, built_at: Timestamp, now: Timestamp) -> Result<Age, Error> {
        let age = now.unix() - built_at.unix();
        if age > self.fail_after_seconds {
            return Err(Error::Stale {
                age: human_duration(age),
                limit: human_duration(self.fail_after_seconds),
            });
        }
        if age > self.warn_after_seconds {
            return Ok(Age::Old {
                age: human_duration(age),
            });
        }
        Ok(Age::Fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staleness_warns_then_fails() {
        let rule = Freshness {
            warn_after_seconds: 86_400,
            fail_after_seconds: 7 * 86_400,
        };
        let built = Timestamp::from_unix(1_704_067_200);
        let at = |days: i64| Timestamp::from_unix(built.unix() + days * 86_400 + 60);
        assert_eq!(rule.check(built, at(0)).unwrap(), Age::Fresh);
        assert!(matches!(rule.check(built, at(2)).unwrap(), Age::Old { .. }));
        assert!(matches!(rule.check(built, at(8)), Err(Error::Stale { .. })));
    }
}
