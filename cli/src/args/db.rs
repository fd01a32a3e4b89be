//! `portcullis db` flags.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    /// The DB file [env: PORTCULLIS_DB] (default: `portcullis/db/portcullis.db` in the user cache dir).
    #[arg(long, global = true)]
    pub(crate) db: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: DbCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Fetch OSV feeds (and KEV, EPSS) from mirrors and rebuild the DB.
    Update {
        /// `https://…`, `file://…` or a folder laid out as `<Ecosystem>/all.zip`; tried in order
        /// [env: PORTCULLIS_MIRROR, space-separated] (default: the public OSV bucket).
        #[arg(long)]
        mirror: Vec<String>,
        /// Only these ecosystems (OSV names: `PyPI`, `Debian`, `crates.io`…).
        #[arg(long)]
        ecosystem: Vec<String>,
        /// Where to fetch the CISA KEV catalog (default: CISA's, with the default mirror only).
        #[arg(long)]
        kev_url: Option<String>,
        /// Where to fetch EPSS scores (default: FIRST's, with the default mirror only).
        #[arg(long)]
        epss_url: Option<String>,
        /// Where to fetch CVE records (CVE JSON 5: a cvelistV5-style zip, or a folder) for CNA
        /// and CISA ADP metrics (default: the CVE list's zip, with the default mirror only).
        #[arg(long)]
        cve_url: Option<String>,
        /// Accept a feed with fewer than half the records its source had (an empty feed is
        /// always refused).
        #[arg(long)]
        allow_shrink: bool,
        /// Seconds one request may take before that mirror counts as unreachable.
        #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
        /// Seconds the whole update may take, retries included; past it the
        /// update fails (exit 3) and the DB stays as it was.
        #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=86400))]
        deadline: u64,
    },
    /// Build the DB from local OSV zips or folders, a KEV JSON, an EPSS CSV, or a DB bundle.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Show the DB's schema, build time, age, sources and counts.
    Status,
    /// List the advisories the DB holds for packages: `ECOSYSTEM NAME`, or `--batch FILE`
    /// with one tab-separated `ecosystem name` pair per line.
    Lookup {
        ecosystem: Option<String>,
        name: Option<String>,
        #[arg(long, conflicts_with_all = ["ecosystem", "name"])]
        batch: Option<PathBuf>,
    },
    /// Print one stored OSV record, with KEV and EPSS data for its CVE.
    Show { id: String },
    /// Write the DB as one compressed bundle file, for air-gapped machines.
    Export { file: PathBuf },
    /// Push the DB to a registry as an OCI artifact.
    Push {
        reference: String,
        /// Allow plain HTTP to this registry (host:port); loopback always may.
        #[arg(long)]
        insecure_registry: Vec<String>,
    },
    /// Pull a DB artifact by tag or digest and install it.
    Pull {
        reference: String,
        /// Allow plain HTTP to this registry (host:port); loopback always may.
        #[arg(long)]
        insecure_registry: Vec<String>,
    },
}
