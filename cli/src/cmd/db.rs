//! `portcullis db …`: wiring only.

use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::model::Timestamp;
use portcullis_engine::report;
use portcullis_engine::vulndb::{self, UpdateConfig};

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
        } => {
            let (mirrors, default) = settings::mirrors(mirror)?;
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
