//! The SQLite schema: every table and index, the schema version, and the
//! key a package name is stored and looked up under. The writer
//! (`writer.rs`) and the reader (`query.rs`) are its only users.

use std::path::Path;

use super::Error;

/// Bump on any change to the tables below; an older file is rebuilt, never read.
/// 2: NuGet and Packagist names are stored folded to lower case; CVE records.
/// 3: Go records' vulnerable packages and symbols (`affected.imports`).
/// 4: compact storage: records in compressed blocks, one `affected` row per
///    package, ranges stored once however many packages share them,
///    ecosystems and feeds as integers, aliases beside their advisory.
/// 5: blocks of 256 records at zstd 6, long ranges compressed, no `published`
///    (no report shows it; `db show` has it in the record).
pub(crate) const SCHEMA_VERSION: u32 = 5;
/// zstd level for record blocks and long ranges. On the shared corpus's
/// records, blocks of 64 at level 3 take 5.5 MB, of 256 at level 3 4.8 MB,
/// of 256 at level 6 4.35 MB and at level 9 4.2 MB; level 6 keeps the
/// import within 2 s.
pub(crate) const RECORD_ZSTD_LEVEL: i32 = 6;
/// A record block closes after this many records or raw bytes, whichever
/// comes first: `db show` inflates one block (about 500 KB, a millisecond).
pub(crate) const BLOCK_RECORDS: usize = 256;
pub(crate) const BLOCK_BYTES: usize = 1 << 20;
/// A `ranges` value longer than this is stored zstd-compressed (PyPI's lists
/// of every affected version compress to a third).
pub(crate) const RANGE_COMPRESS_BYTES: usize = 128;

/// Every table. `advisories.block`, `.start` and `.length` place the record's
/// JSON in the inflated `records` block; `affected.entries` lists
/// (advisory, range) pairs and `advisories.info` the aliases and severities
/// (see `stored.rs`); `ranges.data` holds one
/// affected entry's ranges, versions, vendor severity and Go imports.
pub(crate) const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY, url TEXT NOT NULL, digest TEXT NOT NULL,
    records INTEGER NOT NULL, skipped INTEGER NOT NULL,
    etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE feeds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE ecosystems (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE records (id INTEGER PRIMARY KEY, feed INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE advisories (
    id INTEGER PRIMARY KEY, feed INTEGER NOT NULL, osv_id TEXT NOT NULL,
    block INTEGER NOT NULL, start INTEGER NOT NULL, length INTEGER NOT NULL,
    withdrawn INTEGER NOT NULL, summary TEXT, info BLOB
);
CREATE TABLE affected (
    ecosystem INTEGER NOT NULL, name TEXT NOT NULL, entries BLOB NOT NULL,
    PRIMARY KEY (ecosystem, name)
) WITHOUT ROWID;
CREATE TABLE ranges (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE counts (ecosystem TEXT PRIMARY KEY, advisories INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE kev (
    cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT,
    vendor TEXT, product TEXT, name TEXT, ransomware TEXT
) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE cve_records (
    cve TEXT PRIMARY KEY, rejected INTEGER NOT NULL, cna TEXT NOT NULL, adp TEXT NOT NULL,
    exploitation TEXT, automatable TEXT, technical_impact TEXT
) WITHOUT ROWID;
";

/// Built after the bulk insert, which is faster than keeping them up to date.
pub(crate) const INDEXES: &str = "
CREATE INDEX advisories_osv_id ON advisories (osv_id);
";

/// The key a package is stored and looked up under: PyPI names are
/// normalised as PEP 503 says; NuGet ids and Composer names are
/// case-insensitive (`Newtonsoft.Json` is `newtonsoft.json`); every other
/// ecosystem compares names exactly.
pub(crate) fn package_key(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => portcullis_model::pep503_normalise(name),
        "NuGet" | "Packagist" => name.to_ascii_lowercase(),
        _ => name.to_owned(),
    }
}

/// Whether an affected entry of `ecosystem` belongs to a feed of `family`
/// (`Debian` holds `Debian:12`; no family holds every ecosystem), as OSV's
/// per-ecosystem zips repeat multi-ecosystem records in each.
pub(crate) fn in_family(family: Option<&str>, ecosystem: &str) -> bool {
    family.is_none_or(|family| {
        ecosystem == family
            || ecosystem
                .strip_prefix(family)
                .is_some_and(|rest| rest.starts_with(':'))
    })
}

/// Names the file in SQLite errors.
pub(crate) fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| Error::Sqlite {
        path: path.to_owned(),
        source,
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

    #[test]
    fn nuget_and_composer_names_fold_case_and_go_s_do_not() {
        assert_eq!(
            package_key("NuGet", "Newtonsoft.Json"),
            package_key("NuGet", "newtonsoft.json")
        );
        assert_eq!(package_key("Packagist", "Symfony/Yaml"), "symfony/yaml");
        assert_eq!(
            package_key("Go", "github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
    }
}
