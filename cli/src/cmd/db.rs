//! `portcullis db …`: wiring only.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::model::Timestamp;
use crate::report;
use crate::source::SourceConfig;
use crate::vulndb::{self, Mirror, UpdateConfig};

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    /// The DB file [env: PORTCULLIS_DB] (default: `portcullis/db/portcullis.db` in the user cache dir).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
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

/// The DB path after flag > environment > default.
pub(crate) fn db_path(flag: Option<&PathBuf>) -> PathBuf {
    flag.cloned()
        .or_else(|| std::env::var_os("PORTCULLIS_DB").map(PathBuf::from))
        .unwrap_or_else(|| {
            dirs::cache_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("portcullis/db/portcullis.db")
        })
}

fn registry_config(insecure: &[String]) -> SourceConfig {
    SourceConfig {
        insecure_registries: insecure.to_vec(),
        docker_config_dir: std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| dirs::home_dir().map(|home| home.join(".docker"))),
        ..SourceConfig::default()
    }
}

pub(crate) fn run(args: &DbArgs) -> anyhow::Result<ExitCode> {
    let path = db_path(args.db.as_ref());
    match &args.command {
        DbCommand::Update {
            mirror,
            ecosystem,
            kev_url,
            epss_url,
        } => {
            let mut texts = mirror.clone();
            if texts.is_empty() {
                if let Ok(env) = std::env::var("PORTCULLIS_MIRROR") {
                    texts.extend(env.split_whitespace().map(str::to_owned));
                }
            }
            let default = texts.is_empty();
            if default {
                texts.push(vulndb::DEFAULT_MIRROR.to_owned());
            }
            let mirrors = texts
                .iter()
                .map(|text| text.parse::<Mirror>())
                .collect::<Result<Vec<_>, _>>()?;
            let config = UpdateConfig {
                db_path: path.clone(),
                mirrors,
                ecosystems: (!ecosystem.is_empty()).then(|| ecosystem.clone()),
                kev_url: kev_url
                    .clone()
                    .or_else(|| default.then(|| vulndb::DEFAULT_KEV_URL.to_owned())),
                epss_url: epss_url
                    .clone()
                    .or_else(|| default.then(|| vulndb::DEFAULT_EPSS_URL.to_owned())),
                progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            };
            let report = vulndb::update(&config, Timestamp::now())
                .with_context(|| format!("could not update `{}`", path.display()))?;
            report::write_stdout(&report::db_build_summary(&path, &report))?;
        }
        DbCommand::Import { paths } => {
            let report = vulndb::import(&path, paths, Timestamp::now())
                .with_context(|| format!("could not import into `{}`", path.display()))?;
            let text = match report {
                Some(report) => report::db_build_summary(&path, &report),
                None => format!("installed the bundle as `{}`\n", path.display()),
            };
            report::write_stdout(&text)?;
        }
        DbCommand::Status => {
            let status = vulndb::Database::open(&path)
                .and_then(|db| db.status())
                .with_context(|| format!("could not read `{}`", path.display()))?;
            let now = Timestamp::now();
            let age = status
                .built_at
                .parse::<Timestamp>()
                .map(|built| vulndb::Freshness::DEFAULT.check(built, now));
            if let Ok(Err(stale)) = &age {
                tracing::warn!("{stale}");
            }
            report::write_stdout(&report::db_status(&path, &status, now))?;
        }
        DbCommand::Lookup {
            ecosystem,
            name,
            batch,
        } => {
            let pairs = match (ecosystem, name, batch) {
                (Some(ecosystem), Some(name), None) => vec![(ecosystem.clone(), name.clone())],
                (None, None, Some(file)) => {
                    let text = fs_err::read_to_string(file)?;
                    text.lines()
                        .filter_map(|line| line.split_once('\t'))
                        .map(|(e, n)| (e.trim().to_owned(), n.trim().to_owned()))
                        .collect()
                }
                _ => anyhow::bail!("give `ECOSYSTEM NAME` or `--batch FILE`"),
            };
            let db = vulndb::Database::open(&path)
                .with_context(|| format!("could not read `{}`", path.display()))?;
            let started = std::time::Instant::now();
            let mut found = Vec::with_capacity(pairs.len());
            for (ecosystem, name) in &pairs {
                found.push((ecosystem, name, db.affecting(ecosystem, name)?));
            }
            tracing::info!(
                "{} lookups in {:.2} ms",
                pairs.len(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            report::write_stdout(&report::db_lookup(&found))?;
        }
        DbCommand::Show { id } => {
            let db = vulndb::Database::open(&path)
                .with_context(|| format!("could not read `{}`", path.display()))?;
            let record = db
                .record(id)?
                .with_context(|| format!("`{}` holds no advisory `{id}`", path.display()))?;
            let kev = db.kev(id)?;
            let epss = db.epss(id)?;
            report::write_stdout(&report::db_record(&record, kev.as_ref(), epss))?;
        }
        DbCommand::Export { file } => {
            vulndb::export(&path, file).with_context(|| {
                format!(
                    "could not export `{}` to `{}`",
                    path.display(),
                    file.display()
                )
            })?;
        }
        DbCommand::Push {
            reference,
            insecure_registry,
        } => {
            let digest = vulndb::push(&path, reference, &registry_config(insecure_registry))
                .with_context(|| format!("could not push `{}` to `{reference}`", path.display()))?;
            report::write_stdout(&format!("{reference}@{digest}\n"))?;
        }
        DbCommand::Pull {
            reference,
            insecure_registry,
        } => {
            vulndb::pull(reference, &path, &registry_config(insecure_registry)).with_context(
                || format!("could not pull `{reference}` into `{}`", path.display()),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
