//! `portcullis policy inspect|push|test`: wiring only.

use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::policy::{self, Limits, Policy};
use portcullis_engine::report;
use portcullis_engine::sandbox::Host;

use crate::args::{PolicyArgs, PolicyCommand};
use crate::settings;

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
                builtin: None,
                wasm,
                settings: Default::default(),
            };
            if policy.metadata().is_none() {
                tracing::warn!(
                    "`{}` has no `portcullis.policy.metadata` section",
                    module.display()
                );
            }
            let digest = policy::push(
                policy.wasm,
                reference,
                &settings::registry_config(insecure_registry),
            )?;
            let repository = reference
                .rsplit_once(':')
                .filter(|(_, tag)| !tag.contains('/'))
                .map_or(reference.as_str(), |(repo, _)| repo);
            report::write_stdout(&format!("{repository}@{digest}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Inspect { module } => {
            let policy = Policy::load(module, &settings::registry_config(&[]))?;
            let metadata = policy.metadata().with_context(|| {
                format!("`{module}` has no readable `portcullis.policy.metadata` section")
            })?;
            report::write_stdout(&format!("{}\n", serde_json::to_string_pretty(&metadata)?))?;
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Test { module, input } => {
            let policy = Policy::load(module, &settings::registry_config(&[]))?;
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
