//! `portcullis policy inspect|test`: wiring only.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::policy::{self, Host, Limits, Policy};
use crate::report;
use crate::source::SourceConfig;

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
    /// Push a policy module to a registry as an OCI artifact; prints the reference to pin.
    Push {
        /// The `.wasm` file.
        module: PathBuf,
        /// Where to push it (`host/repo:tag`).
        reference: String,
        /// Allow plain HTTP to this registry (host:port); loopback always may.
        #[arg(long)]
        insecure_registry: Vec<String>,
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

fn registry_config(insecure: &[String]) -> SourceConfig {
    SourceConfig {
        insecure_registries: insecure.to_vec(),
        docker_config_dir: std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| dirs::home_dir().map(|home| home.join(".docker"))),
        ..SourceConfig::default()
    }
}

pub(crate) fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        PolicyCommand::Push {
            module,
            reference,
            insecure_registry,
        } => {
            let wasm = fs_err::read(module)?;
            let policy = Policy {
                name: module.display().to_string(),
                wasm,
                settings: Default::default(),
            };
            if policy.metadata().is_none() {
                tracing::warn!(
                    "`{}` has no `portcullis.policy.metadata` section",
                    module.display()
                );
            }
            let digest = policy::push(policy.wasm, reference, &registry_config(insecure_registry))?;
            let repository = reference
                .rsplit_once(':')
                .filter(|(_, tag)| !tag.contains('/'))
                .map_or(reference.as_str(), |(repo, _)| repo);
            report::write_stdout(&format!("{repository}@{digest}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Inspect { module } => {
            let policy = Policy::load(module, &registry_config(&[]))?;
            let metadata = policy.metadata().with_context(|| {
                format!("`{module}` has no readable `portcullis.policy.metadata` section")
            })?;
            report::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&metadata)?))?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Test { module, input } => {
            let policy = Policy::load(module, &registry_config(&[]))?;
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
