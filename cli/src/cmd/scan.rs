//! `portcullis scan TARGET`: wiring only.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::config_file;
use super::options::TargetArgs;
use crate::model::{parse_duration, Severity, Timestamp};
use crate::policy::{Limits, Policy, Verdict};
use crate::report::{self, AwsTarget, RenderConfig, ReportFormat};
use crate::scan::{self, MatchConfig};
use crate::source;
use crate::suppress::{self, Suppressions};
use crate::vulndb::Freshness;

/// The ignore file read when none is named.
const DEFAULT_IGNORE_FILE: &str = ".portcullis-ignore.toml";

/// Exit code when a policy failed the target.
const EXIT_FAIL: u8 = 1;
/// Exit code when the gate could not decide.
const EXIT_UNDECIDED: u8 = 3;

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The vulnerability DB [env: PORTCULLIS_DB] (default: the one `db update` writes).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Never touch the network (registry targets are refused).
    #[arg(long)]
    offline: bool,
    /// The format printed on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Also write FORMAT to FILE (any `--format`); repeatable.
    #[arg(long, value_name = "FORMAT=FILE")]
    output: Vec<String>,
    /// The built-in severity gate's threshold (default: critical; `none` to never fail on severity).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// A policy module: a `.wasm` file or `builtin:NAME`; repeatable. Without
    /// any, the built-in severity gate decides.
    #[arg(long, value_name = "FILE")]
    policy: Vec<String>,
    /// A policy setting, given to every policy; repeatable (`max-high=0`).
    #[arg(long, value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Fuel each policy evaluation may burn.
    #[arg(long, default_value_t = Limits::default().fuel)]
    policy_fuel: u64,
    /// Wall-clock limit of one policy evaluation, in seconds.
    #[arg(long, default_value_t = Limits::default().deadline.as_secs())]
    policy_timeout: u64,
    /// Linear memory a policy may use, in bytes.
    #[arg(long, default_value_t = Limits::default().memory_bytes)]
    policy_memory: usize,
    /// Wasm stack a policy may use, in bytes.
    #[arg(long, default_value_t = Limits::default().stack_bytes)]
    policy_stack: usize,
    /// Bytes a policy may write to stdout.
    #[arg(long, default_value_t = Limits::default().stdout_bytes)]
    policy_output: usize,
    /// Fail (exit 3) when the DB is older than this (e.g. `7d`, `36h`; default 7d).
    #[arg(long)]
    db_max_age: Option<String>,
    /// Warn when the DB is older than this (default 24h).
    #[arg(long)]
    db_warn_age: Option<String>,
    /// The config file (default: `portcullis.toml` when present): policies, settings, scan defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// An ignore file (default: `.portcullis-ignore.toml` when present); repeatable.
    #[arg(long, value_name = "FILE")]
    ignore_file: Vec<String>,
    /// An OpenVEX document whose `not_affected`/`fixed` statements suppress findings; repeatable.
    #[arg(long, value_name = "FILE")]
    vex: Vec<String>,
    /// A previous `--format json` report: findings it had are not new (for `only-new`).
    #[arg(long, value_name = "REPORT")]
    baseline: Option<PathBuf>,
    /// Decide even when some file could not be analysed.
    #[arg(long)]
    allow_partial: bool,
    /// The Dockerfile that built the image: findings are also located at the
    /// instruction that made their layer (SARIF, TeamCity).
    #[arg(long, value_name = "FILE")]
    dockerfile: Option<PathBuf>,
    /// The AWS account ASFF findings are filed under [env: AWS_ACCOUNT_ID].
    #[arg(long, value_name = "ID")]
    aws_account_id: Option<String>,
    /// The AWS region ASFF findings are filed in [env: AWS_REGION] (default us-east-1).
    #[arg(long, value_name = "REGION")]
    aws_region: Option<String>,
}

pub(crate) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let result = run_scan(args);
    if let (Err(error), ReportFormat::Teamcity) = (&result, args.format) {
        // TeamCity reads stdout: say why there is no report.
        let code = match super::exit_code(error) {
            code if code == ExitCode::from(EXIT_UNDECIDED) => EXIT_UNDECIDED,
            _ => 2,
        };
        let text = error
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        let _ = report::write_stdout(&report::teamcity_error_problem(&text, code));
    }
    result
}

fn run_scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let mut outputs = Vec::new();
    for spec in &args.output {
        let (format, path) = spec
            .split_once('=')
            .with_context(|| format!("`--output {spec}` should be FORMAT=FILE"))?;
        let format: ReportFormat = format
            .parse()
            .map_err(|e: String| anyhow::anyhow!("`--output {spec}`: {e}"))?;
        outputs.push((format, PathBuf::from(path)));
    }
    let file = config_file::load(args.config.as_deref())?;
    let warn_age = args
        .db_warn_age
        .clone()
        .or(file.scan.db_warn_age.clone())
        .unwrap_or_else(|| "24h".to_owned());
    let max_age = args
        .db_max_age
        .clone()
        .or(file.scan.db_max_age.clone())
        .unwrap_or_else(|| "7d".to_owned());
    let freshness = Freshness {
        warn_after_seconds: parse_duration(&warn_age).context("`--db-warn-age`")?,
        fail_after_seconds: parse_duration(&max_age).context("`--db-max-age`")?,
    };
    let config = args.target.scan_config()?;
    if args.offline && args.target.is_registry_reference() {
        anyhow::bail!(
            "`{}` is a registry reference, and `--offline` forbids the network",
            args.target.target
        );
    }
    // Flags replace the file's policy list; without either, the severity gate decides.
    let mut policies = Vec::new();
    if args.policy.is_empty() {
        for entry in &file.policy {
            let mut policy = Policy::load(&entry.module, &config.source)?;
            policy.settings = entry
                .settings
                .iter()
                .map(|(k, v)| (k.clone(), config_file::to_json(v)))
                .collect();
            policies.push(policy);
        }
    } else {
        for spec in &args.policy {
            policies.push(Policy::load(spec, &config.source)?);
        }
    }
    let has_gate = policies.iter().any(|p| p.name == "builtin:severity-gate");
    if policies.is_empty() || (args.fail_on.is_some() && !has_gate) {
        let gate =
            Policy::builtin("severity-gate").context("the built-in severity gate is missing")?;
        policies.insert(0, gate);
    }
    let mut settings = std::collections::BTreeMap::new();
    for pair in &args.set {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("`--set {pair}` should be KEY=VALUE"))?;
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        settings.insert(key.to_owned(), value);
    }
    if let Some(fail_on) = &args.fail_on {
        if fail_on != "none" {
            fail_on.parse::<Severity>().context("`--fail-on`")?;
        }
        settings.insert(
            "fail-on".to_owned(),
            serde_json::Value::String(fail_on.to_ascii_lowercase()),
        );
    }
    for policy in &mut policies {
        let fail_on = settings.get("fail-on").cloned();
        policy
            .settings
            .extend(settings.clone().into_iter().filter(|(k, _)| k != "fail-on"));
        // `--fail-on` is the severity gate's; other policies keep their own.
        if let Some(fail_on) = fail_on.filter(|_| policy.name == "builtin:severity-gate") {
            policy.settings.insert("fail-on".to_owned(), fail_on);
        }
    }
    let mut ignore_files = args.ignore_file.clone();
    if ignore_files.is_empty() {
        if let Some(path) = &file.scan.ignore_file {
            ignore_files.push(path.clone());
        } else if std::path::Path::new(DEFAULT_IGNORE_FILE).is_file() {
            ignore_files.push(DEFAULT_IGNORE_FILE.to_owned());
        }
    }
    let vex = if args.vex.is_empty() {
        file.scan.vex.clone()
    } else {
        args.vex.clone()
    };
    let suppressions = Suppressions::load(&ignore_files, &vex)?;
    let baseline = match &args.baseline {
        Some(path) => {
            let bytes = fs_err::read(path)?;
            Some(suppress::baseline_keys(
                &bytes,
                &path.display().to_string(),
            )?)
        }
        None => None,
    };
    let matching = MatchConfig {
        db_path: super::db::db_path(args.db.as_ref()),
        freshness,
        now: Timestamp::now(),
        allow_partial: args.allow_partial || file.scan.allow_partial.unwrap_or(false),
        policies,
        limits: Limits {
            fuel: args.policy_fuel,
            deadline: std::time::Duration::from_secs(args.policy_timeout),
            memory_bytes: args.policy_memory,
            stack_bytes: args.policy_stack,
            stdout_bytes: args.policy_output,
        },
        suppressions,
        baseline,
        policy_cache: config.layers.cache.as_ref().map(|_| {
            args.target
                .cache_root()
                .unwrap_or_else(std::env::temp_dir)
                .join("policies")
        }),
    };
    let report = scan::scan(&args.target.target, &config, &matching)?;
    if let Some(warning) = &report.db.age_warning {
        tracing::warn!("{warning}");
    }
    let dockerfile = match &args.dockerfile {
        Some(path) => source::attribute_layers(path, &report.scan.target.layer_commands)?,
        None => Vec::new(),
    };
    let defaults = AwsTarget::default();
    let render = RenderConfig {
        created: report::creation_time(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref()),
        dockerfile,
        aws: AwsTarget {
            account: args
                .aws_account_id
                .clone()
                .or_else(|| std::env::var("AWS_ACCOUNT_ID").ok())
                .unwrap_or(defaults.account),
            region: args
                .aws_region
                .clone()
                .or_else(|| std::env::var("AWS_REGION").ok())
                .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
                .unwrap_or(defaults.region),
        },
    };
    for (format, path) in &outputs {
        let text = report::render_report(*format, &report, &render, false)
            .context("could not render the report")?;
        report::write_atomic(path, &text)
            .with_context(|| format!("could not write `{}`", path.display()))?;
    }
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = report::render_report(args.format, &report, &render, colour)
        .context("could not render the report")?;
    report::write_stdout(&text)?;
    Ok(match report.verdict {
        Verdict::Pass | Verdict::Warn => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(EXIT_FAIL),
        Verdict::Error => ExitCode::from(EXIT_UNDECIDED),
    })
}
