//! `portcullis policy inspect|test`: wiring only.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::policy::{self, Host, Limits, Policy};
use crate::report;

#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Print a policy module's metadata (its `portcullis.policy.metadata` section).
    Inspect {
        /// A `.wasm` file or `builtin:NAME`.
        module: String,
    },
    /// Run a policy module on a saved input document and print its decision.
    Test {
        /// A `.wasm` file or `builtin:NAME`.
        module: String,
        /// The input document (`portcullis.policy/v1` JSON).
        #[arg(long)]
        input: PathBuf,
    },
}

pub(crate) fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        PolicyCommand::Inspect { module } => {
            let policy = Policy::load(module)?;
            let metadata = policy.metadata().with_context(|| {
                format!("`{module}` has no readable `portcullis.policy.metadata` section")
            })?;
            report::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&metadata)?))?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Test { module, input } => {
            let policy = Policy::load(module)?;
            let bytes = fs_err::read(input)?;
            let host = Host::new(Limits::default(), None)?;
            let decision = policy::evaluate(&host, &policy, &bytes)?;
            let mut text = format!("{}: {}\n", decision.module, decision.verdict.name());
            for violation in &decision.violations {
                text.push_str(&format!(
                    "  {} ({}): {} {:?}\n",
                    violation.rule, violation.severity, violation.message, violation.findings
                ));
            }
            report::write_stdout(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
