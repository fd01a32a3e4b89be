//! Build a new DB beside the old one and rename it into place, under a lock:
//! a failed, killed or concurrent build leaves the old DB answering. Sources
//! not rebuilt this time are copied from the old DB unchanged.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::Digest as _;

use super::import::{self, ImportStats, InputKind};
use super::query::Database;
use super::rows::SourceInfo;
use super::writer::Builder;
use super::Error;
use portcullis_io::AtomicFile;
use portcullis_model::Timestamp;

/// One feed to import.
#[derive(Debug, Clone)]
pub(crate) struct Feed {
    pub kind: InputKind,
    pub path: PathBuf,
    /// The source it replaces: `osv:PyPI`, `kev`, `epss`.
    pub name: String,
    pub url: String,
    /// For an OSV zip of one ecosystem: the rows it may add.
    pub family: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a build refuses to install.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Guard {
    /// Accept a source that falls below half its previous records (an empty one never).
    pub allow_shrink: bool,
}

/// Refuses a feed that imported nothing, or (unless allowed) that lost more
/// than half the records its source had: a broken or hostile mirror must not
/// empty the DB the gate relies on.
fn check_feed(
    feed: &Feed,
    stats: &ImportStats,
    previous: Option<&SourceInfo>,
    guard: Guard,
) -> Result<(), Error> {
    if stats.records == 0 {
        return Err(Error::EmptyFeed {
            origin: feed.url.clone(),
            name: feed.name.clone(),
            skipped: stats.skipped,
        });
    }
    match previous {
        Some(previous) if !guard.allow_shrink && stats.records * 2 < previous.records => {
            Err(Error::Shrunk {
                name: feed.name.clone(),
                origin: feed.url.clone(),
                before: previous.records,
                after: stats.records,
                skipped: stats.skipped,
            })
        }
        _ => Ok(()),
    }
}

/// Deletes what killed builds left: the DB's temp files and, for an update,
/// the scratch downloads. Only under the lock, so no live build loses a file.
pub(crate) fn remove_leftovers(_lock: &BuildLock, db_path: &Path, scratch_dir: Option<&Path>) {
    match portcullis_io::remove_leftovers(db_path) {
        Ok(0) => {}
        Ok(n) => tracing::info!("removed {n} temp files left by killed DB builds"),
        Err(error) => tracing::warn!(
            "could not remove the temp files beside `{}`: {error}",
            db_path.display()
        ),
    }
    let Some(dir) = scratch_dir else {
        return;
    };
    match fs_err::remove_dir_all(dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!("could not clear `{}`: {error}", dir.display()),
    }
}

/// What a build did, per source.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub built_at: Timestamp,
    pub imported: Vec<SourceInfo>,
    /// Sources copied unchanged from the previous DB.
    pub kept: Vec<String>,
    /// Of those, the ones a mirror confirmed current (their fetch time is now).
    pub confirmed: Vec<String>,
}

/// An exclusive lock on `<db>.lock`, held for a whole build.
pub(crate) struct BuildLock {
    _file: fs_err::File,
}

impl BuildLock {
    /// Takes the lock, waiting (and saying so) while another build holds it.
    pub(crate) fn acquire(db_path: &Path) -> Result<BuildLock, Error> {
        let path = lock_path(db_path);
        let lock_error = |source| Error::Lock {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir).map_err(lock_error)?;
        }
        let file = fs_err::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(lock_error)?;
        match file.file().try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::warn!(
                    "another update holds `{}`; waiting for it to finish",
                    path.display()
                );
                file.file().lock().map_err(lock_error)?;
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(lock_error(source)),
        }
        Ok(BuildLock { _file: file })
    }
}

fn lock_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    db_path.with_file_name(name)
}

/// The sha256 of a feed: its bytes, or for a folder every file's name and bytes in order.
fn feed_digest(path: &Path) -> Result<String, Error> {
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut hasher = sha2::Sha256::new();
    let mut files: Vec<PathBuf> = if path.is_dir() {
        walkdir::WalkDir::new(path)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .collect()
    } else {
        vec![path.to_owned()]
    };
    files.sort();
    let mut buffer = vec![0u8; 1 << 16];
    for file in files {
        if path.is_dir() {
            hasher.update(
                file.strip_prefix(path)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .as_bytes(),
            );
        }
        let mut reader = fs_err::File::open(&file).map_err(io_error)?;
        loop {
            let read = reader.read(&mut buffer).map_err(io_error)?;
            if read == 0 {
                break;
            }
            hasher.update(buffer.get(..read).unwrap_or_default());
        }
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

fn import_feed(builder: &mut Builder, feed: &Feed) -> Result<ImportStats, Error> {
    match feed.kind {
        InputKind::OsvZip => {
            import::osv_zip(builder, &feed.path, &feed.name, feed.family.as_deref())
        }
        InputKind::OsvFolder => import::osv_folder(builder, &feed.path, &feed.name),
        InputKind::CveZip => import::osv_zip(builder, &feed.path, import::CVE_SOURCE, None),
        InputKind::CveFolder => import::osv_folder(builder, &feed.path, import::CVE_SOURCE),
        InputKind::Kev => import::kev(builder, &feed.path),
        InputKind::Epss => import::epss(builder, &feed.path),
        InputKind::Bundle => Err(Error::UnknownInput {
            path: feed.path.clone(),
        }),
    }
}

/// The previous DB's sources, or none when it is missing or of another schema.
fn previous_sources(db_path: &Path) -> Vec<SourceInfo> {
    match Database::open(db_path).and_then(|db| db.sources()) {
        Ok(sources) => sources,
        Err(Error::Missing { .. }) => Vec::new(),
        Err(error) => {
            tracing::warn!("rebuilding `{}` from scratch: {error}", db_path.display());
            Vec::new()
        }
    }
}

/// The sources of the current DB (for conditional requests).
pub(crate) fn current_sources(db_path: &Path) -> Vec<SourceInfo> {
    previous_sources(db_path)
}

/// Builds a new DB from `feeds` plus the old DB's other sources, then renames it into place.
pub(crate) fn rebuild(
    _lock: &BuildLock,
    db_path: &Path,
    feeds: &[Feed],
    built_at: Timestamp,
    guard: Guard,
    confirmed: &[String],
) -> Result<BuildReport, Error> {
    let dir = db_path.parent().unwrap_or(Path::new("."));
    let io_error = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let previous = previous_sources(db_path);
    let kept: Vec<String> = previous
        .iter()
        .map(|source| source.name.clone())
        .filter(|name| !feeds.iter().any(|feed| &feed.name == name))
        .collect();
    // Readable by scans in other CI jobs (other users): 0644, not a temp file's 0600.
    let file = AtomicFile::create(db_path).map_err(io_error)?.mode(0o644);
    let mut builder = Builder::create(file.temp_path())?;
    builder.copy_sources(db_path, &kept)?;
    // A feed the mirror confirmed unchanged (304) was fetched now, in effect.
    let confirmed: Vec<String> = kept
        .iter()
        .filter(|name| confirmed.contains(name))
        .cloned()
        .collect();
    builder.mark_fetched(&confirmed, &built_at.to_string())?;
    let mut imported = Vec::new();
    for feed in feeds {
        let stats = import_feed(&mut builder, feed)?;
        let before = previous.iter().find(|source| source.name == feed.name);
        check_feed(feed, &stats, before, guard)?;
        if stats.skipped > 0 {
            tracing::warn!(
                "`{}`: {} records imported, {} skipped",
                feed.path.display(),
                stats.records,
                stats.skipped
            );
        }
        let source = SourceInfo {
            name: feed.name.clone(),
            url: feed.url.clone(),
            digest: feed_digest(&feed.path)?,
            records: stats.records,
            skipped: stats.skipped,
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
            fetched_at: built_at.to_string(),
        };
        builder.add_source(&source)?;
        imported.push(source);
    }
    builder.finish(&built_at.to_string())?;
    file.commit().map_err(io_error)?;
    Ok(BuildReport {
        built_at,
        imported,
        kept,
        confirmed,
    })
}
