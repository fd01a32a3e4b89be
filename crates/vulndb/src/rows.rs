//! The typed rows the DB hands out: sources, advisories and their affected
//! ranges, KEV entries, EPSS scores, and what `db status` shows.

use std::collections::BTreeMap;

use super::osv::{GoImport, Range, Severity};

/// Where a source came from, as `db status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// `osv:PyPI`, `kev`, `epss`.
    pub name: String,
    pub url: String,
    pub digest: String,
    pub records: i64,
    pub skipped: i64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: String,
}

/// One KEV catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    pub cve: String,
    pub date_added: String,
    pub due_date: Option<String>,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub name: Option<String>,
    pub ransomware: Option<String>,
}

/// One EPSS score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpssScore {
    pub score: f64,
    pub percentile: f64,
}

/// One `affected` row joined with its advisory, for the matcher.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedRow {
    pub osv_id: String,
    pub withdrawn: bool,
    pub ecosystem: String,
    pub ranges: Vec<Range>,
    pub versions: Vec<String>,
    pub severity: Option<String>,
    /// Go records: the vulnerable packages and symbols, when the record names them.
    pub imports: Option<Vec<GoImport>>,
}

/// What the matcher and scorer need of an advisory beyond its ranges.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdvisoryInfo {
    pub osv_id: String,
    pub summary: Option<String>,
    pub aliases: Vec<String>,
    pub upstream: Vec<String>,
    pub related: Vec<String>,
    pub severity: Vec<Severity>,
    pub database_severity: Option<String>,
}

/// What `db status` shows.
#[derive(Debug, Clone)]
pub struct Status {
    pub schema_version: u32,
    /// The DB file's size in bytes.
    pub file_size: u64,
    /// The bundle the DB was installed from (`db import` of a bundle, `db pull`).
    pub bundle: Option<BundleOrigin>,
    pub built_at: String,
    pub digest: String,
    pub sources: Vec<SourceInfo>,
    /// Distinct advisories per affected ecosystem.
    pub counts: BTreeMap<String, i64>,
    pub kev_entries: i64,
    pub epss_scores: i64,
}

/// The bundle a DB was installed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleOrigin {
    /// `sha256:…` of the bundle's bytes (for a pull, the artifact layer's digest).
    pub digest: String,
    pub size: u64,
    /// The file or reference it came from.
    pub from: String,
}
