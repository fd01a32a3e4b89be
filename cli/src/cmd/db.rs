//! `portcullis db …`: wiring only.

use std::io::Write as _;
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
            timeout,
            deadline,
        } => {
            let mut config =
                settings::update_config(&path, mirror, ecosystem, kev_url, epss_url, cve_url)?;
            config.allow_shrink = *allow_shrink;
            config.request_timeout = std::time::Duration::from_secs(*timeout);
            config.deadline = std::time::Duration::from_secs(*deadline);
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
            let exported = vulndb::export(&path, file).with_context(|| {
                format!(
                    "could not export `{}` to `{}`",
                    path.display(),
                    file.display()
                )
            })?;
            // On stderr: the bundle may be going to stdout; a closed stderr loses only the note.
            let _ = writeln!(
                std::io::stderr().lock(),
                "wrote `{}`: {} bytes, {}",
                file.display(),
                exported.size,
                exported.digest
            );
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
    let known: Vec<String> = db.status()?.counts.into_keys().collect();
    let started = std::time::Instant::now();
    let mut resolved = Vec::with_capacity(pairs.len());
    for (ecosystem, name) in &pairs {
        let ecosystems = resolve_ecosystem(ecosystem, &known);
        if ecosystems.is_empty() {
            let nearest = known
                .iter()
                .map(|k| k.split(':').next().unwrap_or(k))
                .map(|family| {
                    (
                        strsim::damerau_levenshtein(
                            &ecosystem.to_ascii_lowercase(),
                            &family.to_ascii_lowercase(),
                        ),
                        family,
                    )
                })
                .min()
                .filter(|(distance, _)| *distance <= 2)
                .map(|(_, family)| format!(" (did you mean `{family}`?)"))
                .unwrap_or_default();
            let message = format!(
                "the DB has no ecosystem `{ecosystem}`{nearest}; it has: {}",
                ecosystem_families(&known)
            );
            if pairs.len() == 1 {
                anyhow::bail!(message);
            }
            tracing::warn!("{message}");
        }
        for resolved_ecosystem in ecosystems {
            resolved.push((resolved_ecosystem, name.clone()));
        }
    }
    let mut found = Vec::with_capacity(resolved.len());
    for (ecosystem, name) in &resolved {
        found.push((ecosystem, name, db.affecting(ecosystem, name)?));
    }
    if pairs.len() == 1 && !resolved.is_empty() && found.iter().all(|(_, _, rows)| rows.is_empty())
    {
        tracing::warn!(
            "no advisory names `{}` in {}; ecosystem names are OSV's (`PyPI`, `npm`, `crates.io`, `Go`, \
             `Maven`), distro ones with their release (`Debian:12`, `Alpine:v3.19`), and a distro \
             package is looked up by its source package (`openssl`, `glibc` for libc6)",
            pairs[0].1,
            resolved.iter().map(|(e, _)| format!("`{e}`")).collect::<Vec<_>>().join(", ")
        );
    }
    tracing::info!(
        "{} lookups in {:.2} ms",
        pairs.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    report::write_stdout(&report::db_lookup(&found))?;
    Ok(())
}

/// The DB's ecosystems `wanted` names: itself, the one that matches it
/// ignoring case (`pypi` is `PyPI`), or every release of a distro
/// (`Debian` is `Debian:11` and `Debian:12`).
fn resolve_ecosystem(wanted: &str, known: &[String]) -> Vec<String> {
    if let Some(exact) = known.iter().find(|k| *k == wanted) {
        return vec![exact.clone()];
    }
    if let Some(folded) = known.iter().find(|k| k.eq_ignore_ascii_case(wanted)) {
        return vec![folded.clone()];
    }
    let prefix = format!("{}:", wanted.to_ascii_lowercase());
    known
        .iter()
        .filter(|k| k.to_ascii_lowercase().starts_with(&prefix))
        .cloned()
        .collect()
}

/// `Debian (10, 11, 12), PyPI, npm`: the DB's ecosystems, releases folded.
fn ecosystem_families(known: &[String]) -> String {
    let mut families: Vec<(String, Vec<String>)> = Vec::new();
    for name in known {
        let (family, release) = match name.split_once(':') {
            Some((family, release)) => (family, Some(release)),
            None => (name.as_str(), None),
        };
        match families.iter_mut().find(|(f, _)| f == family) {
            Some((_, releases)) => releases.extend(release.map(str::to_owned)),
            None => families.push((
                family.to_owned(),
                release.map(str::to_owned).into_iter().collect(),
            )),
        }
    }
    families
        .into_iter()
        .map(|(family, releases)| {
            if releases.is_empty() {
                family
            } else {
                format!("{family} ({})", releases.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
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

/// How many record ids `db show` names on stderr (stdout has them all).
const MAX_NAMED_RECORDS: usize = 20;

/// `db show ID`: every stored record that has the id or names it as an
/// alias, one JSON document after another on stdout (as `jq` reads them);
/// what else the DB knows of it (KEV, EPSS, the CVE record) on stderr.
fn show(path: &Path, id: &str) -> anyhow::Result<()> {
    let db = vulndb::Database::open(path)
        .with_context(|| format!("could not read `{}`", path.display()))?;
    let records = db.records(id)?;
    let cve = db.cve_record(id)?;
    if records.is_empty() && cve.is_none() {
        anyhow::bail!("`{}` holds no advisory `{id}`", path.display());
    }
    let mut notes = Vec::new();
    if records.len() > 1 {
        let ids: Vec<&str> = records.iter().map(|(osv_id, _)| osv_id.as_str()).collect();
        let more = ids.len().saturating_sub(MAX_NAMED_RECORDS);
        notes.push(format!(
            "{} records have or name `{id}`: {}{}",
            ids.len(),
            ids[..ids.len().min(MAX_NAMED_RECORDS)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    let kev = db.kev(id)?;
    let epss = db.epss(id)?;
    notes.extend(report::db_record_notes(kev.as_ref(), epss, cve.as_ref()));
    // Notes go to stderr so that stdout stays JSON; a closed stderr loses only them.
    let mut stderr = std::io::stderr().lock();
    for note in notes {
        let _ = writeln!(stderr, "{note}");
    }
    let mut out = String::new();
    for (_, record) in &records {
        out.push_str(String::from_utf8_lossy(record).trim_end());
        out.push('\n');
    }
    report::write_stdout(&out)?;
    Ok(())
}
