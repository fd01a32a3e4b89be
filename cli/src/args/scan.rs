//! `portcullis scan` flags.

use std::path::PathBuf;

use clap::Args;

use super::format::report_format;
use super::target::TargetArgs;
use portcullis_engine::policy::Limits;
use portcullis_engine::report::ReportFormat;

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    /// The vulnerability DB [env: PORTCULLIS_DB] (default: the one `db update` writes).
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// Never touch the network (registry targets are refused).
    #[arg(long)]
    pub(crate) offline: bool,
    /// The format printed on stdout (or written to `-o FILE`).
    #[arg(short = 'f', long, value_parser = report_format(), default_value = "table")]
    pub(crate) format: ReportFormat,
    /// `FILE`: write the `--format` report there instead of stdout (as Trivy's `-o`);
    /// `FORMAT=FILE`: also write FORMAT to FILE; repeatable.
    #[arg(short = 'o', long, value_name = "[FORMAT=]FILE")]
    pub(crate) output: Vec<String>,
    /// The exit code for a failing verdict (default 1; Trivy's `--exit-code`). Exit codes 2
    /// and 3 (bad input, undecided) are kept whatever this says.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..))]
    pub(crate) exit_code: Option<u8>,
    /// Table only: show just these severities (comma-separated, e.g. `CRITICAL,HIGH`).
    /// The verdict and the other formats keep every finding; the table says what it hides.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub(crate) severity: Vec<String>,
    /// Table only: hide findings no fixed version exists for (the verdict and the other
    /// formats keep them; the table says how many it hides).
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,
    /// The built-in severity gate's threshold (default: critical; `none` to never fail on severity).
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<String>,
    /// A policy module: a `.wasm` file or `builtin:NAME`; repeatable. Without
    /// any, the built-in severity gate decides.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Vec<String>,
    /// A policy setting, given to every policy; repeatable (`max-high=0`).
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
    /// Fuel each policy evaluation may burn.
    #[arg(long, default_value_t = Limits::default().fuel)]
    pub(crate) policy_fuel: u64,
    /// Wall-clock limit of one policy evaluation, in seconds.
    #[arg(long, default_value_t = Limits::default().deadline.as_secs())]
    pub(crate) policy_timeout: u64,
    /// Linear memory a policy may use, in bytes.
    #[arg(long, default_value_t = Limits::default().memory_bytes)]
    pub(crate) policy_memory: usize,
    /// Wasm stack a policy may use, in bytes.
    #[arg(long, default_value_t = Limits::default().stack_bytes)]
    pub(crate) policy_stack: usize,
    /// Bytes a policy may write to stdout.
    #[arg(long, default_value_t = Limits::default().stdout_bytes)]
    pub(crate) policy_output: usize,
    /// Fail (exit 3) when the DB is older than this (e.g. `7d`, `36h`; default 7d).
    #[arg(long)]
    pub(crate) db_max_age: Option<String>,
    /// Warn when the DB is older than this (default 24h).
    #[arg(long)]
    pub(crate) db_warn_age: Option<String>,
    /// The config file (default: `portcullis.toml` when present): policies, settings, scan defaults.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// An ignore file (default: `.portcullis-ignore.toml` when present); repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) ignore_file: Vec<String>,
    /// An OpenVEX document whose `not_affected`/`fixed` statements suppress findings; repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<String>,
    /// A previous `--format json` report: findings it had are not new (for `only-new`).
    #[arg(long, value_name = "REPORT")]
    pub(crate) baseline: Option<PathBuf>,
    /// Write the exact input document each policy got to FILE, one JSON line per policy
    /// (`policy test --input FILE` replays it).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy_input: Option<PathBuf>,
    /// Decide even when some file could not be analysed.
    #[arg(long)]
    pub(crate) allow_partial: bool,
    /// The name reports give the target instead of the path read (the
    /// pre-push hook names the repository folder, not its temporary export).
    #[arg(long, value_name = "NAME")]
    pub(crate) target_name: Option<String>,
    /// The Dockerfile that built the image: findings are also located at the
    /// instruction that made their layer (SARIF, TeamCity).
    #[arg(long, value_name = "FILE")]
    pub(crate) dockerfile: Option<PathBuf>,
    /// The image this one was built on (any target form), to tell its findings from
    /// the image's own (`origin`); `auto`: from the image's
    /// `org.opencontainers.image.base.name`/`.digest` annotations or labels, else from
    /// `--dockerfile`'s last `FROM`. A gate set to `origin=own` looks for it on its own.
    #[arg(long, value_name = "TARGET")]
    pub(crate) base: Option<String>,
    /// Other base images to compare with the base, comma-separated or repeated: the
    /// report recommends the one that removes the most findings without adding any.
    #[arg(long, value_name = "TARGET", value_delimiter = ',')]
    pub(crate) base_candidates: Vec<String>,
    /// A build argument for an `ARG` in the Dockerfile's `FROM` (`KEY=VALUE`); repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) build_arg: Vec<String>,
    /// The AWS account ASFF findings are filed under [env: AWS_ACCOUNT_ID].
    #[arg(long, value_name = "ID")]
    pub(crate) aws_account_id: Option<String>,
    /// The AWS region ASFF findings are filed in [env: AWS_REGION] (default us-east-1).
    #[arg(long, value_name = "REGION")]
    pub(crate) aws_region: Option<String>,
}
