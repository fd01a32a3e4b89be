//! `portcullis policy inspect|push|test`: wiring only.

use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::policy::{self, Limits, Policy, Verdict};
use portcullis_engine::report;
use portcullis_engine::sandbox::Host;

use super::exit::{EXIT_FAIL, EXIT_UNDECIDED};
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
        PolicyCommand::Test { module, input, set } => {
            let policy = Policy::load(module, &settings::registry_config(&[]))?;
            let bytes = fs_err::read(input)?;
            let documents = input_documents(&bytes, set)
                .with_context(|| format!("could not read `{}`", input.display()))?;
            let host = Host::new(Limits::default(), None)?;
            let mut text = String::new();
            let mut worst = Verdict::Pass;
            for document in &documents {
                let decision = policy::evaluate(&host, &policy, document)?;
                worst = worst.max(decision.verdict);
                text.push_str(&format!(
                    "{}: {}\n",
                    decision.module,
                    decision.verdict.name()
                ));
                for violation in &decision.violations {
                    text.push_str(&format!(
                        "  {} ({}): {} {:?}\n",
                        violation.rule, violation.severity, violation.message, violation.findings
                    ));
                }
            }
            report::write_stdout(&text)?;
            Ok(match worst {
                Verdict::Pass | Verdict::Warn => ExitCode::SUCCESS,
                Verdict::Fail => ExitCode::from(EXIT_FAIL),
                Verdict::Error => ExitCode::from(EXIT_UNDECIDED),
            })
        }
    }
}

/// The documents in a `policy test` input: one input document (kept byte for
/// byte), the JSON lines `scan --policy-input` writes, or a scan report
/// turned into a document with `set` as its settings.
fn input_documents(bytes: &[u8], set: &[String]) -> anyhow::Result<Vec<Vec<u8>>> {
    let whole: Option<serde_json::Value> = serde_json::from_slice(bytes).ok();
    let values: Vec<serde_json::Value> = match whole {
        Some(value) => vec![value],
        None => {
            let mut values = Vec::new();
            for (number, line) in bytes.split(|b| *b == b'\n').enumerate() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                values.push(serde_json::from_slice(line).with_context(|| {
                    format!(
                        "line {} is not JSON (nor is the file one JSON document)",
                        number + 1
                    )
                })?);
            }
            values
        }
    };
    if values.is_empty() {
        anyhow::bail!("it holds no input document");
    }
    let settings = settings::set_pairs(set)?;
    let single = values.len() == 1;
    values
        .into_iter()
        .map(|value| {
            if policy::is_report(&value) {
                Ok(serde_json::to_vec(&policy::input_of_report(
                    &value, &settings,
                ))?)
            } else if value
                .get("apiVersion")
                .and_then(|v| v.as_str())
                .is_some_and(|v| v == policy::API_VERSION || v == policy::API_VERSION_V2)
            {
                if !set.is_empty() {
                    anyhow::bail!(
                        "`--set` is for a scan report; an input document carries its own settings"
                    );
                }
                // One document is passed on exactly as saved.
                Ok(if single {
                    bytes.to_vec()
                } else {
                    serde_json::to_vec(&value)?
                })
            } else {
                anyhow::bail!(
                    "it is neither a `{}` or `{}` input document nor a scan's JSON report",
                    policy::API_VERSION,
                    policy::API_VERSION_V2
                )
            }
        })
        .collect()
}
