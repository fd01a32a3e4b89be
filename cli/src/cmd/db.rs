//! `portcullis db …`: wiring only.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::model::Timestamp;
use portcullis_engine::report;
use portcullis_engine::vulndb;

use crate::args::{DbArgs, DbCommand};
use crate::settings;

pub(crate) fn run(args: &DbArgs) -> anyhow::Result<ExitCode> {
    let path = settings::db_path(args.db.as_ref());
    match &args.command {
        DbCommand::Update {
            mirror,
            ecosystem,
            kev_url,
            epss_url,
            cve_url,
            allow_shrink,
        } => {
            let mut config =
                settings::update_config(&path, mirror, ecosystem, kev_url, epss_url, cve_url)?;
            config.allow_shrink = *allow_shrink;
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
            status(&path)?;
        }
        DbCommand::Lookup {
            ecosystem,
            name,
            batch,
        } => {
            lookup(
                &path,
                ecosystem.as_deref(),
                name.as_deref(),
                batch.as_deref(),
            )?;
        }
        DbCommand::Show { id } => {
            show(&path, id)?;
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
            let digest = vulndb::push(
                &path,
                reference,
                &settings::registry_config(insecure_registry),
            )
            .with_context(|| format!("could not push `{}` to `{reference}`", path.display()))?;
            report::write_stdout(&format!("{reference}@{digest}\n"))?;
        }
        DbCommand::Pull {
            reference,
            insecure_registry,
        } => {
            vulndb::pull(
                reference,
                &path,
                &settings::registry_config(insecure_registry),
            )
            .with_context(|| format!("could not pull `{reference}` into `{}`", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `db lookup`: the advisories for one package, or for each pair of a batch file.
fn lookup(
    path: &Path,
    ecosystem: Option<&str>,
    name: Option<&str>,
    batch: Option<&Path>,
) -> anyhow::Result<()> {
    let pairs = match (ecosystem, name, batch) {
        (Some(ecosystem), Some(name), None) => vec![(ecosystem.to_owned(), name.to_owned())],
        (None, None, Some(file)) => {
            let text = fs_err::read_to_string(file)?;
            text.lines()
                .filter_map(|line| line.split_once('\t'))
                .map(|(e, n)| (e.trim().to_owned(), n.trim().to_owned()))
                .collect()
        }
        _ => anyhow::bail!("give `ECOSYSTEM NAME` or `--batch FILE`"),
    };
    let db = vulndb::Database::open(path)
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
    Ok(())
}

/// `db status`: what the DB holds, and a warning when it is stale.
fn status(path: &Path) -> anyhow::Result<()> {
    let status = vulndb::Database::open(path)
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
    report::write_stdout(&report::db_status(path, &status, now))?;
    Ok(())
}

/// `db show ID`: the stored record, with KEV and EPSS data for its CVE.
fn show(path: &Path, id: &str) -> anyhow::Result<()> {
    let db = vulndb::Database::open(path)
        .with_context(|| format!("could not read `{}`", path.display()))?;
    let record = db
        .record(id)?
        .with_context(|| format!("`{}` holds no advisory `{id}`", path.display()))?;
    let kev = db.kev(id)?;
    let epss = db.epss(id)?;
    report::write_stdout(&report::db_record(&record, kev.as_ref(), epss))?;
    Ok(())
}
