//! The policy stage: every verdict, the built-in ones included, comes from a
//! WASM module run in the sandbox (`portcullis-sandbox`), on the input
//! document of `input.rs` (the ABI is in `policies/ABI.md`). Two verdicts are
//! the host's own and no module can overrule them (`native.rs`): a partial
//! analysis cannot pass, and an expired ignore entry fails. [`decide`] runs
//! them all and reaches the one verdict of the gate.

mod builtin;
mod bundle;
mod decision;
mod error;
mod from_report;
mod input;
mod native;
mod registry;
mod settings;
mod shape;

use std::collections::BTreeMap;

use portcullis_assess::suppress::Notice;
use portcullis_assess::{AssessedCheck, AssessedFinding};
use portcullis_catalog::Inventory;
use portcullis_match::Unmatchable;
use portcullis_sandbox::{Host, ModuleKind};
use portcullis_source::{SourceConfig, TargetSummary};

pub use builtin::Builtin;
pub use decision::{Decision, Verdict, Violation, ViolationSeverity};
pub use error::Error;
pub use from_report::{input_of_report, is_report};
pub use input::{Inputs, Target, API_VERSION};
pub use portcullis_sandbox::{Limits, ModuleCache, SealKey, KEY_FILE_NAME};
pub use registry::push;
pub use shape::{Part, Shape, API_VERSION_V2};

/// A policy's settings, as the input document's `settings` carries them.
pub type Settings = BTreeMap<String, serde_json::Value>;

/// A policy to run: its name (`builtin:severity-gate` or a path), its wasm and its settings.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    /// Which built-in it is, when it is one.
    pub builtin: Option<Builtin>,
    pub wasm: Vec<u8>,
    pub settings: Settings,
}

impl Policy {
    /// A built-in policy by id (`severity-gate`).
    pub fn builtin(id: &str) -> Option<Policy> {
        Builtin::from_id(id).map(Policy::of_builtin)
    }

    pub fn of_builtin(builtin: Builtin) -> Policy {
        Policy {
            name: format!("builtin:{}", builtin.id()),
            builtin: Some(builtin),
            wasm: builtin.wasm().to_vec(),
            settings: Settings::new(),
        }
    }

    /// Whether it is the built-in severity gate (which `--fail-on` sets).
    pub fn is_severity_gate(&self) -> bool {
        self.builtin == Some(Builtin::SeverityGate)
    }

    /// A policy from a `.wasm` file, an OPA bundle, `builtin:NAME`, or a
    /// registry reference pinned by digest.
    pub fn load(spec: &str, registry: &SourceConfig) -> Result<Policy, Error> {
        let named = |wasm| Policy {
            name: spec.to_owned(),
            builtin: None,
            wasm,
            settings: Settings::new(),
        };
        if registry::is_pinned_reference(spec) {
            return Ok(named(registry::pull(
                spec.trim_start_matches("registry:"),
                registry,
            )?));
        }
        if let Some(id) = spec.strip_prefix("builtin:") {
            return Policy::builtin(id).ok_or_else(|| Error::Unsupported {
                module: spec.to_owned(),
                what: "not a built-in policy (known: severity-gate, known-exploited, fixable-only, risk-cap, epss-threshold, non-root, license-deny, only-new)",
            });
        }
        let bytes = fs_err::read(spec).map_err(|source| Error::Read {
            path: spec.to_owned(),
            source,
        })?;
        let wasm = if bytes.starts_with(&[0x1f, 0x8b]) {
            bundle::bundle_module(&bytes, spec)?
        } else {
            bytes
        };
        Ok(named(wasm))
    }

    /// The JSON of its `portcullis.policy.metadata` section, when it has one.
    pub fn metadata(&self) -> Option<serde_json::Value> {
        let bytes =
            portcullis_sandbox::custom_section(&self.wasm, portcullis_sandbox::METADATA_SECTION)?;
        // A C string keeps its terminating NUL in the section.
        let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
        serde_json::from_slice(bytes.get(..end)?).ok()
    }
}

/// Settings given on the command line for every policy, and the severity
/// gate's threshold (`--fail-on`), which only the gate gets.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub settings: Settings,
    /// Already checked to be a severity or `none`.
    pub fail_on: Option<String>,
}

/// The policies that decide: `policies` with `overrides` applied; the
/// severity gate first when none is given, or when `--fail-on` names a gate
/// that is not among them. Every setting is checked against the settings the
/// modules declare (`settings.rs`): an unknown one, or a value a module does
/// not take, is an error.
pub fn with_overrides(
    mut policies: Vec<Policy>,
    overrides: &Overrides,
) -> Result<Vec<Policy>, Error> {
    let has_gate = policies.iter().any(Policy::is_severity_gate);
    if policies.is_empty() || (overrides.fail_on.is_some() && !has_gate) {
        policies.insert(0, Policy::of_builtin(Builtin::SeverityGate));
    }
    for policy in &policies {
        settings::check_own(policy)?;
    }
    settings::check_shared(&overrides.settings, &policies)?;
    for policy in &mut policies {
        policy.settings.extend(
            overrides
                .settings
                .iter()
                .filter(|(key, _)| *key != "fail-on")
                .map(|(key, value)| (key.clone(), value.clone())),
        );
        // `--fail-on` is the severity gate's; other policies keep their own.
        let fail_on = overrides
            .fail_on
            .clone()
            .map(serde_json::Value::String)
            .or_else(|| overrides.settings.get("fail-on").cloned());
        if let Some(fail_on) = fail_on.filter(|_| policy.is_severity_gate()) {
            policy.settings.insert("fail-on".to_owned(), fail_on);
        }
    }
    Ok(policies)
}

/// One policy module, checked and compiled (or loaded from the cache).
pub struct Compiled {
    module: portcullis_sandbox::Module,
    kind: ModuleKind,
}

/// Checks and compiles `policy` for `host`.
pub fn compile(host: &Host, policy: &Policy) -> Result<Compiled, Error> {
    portcullis_sandbox::check_header(&policy.name, &policy.wasm)?;
    let module = host.compile(&policy.name, &policy.wasm)?;
    let kind = portcullis_sandbox::kind(&policy.name, &module)?;
    Ok(Compiled { module, kind })
}

/// Runs one policy on an input document.
pub fn evaluate(host: &Host, policy: &Policy, input: &[u8]) -> Result<Decision, Error> {
    evaluate_compiled(host, policy, &compile(host, policy)?, input)
}

/// Runs one compiled policy on an input document.
fn evaluate_compiled(
    host: &Host,
    policy: &Policy,
    compiled: &Compiled,
    input: &[u8],
) -> Result<Decision, Error> {
    if compiled.kind == ModuleKind::Opa {
        let results = host.run_opa(&policy.name, &compiled.module, input)?;
        return Ok(decision::opa_decision(&policy.name, &results));
    }
    let run = host.run_command(&policy.name, &compiled.module, input)?;
    let raw: decision::RawDecision =
        serde_json::from_slice(&run.stdout).map_err(|source| Error::BadDecision {
            module: policy.name.clone(),
            source,
        })?;
    Ok(Decision {
        module: policy.name.clone(),
        verdict: raw.decision,
        violations: raw.violations,
    })
}

/// How the gate decides.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// The policies that decide, in order.
    pub policies: Vec<Policy>,
    pub limits: Limits,
    /// Where compiled modules are cached, and the key that seals them.
    pub module_cache: Option<ModuleCache>,
    /// Decide even when the analysis is partial.
    pub allow_partial: bool,
    /// Keep each policy's input document in the outcome (`--policy-input`).
    pub keep_inputs: bool,
}

impl GateConfig {
    /// Whether some policy gates only the image's own findings (`origin = own`).
    pub fn gates_own_only(&self) -> bool {
        self.policies
            .iter()
            .any(|p| p.settings.get("origin").and_then(|v| v.as_str()) == Some("own"))
    }
}

/// The exact input document one policy got.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub module: String,
    pub document: Vec<u8>,
}

/// Everything the gate decides on.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub target: &'a TargetSummary,
    pub inventory: &'a Inventory,
    pub findings: &'a [AssessedFinding],
    pub checks: &'a [AssessedCheck],
    pub unmatchable: &'a [Unmatchable],
    pub notices: &'a [Notice],
}

/// Every decision and the verdict they reach together.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub decisions: Vec<Decision>,
    /// The worst of the decisions' verdicts (pass without any).
    pub verdict: Verdict,
    /// Each policy's input, when [`GateConfig::keep_inputs`] asks for them.
    pub inputs: Vec<PolicyInput>,
}

/// The sandbox and every policy of a gate, compiled: what deciding needs
/// before there is anything to decide on, so a scan builds it while its
/// layers stream (a cold compile is most of a cold scan otherwise).
pub struct Prepared {
    host: Option<Host>,
    compiled: Vec<Compiled>,
}

/// Starts the sandbox and compiles `config`'s policies, in order.
pub fn prepare(config: &GateConfig) -> Result<Prepared, Error> {
    if config.policies.is_empty() {
        return Ok(Prepared {
            host: None,
            compiled: Vec::new(),
        });
    }
    let started = std::time::Instant::now();
    let host = Host::new(config.limits, config.module_cache.clone())?;
    let compiled = config
        .policies
        .iter()
        .map(|policy| compile(&host, policy))
        .collect::<Result<Vec<_>, _>>()?;
    tracing::info!(
        "{} policies compiled or loaded in {:.1} ms",
        compiled.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(Prepared {
        host: Some(host),
        compiled,
    })
}

/// Runs the host's own checks and every policy; any policy error fails closed.
pub fn decide(subject: &Subject<'_>, config: &GateConfig) -> Result<Outcome, Error> {
    decide_prepared(subject, config, prepare(config)?)
}

/// [`decide`] with the policies [`prepare`]d from the same `config`.
pub fn decide_prepared(
    subject: &Subject<'_>,
    config: &GateConfig,
    prepared: Prepared,
) -> Result<Outcome, Error> {
    let mut decisions: Vec<Decision> =
        native::partial_analysis(subject.inventory, subject.unmatchable, config.allow_partial)
            .into_iter()
            .chain(native::expired_suppressions(subject.notices))
            .collect();
    let mut inputs = Vec::new();
    if let Some(host) = &prepared.host {
        let started = std::time::Instant::now();
        let target = Target::of(subject.target, subject.inventory);
        let mut documents = Inputs::new(
            &target,
            subject.inventory,
            subject.findings,
            subject.checks,
            subject.unmatchable,
        );
        for (policy, compiled) in config.policies.iter().zip(&prepared.compiled) {
            let shape = Shape::of(policy)?;
            let input = documents
                .document(shape, &policy.settings)
                .map_err(|source| Error::BadDecision {
                    module: policy.name.clone(),
                    source,
                })?;
            decisions.push(evaluate_compiled(host, policy, compiled, &input)?);
            if config.keep_inputs {
                inputs.push(PolicyInput {
                    module: policy.name.clone(),
                    document: input,
                });
            }
        }
        tracing::info!(
            "{} policies evaluated in {:.1} ms",
            config.policies.len(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    let verdict = decisions
        .iter()
        .map(|d| d.verdict)
        .max()
        .unwrap_or(Verdict::Pass);
    Ok(Outcome {
        decisions,
        verdict,
        inputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_carry_their_metadata() {
        for builtin in Builtin::ALL {
            let policy = Policy::of_builtin(builtin);
            let metadata = policy.metadata().unwrap();
            assert_eq!(metadata["id"], builtin.id());
            assert_eq!(metadata["abi"], "portcullis.policy/v2");
        }
    }
}
