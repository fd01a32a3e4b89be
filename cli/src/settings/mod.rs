//! The one settings resolver: flags > environment (the table in `env.rs`) >
//! `portcullis.toml` (`file.rs`) > defaults, into the engine's frozen configs.
//! The two steps are apart: clap's raw values (`args/`) come in, validated
//! configs (globs compiled, paths resolved, durations parsed) go out.
//!
//! As `uv/crates/uv-settings/src/combine.rs` and `uv/crates/uv/src/settings.rs`.

mod env;
mod file;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use portcullis_engine::assess::suppress::{Baseline, Suppressions};
use portcullis_engine::checks::AllowList;
use portcullis_engine::layer::{LayerCache, LayerConfig};
use portcullis_engine::model::{parse_duration, Severity, Timestamp};
use portcullis_engine::policy::{
    self, GateConfig, Limits, ModuleCache, Overrides, Policy, SealKey,
};
use portcullis_engine::report::{self, AwsTarget, RenderConfig, ReportFormat, TableView};
use portcullis_engine::source::{EngineHosts, SourceConfig, TargetKind};
use portcullis_engine::vulndb::{
    self, Freshness, Mirror, UpdateConfig, DEFAULT_CVE_URL, DEFAULT_EPSS_URL, DEFAULT_KEV_URL,
    DEFAULT_MIRROR,
};
use portcullis_engine::{BaseRequest, BaseSettings, GateSettings, ReadConfig};

use crate::args::{ScanArgs, TargetArgs};

pub(crate) use env::EnvVar;
pub(crate) use file::{load as load_file, ConfigFile};

/// The ignore file read when none is named.
const DEFAULT_IGNORE_FILE: &str = ".portcullis-ignore.toml";
/// Trivy's ignore files, read when there is no Portcullis one.
const TRIVY_IGNORE_FILES: [&str; 3] = [".trivyignore.yaml", ".trivyignore.yml", ".trivyignore"];
/// The secrets allow-list read when none is named.
const DEFAULT_SECRETS_ALLOW: &str = ".portcullis-secrets.toml";
/// The DB-age warning and failure thresholds when none is set.
const DEFAULT_DB_WARN_AGE: &str = "24h";
const DEFAULT_DB_MAX_AGE: &str = "7d";

/// The DB file: `--db`, `PORTCULLIS_DB`, or the user cache dir's.
pub(crate) fn db_path(flag: Option<&PathBuf>) -> PathBuf {
    flag.cloned()
        .or_else(|| EnvVar::Db.get_os().map(PathBuf::from))
        .unwrap_or_else(|| {
            dirs::cache_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("portcullis/db/portcullis.db")
        })
}

/// The cache directory: `--cache-dir`, `PORTCULLIS_CACHE_DIR`, or the user
/// cache dir's; `None` with `--no-cache`.
pub(crate) fn cache_dir(target: &TargetArgs) -> Option<PathBuf> {
    if target.no_cache {
        return None;
    }
    target
        .cache_dir
        .clone()
        .or_else(|| EnvVar::CacheDir.get_os().map(PathBuf::from))
        .or_else(|| dirs::cache_dir().map(|dir| dir.join("portcullis")))
}

/// The secret cache entries are sealed with: `PORTCULLIS_CACHE_KEY`, else the
/// key file in the user config dir (made on first use), else one for this run
/// only. A key that is set (non-empty) but too short is an error, never ignored.
fn cache_key() -> anyhow::Result<SealKey> {
    if let Some(secret) = EnvVar::CacheKey.get_os().filter(|value| !value.is_empty()) {
        let secret = secret
            .into_string()
            .map_err(|_| anyhow::anyhow!("`{}` is not UTF-8", EnvVar::CacheKey.name()))?;
        return SealKey::from_secret(&secret)
            .with_context(|| format!("`{}`", EnvVar::CacheKey.name()));
    }
    let file = dirs::config_dir().map(|dir| dir.join("portcullis").join(policy::KEY_FILE_NAME));
    let key = match file {
        Some(path) => SealKey::load_or_create(&path).or_else(|error| {
            tracing::warn!("{error}; cache entries are kept for this run only");
            SealKey::ephemeral()
        }),
        None => SealKey::ephemeral(),
    }?;
    tracing::debug!("cache entries are sealed with a key from {}", key.origin());
    Ok(key)
}

/// The folder of Docker's `config.json`: `DOCKER_CONFIG`, or `~/.docker`.
fn docker_config_dir() -> Option<PathBuf> {
    EnvVar::DockerConfig
        .get_os()
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".docker")))
}

/// Where the local Docker and Podman engines answer, as the environment says.
fn engine_hosts() -> EngineHosts {
    let set = |var: EnvVar| var.get().filter(|value| !value.is_empty());
    EngineHosts {
        docker: set(EnvVar::DockerHost),
        podman: set(EnvVar::ContainerHost),
        runtime_dir: EnvVar::XdgRuntimeDir.get_os().map(PathBuf::from),
    }
}

/// The table's width: `COLUMNS` when set, else the terminal's when stdout is
/// one, else unlimited (a file or a pipe gets every column).
fn table_width() -> Option<usize> {
    if let Some(columns) = EnvVar::Columns
        .get()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        return (columns > 0).then_some(columns);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    console::Term::stdout()
        .size_checked()
        .map(|(_, columns)| usize::from(columns))
}

/// How to reach a registry for `db push|pull` and policies.
pub(crate) fn registry_config(insecure: &[String]) -> SourceConfig {
    SourceConfig {
        insecure_registries: insecure.to_vec(),
        docker_config_dir: docker_config_dir(),
        ..SourceConfig::default()
    }
}

/// `-q`: no warnings and no progress bar.
static QUIET: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Records `-q` for the whole run (once, before any command).
pub(crate) fn set_quiet(quiet: bool) {
    let _ = QUIET.set(quiet);
}

/// Whether to draw a progress bar: stderr is a terminal, and neither `-q`
/// nor `--no-progress` was given.
pub(crate) fn progress(no_progress: bool) -> bool {
    !no_progress && !QUIET.get().copied().unwrap_or(false) && std::io::stderr().is_terminal()
}

/// Whether stdout gets colour: a terminal (or `CLICOLOR_FORCE`), and no `NO_COLOR`.
pub(crate) fn colour() -> bool {
    let forced = EnvVar::ClicolorForce
        .get()
        .is_some_and(|v| !v.is_empty() && v != "0");
    (forced || std::io::stdout().is_terminal()) && EnvVar::NoColor.get_os().is_none()
}

/// Report settings that come from the environment.
pub(crate) fn render_config(account: Option<&str>, region: Option<&str>) -> RenderConfig {
    let defaults = AwsTarget::default();
    RenderConfig {
        created: report::creation_time(EnvVar::SourceDateEpoch.get().as_deref()),
        aws: AwsTarget {
            account: account
                .map(str::to_owned)
                .or_else(|| EnvVar::AwsAccountId.get())
                .unwrap_or(defaults.account),
            region: region
                .map(str::to_owned)
                .or_else(|| EnvVar::AwsRegion.get())
                .or_else(|| EnvVar::AwsDefaultRegion.get())
                .unwrap_or(defaults.region),
        },
        table: TableView::default(),
    }
}

/// The mirrors for `db update`: `--mirror`, else `PORTCULLIS_MIRROR`, else the
/// public OSV bucket; and whether it is that default.
fn mirrors(flags: &[String]) -> anyhow::Result<(Vec<Mirror>, bool)> {
    let mut texts = flags.to_vec();
    if texts.is_empty() {
        if let Some(env) = EnvVar::Mirror.get() {
            texts.extend(env.split_whitespace().map(str::to_owned));
        }
    }
    let default = texts.is_empty();
    if default {
        texts.push(DEFAULT_MIRROR.to_owned());
    }
    let mirrors = texts
        .iter()
        .map(|text| text.parse::<Mirror>())
        .collect::<Result<Vec<_>, _>>()?;
    Ok((mirrors, default))
}

/// What `db update` fetches, and from where.
pub(crate) fn update_config(
    db_path: &Path,
    mirror: &[String],
    ecosystem: &[String],
    kev_url: &Option<String>,
    epss_url: &Option<String>,
    cve_url: &Option<String>,
) -> anyhow::Result<UpdateConfig> {
    let (mirrors, default) = mirrors(mirror)?;
    Ok(UpdateConfig {
        db_path: db_path.to_owned(),
        mirrors,
        ecosystems: (!ecosystem.is_empty()).then(|| ecosystem.to_vec()),
        kev_url: kev_url
            .clone()
            .or_else(|| default.then(|| DEFAULT_KEV_URL.to_owned())),
        epss_url: epss_url
            .clone()
            .or_else(|| default.then(|| DEFAULT_EPSS_URL.to_owned())),
        cve_url: cve_url
            .clone()
            .or_else(|| default.then(|| DEFAULT_CVE_URL.to_owned())),
        progress: progress(false),
        allow_shrink: false,
        request_timeout: vulndb::DEFAULT_REQUEST_TIMEOUT,
        deadline: vulndb::DEFAULT_UPDATE_DEADLINE,
    })
}

/// How a target is read.
pub(crate) fn read_config(target: &TargetArgs) -> anyhow::Result<ReadConfig> {
    let cache_dir = cache_dir(target);
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let mut allow_files = target.secrets_allow.clone();
    if allow_files.is_empty() && Path::new(DEFAULT_SECRETS_ALLOW).is_file() {
        allow_files.push(PathBuf::from(DEFAULT_SECRETS_ALLOW));
    }
    Ok(ReadConfig {
        allow: AllowList::load(&allow_files)?,
        checks: !target.no_checks,
        source: SourceConfig {
            platform: target.platform.clone(),
            insecure_registries: target.insecure_registry.clone(),
            docker_config_dir: docker_config_dir(),
            scratch_dir: cache_dir.as_ref().map(|dir| dir.join("tmp")),
            skip_dirs: target.skip_dir.clone(),
            registry_timeout: Some(std::time::Duration::from_secs(target.registry_timeout)),
            try_local_engines: true,
            engine_hosts: engine_hosts(),
        },
        layers: LayerConfig {
            cache: match cache_dir.as_deref() {
                Some(dir) => Some(LayerCache::new(dir, cache_key()?)),
                None => None,
            },
            max_layer_bytes: target.max_layer_bytes,
            max_image_bytes: target.max_image_bytes,
            threads,
            progress: progress(target.no_progress),
        },
    })
}

/// Everything `scan` runs with.
pub(crate) struct ScanSettings {
    pub(crate) read: ReadConfig,
    pub(crate) gate: GateSettings,
    pub(crate) outputs: Outputs,
    pub(crate) render: RenderConfig,
    /// The exit code of a failing verdict (`--exit-code`, default 1).
    pub(crate) fail_exit_code: u8,
}

/// `--output [FORMAT=]FILE`, each.
fn outputs(specs: &[String], main: ReportFormat) -> anyhow::Result<Outputs> {
    let mut outputs = Outputs::default();
    for spec in specs {
        // `FORMAT=FILE` when the part before `=` names a format, else a plain
        // FILE for the `--format` report (Trivy's `-o`).
        match spec.split_once('=') {
            Some((format, path)) if !format.contains(['/', '\\', '.']) => {
                let format: ReportFormat = format
                    .parse()
                    .with_context(|| format!("`--output {spec}`"))?;
                outputs.extra.push((format, PathBuf::from(path)));
            }
            _ => {
                if let Some(first) = &outputs.main_file {
                    anyhow::bail!(
                        "`--output {spec}`: the `--format {main}` report already goes to `{}`; \
                         give other formats as FORMAT=FILE",
                        first.display()
                    );
                }
                outputs.main_file = Some(PathBuf::from(spec));
            }
        }
    }
    Ok(outputs)
}

/// Where the reports go.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    /// The `--format` report goes here instead of stdout (`-o FILE`).
    pub(crate) main_file: Option<PathBuf>,
    /// `-o FORMAT=FILE`: written besides.
    pub(crate) extra: Vec<(ReportFormat, PathBuf)>,
}

/// `--severity` and `--ignore-unfixed`: what the table hides.
fn table_view(args: &ScanArgs) -> anyhow::Result<TableView> {
    let mut severities = Vec::new();
    for name in args
        .severity
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        severities.push(name.parse::<Severity>().with_context(|| {
            format!("`--severity {name}`: expected a list of critical, high, medium, low, unknown")
        })?);
    }
    Ok(TableView {
        severities: (!severities.is_empty()).then_some(severities),
        ignore_unfixed: args.ignore_unfixed,
        width: table_width(),
    })
}

/// `--set KEY=VALUE` pairs: JSON values, else strings.
pub(crate) fn set_pairs(pairs: &[String]) -> anyhow::Result<policy::Settings> {
    let mut settings = policy::Settings::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("`--set {pair}` should be KEY=VALUE"))?;
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        settings.insert(key.to_owned(), value);
    }
    Ok(settings)
}

/// `--set KEY=VALUE` and `--fail-on`.
fn overrides(args: &ScanArgs) -> anyhow::Result<Overrides> {
    let settings = set_pairs(&args.set)?;
    let fail_on = match &args.fail_on {
        Some(fail_on) => {
            if fail_on != "none" {
                fail_on.parse::<Severity>().context("`--fail-on`")?;
            }
            Some(fail_on.to_ascii_lowercase())
        }
        None => None,
    };
    Ok(Overrides { settings, fail_on })
}

/// The policies: `--policy`, else the file's, with the overrides applied.
fn policies(
    args: &ScanArgs,
    file: &ConfigFile,
    registry: &SourceConfig,
) -> anyhow::Result<Vec<Policy>> {
    let mut policies = Vec::new();
    if args.policy.is_empty() {
        for entry in &file.policy {
            let mut policy = Policy::load(&entry.module, registry)?;
            policy.settings = entry
                .settings
                .iter()
                .map(|(k, v)| (k.clone(), file::to_json(v)))
                .collect();
            policies.push(policy);
        }
    } else {
        for spec in &args.policy {
            policies.push(Policy::load(spec, registry)?);
        }
    }
    Ok(policy::with_overrides(policies, &overrides(args)?)?)
}

/// The ignore files and VEX documents: the flags', else the file's, else the default ignore file.
fn suppressions(args: &ScanArgs, file: &ConfigFile) -> anyhow::Result<Suppressions> {
    let mut ignore_files = args.ignore_file.clone();
    if ignore_files.is_empty() {
        if let Some(path) = &file.scan.ignore_file {
            ignore_files.push(path.clone());
        } else if Path::new(DEFAULT_IGNORE_FILE).is_file() {
            ignore_files.push(DEFAULT_IGNORE_FILE.to_owned());
        } else if let Some(trivy) = TRIVY_IGNORE_FILES.iter().find(|f| Path::new(f).is_file()) {
            // A Trivy user's file carries over; each entry says what it became.
            ignore_files.push((*trivy).to_owned());
        }
    }
    let vex = if args.vex.is_empty() {
        file.scan.vex.clone()
    } else {
        args.vex.clone()
    };
    Ok(Suppressions::load(&ignore_files, &vex)?)
}

/// The DB-age rule: the flags', else the file's, else 24 h and 7 days.
fn freshness(args: &ScanArgs, file: &ConfigFile) -> anyhow::Result<Freshness> {
    let warn_age = args
        .db_warn_age
        .clone()
        .or(file.scan.db_warn_age.clone())
        .unwrap_or_else(|| DEFAULT_DB_WARN_AGE.to_owned());
    let max_age = args
        .db_max_age
        .clone()
        .or(file.scan.db_max_age.clone())
        .unwrap_or_else(|| DEFAULT_DB_MAX_AGE.to_owned());
    Ok(Freshness {
        warn_after_seconds: parse_duration(&warn_age).context("`--db-warn-age`")?,
        fail_after_seconds: parse_duration(&max_age).context("`--db-max-age`")?,
    })
}

/// `--base`, `--base-candidates` and `--build-arg`, their syntax checked
/// before anything is opened.
fn base_settings(args: &ScanArgs) -> anyhow::Result<BaseSettings> {
    let request = match args.base.as_deref() {
        Some("auto") => Some(BaseRequest::Auto),
        Some(target) => {
            portcullis_engine::source::kind_of(target).context("`--base`")?;
            Some(BaseRequest::Named(target.to_owned()))
        }
        None if !args.base_candidates.is_empty() => Some(BaseRequest::Auto),
        None => None,
    };
    for candidate in &args.base_candidates {
        portcullis_engine::source::kind_of(candidate).context("`--base-candidates`")?;
    }
    let build_args = args
        .build_arg
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
            _ => Err(anyhow::anyhow!("`--build-arg {pair}` is not KEY=VALUE")),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(BaseSettings {
        request,
        build_args,
        candidates: args.base_candidates.clone(),
    })
}

/// Everything `scan` runs with, resolved and checked.
pub(crate) fn scan(args: &ScanArgs) -> anyhow::Result<ScanSettings> {
    let outputs = outputs(&args.output, args.format)?;
    let view = table_view(args)?;
    let file = file::load(args.config.as_deref())?;
    let freshness = freshness(args, &file)?;
    let read = read_config(&args.target)?;
    let kind = portcullis_engine::source::kind_of(&args.target.target);
    let is_registry = matches!(kind, Ok(TargetKind::Registry));
    if args.offline && is_registry {
        anyhow::bail!(
            "`{}` is a registry reference, and `--offline` forbids the network (`docker:NAME` or `podman:NAME` reads an image from a local engine)",
            args.target.target
        );
    }
    let policies = policies(args, &file, &read.source)?;
    let suppressions = suppressions(args, &file)?;
    // The target's syntax is checked after the settings and before the DB
    // or the network is touched: a mistyped kind is exit 2 on a machine
    // with no DB too.
    kind?;
    let base = base_settings(args)?;
    let baseline = match &args.baseline {
        Some(path) => {
            let bytes = fs_err::read(path)?;
            Some(Baseline::from_report(&bytes, &path.display().to_string())?)
        }
        None => None,
    };
    let gate = GateSettings {
        db_path: db_path(args.db.as_ref()),
        freshness,
        now: Timestamp::now(),
        gate: GateConfig {
            policies,
            limits: Limits {
                fuel: args.policy_fuel,
                deadline: std::time::Duration::from_secs(args.policy_timeout),
                memory_bytes: args.policy_memory,
                stack_bytes: args.policy_stack,
                stdout_bytes: args.policy_output,
            },
            module_cache: read.layers.cache.as_ref().map(|layers| ModuleCache {
                dir: cache_dir(&args.target)
                    .unwrap_or_else(std::env::temp_dir)
                    .join("policies"),
                key: layers.key().clone(),
            }),
            allow_partial: args.allow_partial || file.scan.allow_partial.unwrap_or(false),
            keep_inputs: args.policy_input.is_some(),
        },
        suppressions,
        baseline,
        dockerfile: args.dockerfile.clone(),
        base,
    };
    let mut render = render_config(args.aws_account_id.as_deref(), args.aws_region.as_deref());
    render.table = view;
    Ok(ScanSettings {
        read,
        gate,
        outputs,
        render,
        fail_exit_code: args.exit_code.unwrap_or(1),
    })
}
