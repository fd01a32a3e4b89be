//! Run WASM policy modules on the input document and return their decisions.
//! Every verdict, the built-in ones included, comes from a module run in the
//! sandbox of `host.rs`. The ABI is in `policies/ABI.md`.

mod error;
mod host;
mod input;
mod module;
mod opa;
mod registry;

use std::collections::BTreeMap;

use serde::Deserialize;

pub(crate) use error::Error;
pub(crate) use host::{Host, Limits};
pub(crate) use input::{document, Checks, Flags, Target};
pub(crate) use registry::push;

/// The built-in policies, built by `policies/build.sh` and embedded.
const BUILTINS: [(&str, &[u8]); 8] = [
    (
        "severity-gate",
        include_bytes!("../../../policies/dist/severity-gate.wasm"),
    ),
    (
        "known-exploited",
        include_bytes!("../../../policies/dist/known-exploited.wasm"),
    ),
    (
        "fixable-only",
        include_bytes!("../../../policies/dist/fixable-only.wasm"),
    ),
    (
        "risk-cap",
        include_bytes!("../../../policies/dist/risk-cap.wasm"),
    ),
    (
        "epss-threshold",
        include_bytes!("../../../policies/dist/epss-threshold.wasm"),
    ),
    (
        "non-root",
        include_bytes!("../../../policies/dist/non-root.wasm"),
    ),
    (
        "license-deny",
        include_bytes!("../../../policies/dist/license-deny.wasm"),
    ),
    (
        "only-new",
        include_bytes!("../../../policies/dist/only-new.wasm"),
    ),
];

/// A policy's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Verdict {
    Pass,
    Warn,
    Fail,
    /// The gate could not decide.
    #[serde(skip)]
    Error,
}

impl Verdict {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
    }
}

/// One broken rule, as a policy reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Violation {
    #[serde(default)]
    pub(crate) rule: String,
    #[serde(default)]
    pub(crate) severity: String,
    pub(crate) message: String,
    #[serde(default)]
    pub(crate) findings: Vec<String>,
}

/// What one module decided.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    pub(crate) module: String,
    pub(crate) verdict: Verdict,
    pub(crate) violations: Vec<Violation>,
}

#[derive(Deserialize)]
struct RawDecision {
    decision: Verdict,
    #[serde(default)]
    violations: Vec<Violation>,
}

/// A policy to run: its name (`builtin:severity-gate` or a path), its wasm and its settings.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) name: String,
    pub(crate) wasm: Vec<u8>,
    pub(crate) settings: BTreeMap<String, serde_json::Value>,
}

impl Policy {
    /// A built-in policy by id (`severity-gate`).
    pub(crate) fn builtin(id: &str) -> Option<Policy> {
        BUILTINS
            .iter()
            .find(|(name, _)| *name == id)
            .map(|(name, wasm)| Policy {
                name: format!("builtin:{name}"),
                wasm: wasm.to_vec(),
                settings: BTreeMap::new(),
            })
    }

    /// A policy from a `.wasm` file, `builtin:NAME`, or a registry reference pinned by digest.
    pub(crate) fn load(
        spec: &str,
        registry: &crate::source::SourceConfig,
    ) -> Result<Policy, Error> {
        if registry::is_pinned_reference(spec) {
            return Ok(Policy {
                name: spec.to_owned(),
                wasm: registry::pull(spec.trim_start_matches("registry:"), registry)?,
                settings: BTreeMap::new(),
            });
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
            bundle_module(&bytes, spec)?
        } else {
            bytes
        };
        Ok(Policy {
            name: spec.to_owned(),
            wasm,
            settings: BTreeMap::new(),
        })
    }

    /// The JSON of its `portcullis.policy.metadata` section, when it has one.
    pub(crate) fn metadata(&self) -> Option<serde_json::Value> {
        let bytes = module::custom_section(&self.wasm, module::METADATA_SECTION)?;
        // A C string keeps its terminating NUL in the section.
        let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
        serde_json::from_slice(bytes.get(..end)?).ok()
    }
}

/// An OPA bundle (`opa build -t wasm` writes `bundle.tar.gz`) holds its module as `/policy.wasm`.
const MAX_BUNDLE_MODULE_BYTES: u64 = 64 << 20;

fn bundle_module(bytes: &[u8], path: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let read_error = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in archive.entries().map_err(read_error)? {
        let mut entry = entry.map_err(read_error)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if name.trim_start_matches("./").trim_start_matches('/') == "policy.wasm" {
            let mut wasm = Vec::new();
            (&mut entry)
                .take(MAX_BUNDLE_MODULE_BYTES + 1)
                .read_to_end(&mut wasm)
                .map_err(read_error)?;
            if wasm.len() as u64 > MAX_BUNDLE_MODULE_BYTES {
                return Err(Error::Unsupported {
                    module: path.to_owned(),
                    what: "a bundle whose policy.wasm is larger than 64 MiB",
                });
            }
            return Ok(wasm);
        }
    }
    Err(Error::Unsupported {
        module: path.to_owned(),
        what: "a gzipped archive without `/policy.wasm` (not an OPA bundle)",
    })
}

/// Runs one policy on an input document.
pub(crate) fn evaluate(host: &Host, policy: &Policy, input: &[u8]) -> Result<Decision, Error> {
    module::check_header(&policy.name, &policy.wasm)?;
    let compiled = host.compile(&policy.name, &policy.wasm)?;
    if module::kind(&policy.name, &compiled)? == module::ModuleKind::Opa {
        return host.run_opa(&policy.name, &compiled, input);
    }
    let run = host.run_command(&policy.name, &compiled, input)?;
    let raw: RawDecision =
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_carry_their_metadata() {
        for (id, _) in BUILTINS {
            let policy = Policy::builtin(id).unwrap();
            let metadata = policy.metadata().unwrap();
            assert_eq!(metadata["id"], id);
            assert_eq!(metadata["abi"], "portcullis.policy/v1");
        }
    }
}
