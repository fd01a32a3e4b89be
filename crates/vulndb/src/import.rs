//! Read feeds into a [`Builder`]: OSV records from a zip (OSV's `all.zip`) or a
//! folder of JSON files, the CISA KEV catalog, and EPSS CSV scores. A record
//! that is not valid OSV is skipped, counted and named in a warning; an archive
//! entry whose name escapes the archive refuses the whole archive.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::cve::{is_cve_record, CveRecord};
use super::osv::Advisory;
use super::rows::{EpssScore, KevEntry};
use super::writer::Builder;
use super::Error;

/// No real OSV record comes near this (16 MiB).
const MAX_RECORD_BYTES: u64 = 16 << 20;
/// Skipped records named one by one in warnings; the rest are only counted.
const MAX_NAMED_SKIPS: usize = 20;
/// The source CVE records are imported as; its entries are CVE records, not OSV.
pub(crate) const CVE_SOURCE: &str = "cve";

/// What one feed contributed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ImportStats {
    pub records: i64,
    pub skipped: i64,
}

/// The kinds of input `db import` takes, told apart by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputKind {
    OsvZip,
    OsvFolder,
    /// CVE JSON 5 records (a cvelistV5-style zip or folder, or one file).
    CveZip,
    CveFolder,
    Kev,
    Epss,
    Bundle,
}

const ZIP_MAGIC: [u8; 4] = [b'P', b'K', 3, 4];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Looks at `path`'s first bytes to tell what it is.
pub(crate) fn classify(path: &Path) -> Result<InputKind, Error> {
    if path.is_dir() {
        return Ok(
            if first_folder_record(path)?.is_some_and(|j| is_cve_record(&j)) {
                InputKind::CveFolder
            } else {
                InputKind::OsvFolder
            },
        );
    }
    let mut head = [0u8; 512];
    let file = fs_err::File::open(path).map_err(io_error(path))?;
    let read = file.take(512).read(&mut head).map_err(io_error(path))?;
    let head = head.get(..read).unwrap_or_default();
    if head.starts_with(&ZIP_MAGIC) {
        return Ok(
            if first_zip_record(path)?.is_some_and(|j| is_cve_record(&j)) {
                InputKind::CveZip
            } else {
                InputKind::OsvZip
            },
        );
    }
    if head.starts_with(&ZSTD_MAGIC) {
        return Ok(InputKind::Bundle);
    }
    let text = String::from_utf8_lossy(head);
    if head.starts_with(&GZIP_MAGIC)
        || text.starts_with("#model_version")
        || text.starts_with("cve,epss")
    {
        return Ok(InputKind::Epss);
    }
    if text.trim_start().starts_with('{') && text.contains("catalogVersion") {
        return Ok(InputKind::Kev);
    }
    if text.trim_start().starts_with('{') && is_cve_record(head) {
        return Ok(InputKind::CveFolder);
    }
    Err(Error::UnknownInput {
        path: path.to_owned(),
    })
}

/// The first `*.json` entry of a zip, to tell OSV records from CVE records.
fn first_zip_record(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let zip_error = |source| Error::Zip {
        path: path.to_owned(),
        source,
    };
    let file = fs_err::File::open(path).map_err(io_error(path))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(zip_error)?;
        if entry.is_dir() || !entry.name().ends_with(".json") {
            continue;
        }
        let mut head = Vec::new();
        (&mut entry)
            .take(4096)
            .read_to_end(&mut head)
            .map_err(|e| zip_error(e.into()))?;
        return Ok(Some(head));
    }
    Ok(None)
}

/// The JSON files below a folder (or the file itself), sorted.
fn json_files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for item in walkdir::WalkDir::new(path).follow_links(false) {
        let item = item.map_err(|e| Error::Io {
            path: path.to_owned(),
            source: e.into(),
        })?;
        if item.file_type().is_file() && item.path().extension().is_some_and(|e| e == "json") {
            files.push(item.into_path());
        }
    }
    files.sort();
    Ok(files)
}

fn first_folder_record(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let Some(first) = json_files(path)?.into_iter().next() else {
        return Ok(None);
    };
    let mut head = Vec::new();
    fs_err::File::open(&first)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(io_error(&first))?;
    Ok(Some(head))
}

/// The source name and ecosystem family of an OSV zip: `Debian/all.zip` is
/// `osv:Debian`, limited to `Debian` and `Debian:*` rows; any other zip is
/// named for its file and keeps every row.
pub(crate) fn osv_zip_source(path: &Path) -> (String, Option<String>) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned());
    match (stem.as_str(), parent) {
        ("all", Some(ecosystem)) => (format!("osv:{ecosystem}"), Some(ecosystem)),
        _ => (format!("osv:{stem}"), None),
    }
}

struct Skips<'a> {
    source: &'a Path,
    named: usize,
}

impl Skips<'_> {
    fn record(&mut self, stats: &mut ImportStats, entry: &str, error: &dyn std::fmt::Display) {
        stats.skipped += 1;
        if self.named < MAX_NAMED_SKIPS {
            tracing::warn!("skipped `{entry}` in `{}`: {error}", self.source.display());
            self.named += 1;
        }
    }
}

fn add_record(
    builder: &mut Builder,
    source: &str,
    family: Option<&str>,
    entry: &str,
    json: &[u8],
    stats: &mut ImportStats,
    skips: &mut Skips<'_>,
) -> Result<(), Error> {
    if source == CVE_SOURCE {
        // cvelistV5 keeps `delta.json` and `deltaLog.json` beside the records.
        let file_name = entry.rsplit(['/', '\\']).next().unwrap_or(entry);
        if !file_name.starts_with("CVE-") {
            return Ok(());
        }
        match CveRecord::from_json(json) {
            Ok(record) => {
                builder.add_cve(&record)?;
                stats.records += 1;
            }
            Err(error) => skips.record(stats, entry, &error),
        }
        return Ok(());
    }
    match Advisory::from_json(json) {
        Ok(advisory) => {
            builder.add_advisory(source, family, &advisory, json)?;
            stats.records += 1;
        }
        Err(error) => skips.record(stats, entry, &error),
    }
    Ok(())
}

/// Imports every `*.json` entry of an OSV zip.
pub(crate) fn osv_zip(
    builder: &mut Builder,
    path: &Path,
    source: &str,
    family: Option<&str>,
) -> Result<ImportStats, Error> {
    let zip_error = |source| Error::Zip {
        path: path.to_owned(),
        source,
    };
    let file = fs_err::File::open(path).map_err(io_error(path))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(zip_error)?;
    let mut stats = ImportStats::default();
    let mut skips = Skips {
        source: path,
        named: 0,
    };
    let mut json = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(zip_error)?;
        let name = entry.name().to_owned();
        if entry.enclosed_name().is_none() {
            return Err(Error::UnsafeEntry {
                path: path.to_owned(),
                entry: name,
            });
        }
        if entry.is_dir() || !name.ends_with(".json") {
            continue;
        }
        let whole = portcullis_io::read_bounded_into(&mut entry, MAX_RECORD_BYTES, &mut json)
            .map_err(|e| zip_error(e.into()))?;
        if !whole {
            return Err(Error::EntryTooLarge {
                path: path.to_owned(),
                entry: name,
                limit: MAX_RECORD_BYTES,
            });
        }
        add_record(
            builder, source, family, &name, &json, &mut stats, &mut skips,
        )?;
    }
    Ok(stats)
}

/// Imports every `*.json` file below a folder.
pub(crate) fn osv_folder(
    builder: &mut Builder,
    path: &Path,
    source: &str,
) -> Result<ImportStats, Error> {
    let files = json_files(path)?;
    let mut stats = ImportStats::default();
    let mut skips = Skips {
        source: path,
        named: 0,
    };
    for file in files {
        let mut json = Vec::new();
        let whole = fs_err::File::open(&file)
            .and_then(|f| portcullis_io::read_bounded_into(f, MAX_RECORD_BYTES, &mut json))
            .map_err(io_error(&file))?;
        let name = file
            .strip_prefix(path)
            .unwrap_or(&file)
            .display()
            .to_string();
        if !whole {
            return Err(Error::EntryTooLarge {
                path: path.to_owned(),
                entry: name,
                limit: MAX_RECORD_BYTES,
            });
        }
        add_record(builder, source, None, &name, &json, &mut stats, &mut skips)?;
    }
    Ok(stats)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKevCatalog {
    vulnerabilities: Vec<RawKevEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKevEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    due_date: Option<String>,
    vendor_project: Option<String>,
    product: Option<String>,
    vulnerability_name: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

/// Imports the CISA KEV catalog JSON.
/// Format: <https://www.cisa.gov/known-exploited-vulnerabilities-catalog> (JSON schema in shared/vulndb/kev).
pub(crate) fn kev(builder: &mut Builder, path: &Path) -> Result<ImportStats, Error> {
    let bytes = fs_err::read(path).map_err(io_error(path))?;
    let catalog: RawKevCatalog = serde_json::from_slice(&bytes).map_err(|e| Error::BadFeed {
        path: path.to_owned(),
        what: "CISA KEV catalog",
        source: Box::new(e),
    })?;
    let mut stats = ImportStats::default();
    for entry in catalog.vulnerabilities {
        builder.add_kev(&KevEntry {
            cve: entry.cve_id,
            date_added: entry.date_added,
            due_date: entry.due_date,
            vendor: entry.vendor_project,
            product: entry.product,
            name: entry.vulnerability_name,
            ransomware: entry.known_ransomware_campaign_use,
        })?;
        stats.records += 1;
    }
    Ok(stats)
}

/// Imports an EPSS CSV (`cve,epss,percentile`, optionally gzipped, with
/// FIRST's `#model_version…` comment line). Format: <https://www.first.org/epss/data_stats>.
pub(crate) fn epss(builder: &mut Builder, path: &Path) -> Result<ImportStats, Error> {
    let file = fs_err::File::open(path).map_err(io_error(path))?;
    let mut buffered = BufReader::new(file);
    let gzipped = buffered
        .fill_buf()
        .map_err(io_error(path))?
        .starts_with(&GZIP_MAGIC);
    let reader: Box<dyn BufRead> = if gzipped {
        Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(
            buffered,
        )))
    } else {
        Box::new(buffered)
    };
    let mut stats = ImportStats::default();
    let bad = |line: usize, why: String| Error::BadFeed {
        path: path.to_owned(),
        what: "EPSS CSV",
        source: format!("line {line}: {why}").into(),
    };
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(io_error(path))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("cve,") {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let [cve, score, percentile] = fields.as_slice() else {
            return Err(bad(
                number + 1,
                format!("expected 3 fields, found {}", fields.len()),
            ));
        };
        let parse = |text: &str| {
            text.parse::<f64>()
                .map_err(|e| bad(number + 1, e.to_string()))
        };
        builder.add_epss(
            cve,
            EpssScore {
                score: parse(score)?,
                percentile: parse(percentile)?,
            },
        )?;
        stats.records += 1;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_zip_is_named_for_its_ecosystem_folder() {
        assert_eq!(
            osv_zip_source(Path::new("/m/Debian/all.zip")),
            ("osv:Debian".to_owned(), Some("Debian".to_owned()))
        );
        assert_eq!(
            osv_zip_source(Path::new("/tmp/extra.zip")),
            ("osv:extra".to_owned(), None)
        );
    }
}
