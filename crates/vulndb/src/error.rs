//! Errors from building, updating and reading the vulnerability DB.

use std::path::PathBuf;

/// Why a DB operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("there is no vulnerability DB at `{path}`")]
    Missing { path: PathBuf },
    #[error("`{path}` was built with DB schema {found}; this portcullis reads schema {expected}")]
    Schema {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("`{path}` is the inside of a DB bundle, not a DB")]
    BundleForm { path: PathBuf },
    #[error("`{path}` is not a portcullis vulnerability DB")]
    NotADatabase {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("SQLite failed on `{path}`")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the stored ranges of `{id}` in `{path}` are damaged")]
    Corrupt {
        path: PathBuf,
        id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("the stored {what} in `{path}` is damaged")]
    Damaged {
        path: PathBuf,
        what: String,
        #[source]
        source: super::stored::StoredError,
    },
    #[error("could not encode a record")]
    Encode(#[source] serde_json::Error),
    #[error("could not encode a record for the DB")]
    Store(#[source] super::stored::StoredError),
    #[error("zstd failed on `{path}`")]
    Compress {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a readable zip archive")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("`{path}` holds the entry `{entry}`, whose name escapes the archive; refusing it")]
    UnsafeEntry { path: PathBuf, entry: String },
    #[error("`{path}`: entry `{entry}` is larger than {limit} bytes")]
    EntryTooLarge {
        path: PathBuf,
        entry: String,
        limit: u64,
    },
    #[error("`{path}` is neither OSV records (zip or folder), a KEV catalog, an EPSS CSV nor a DB bundle")]
    UnknownInput { path: PathBuf },
    #[error("`{path}` is not a valid {what}")]
    BadFeed {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("no mirror had `{ecosystem}` (tried {tried})")]
    NoMirror { ecosystem: String, tried: String },
    #[error(
        "could not reach any mirror for `{ecosystem}` (tried {tried}: {why}); the DB was left as it was"
    )]
    Unreachable {
        ecosystem: String,
        tried: String,
        why: String,
    },
    #[error("`{origin}` holds no valid records for `{name}` ({skipped} entries were not valid); the DB was left as it was")]
    EmptyFeed {
        origin: String,
        name: String,
        skipped: i64,
    },
    #[error("`{name}` would drop from {before} records to {after} with `{origin}` ({skipped} entries were not valid); refusing the update, the DB was left as it was")]
    Shrunk {
        name: String,
        origin: String,
        before: i64,
        after: i64,
        skipped: i64,
    },
    #[error("could not fetch `{url}`")]
    Fetch {
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("`{0}` is not a mirror: expected `https://…`, `http://…` for loopback, `file://…` or a folder")]
    BadMirror(String),
    #[error("could not lock `{path}` for the update")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not move the DB through `{reference}`")]
    Artifact {
        reference: String,
        #[source]
        source: Box<portcullis_source::Error>,
    },
    #[error("the vulnerability DB was built {age} ago, past the {limit} limit")]
    Stale { age: String, limit: String },
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::Missing { .. }
            | Error::Sqlite { .. }
            | Error::Corrupt { .. }
            | Error::Damaged { .. }
            | Error::Store(_)
            | Error::Encode(_)
            | Error::Compress { .. }
            | Error::NoMirror { .. }
            | Error::Unreachable { .. }
            | Error::EmptyFeed { .. }
            | Error::Shrunk { .. }
            | Error::Fetch { .. }
            | Error::Lock { .. }
            | Error::Stale { .. } => true,
            Error::Artifact { source, .. } => source.is_undecided(),
            // A DB of another schema is bad input: it is never read, and
            // `db update` or `db import` rebuilds it.
            Error::Schema { .. }
            | Error::BundleForm { .. }
            | Error::NotADatabase { .. }
            | Error::Io { .. }
            | Error::Zip { .. }
            | Error::UnsafeEntry { .. }
            | Error::EntryTooLarge { .. }
            | Error::UnknownInput { .. }
            | Error::BadFeed { .. }
            | Error::BadMirror(_) => false,
        }
    }

    /// The fix, when this error knows it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::Missing { .. } => {
                Some("run `portcullis db update`, or `portcullis db import` for an offline copy")
            }
            Error::Schema { .. } => Some("rebuild it with `portcullis db update` (or `db import`)"),
            Error::BundleForm { .. } => {
                Some("install the bundle with `portcullis db import BUNDLE`")
            }
            Error::Stale { .. } => Some("run `portcullis db update`, or raise `--db-max-age`"),
            Error::Shrunk { .. } => {
                Some("check the mirror; if the drop is expected, run `db update --allow-shrink`")
            }
            Error::EmptyFeed { .. } => Some("check the mirror or the file: it is not OSV data"),
            Error::NoMirror { .. } | Error::Fetch { .. } | Error::Unreachable { .. } => {
                Some("check the mirror URL, or use `db import` with a downloaded `all.zip`")
            }
            _ => None,
        }
    }
}
