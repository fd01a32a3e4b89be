//! The typed input and output of a Portcullis policy written against the
//! native ABI (see `policies/ABI.md`): a WASI command run as
//! `policy.wasm evaluate` that reads one [`Input`] as JSON on stdin and
//! writes one [`Output`] as JSON on stdout. [`Input`] reads both versions:
//! v1's whole document, and v2's, which carries only the parts the
//! module's metadata `reads` and names a finding's package by its index in
//! `packages` ([`PackageRef`]).
//!
//! [`run`] does the I/O: a policy is a function from [`Input`] to [`Output`].

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

/// The `apiVersion`s this SDK reads.
pub const API_VERSION: &str = "portcullis.policy/v1";
pub const API_VERSION_V2: &str = "portcullis.policy/v2";

/// What the host passes in.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    pub api_version: String,
    /// Absent from a v2 document whose module does not read `target`.
    #[serde(default)]
    pub target: Target,
    #[serde(default)]
    pub packages: Vec<Package>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Hygiene and secret checks that fired.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// What the analysis could not evaluate.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
    /// This policy's settings from `portcullis.toml` or `--set key=value`.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
}

/// The scanned target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Target {
    pub reference: String,
    pub digest: Option<String>,
    pub platform: Option<String>,
    pub os: Option<String>,
    /// The configured user; `None` means root.
    pub user: Option<String>,
    pub exposed_ports: Vec<String>,
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub layers: Vec<String>,
}

/// One package in the inventory.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub ecosystem: Option<String>,
    pub purl: String,
    pub licenses: Vec<String>,
    pub path: Option<String>,
    pub layer: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Finding {
    pub id: String,
    pub aliases: Vec<String>,
    /// `critical`, `high`, `medium`, `low` or `unknown`.
    pub severity: String,
    /// Where the severity came from: `vendor`, `cvss` (the OSV record's
    /// vector), `cve-cna`, `cisa-adp` or `none`.
    pub severity_source: String,
    /// The CVSS vector the finding is rated by.
    pub severity_vector: Option<String>,
    pub cvss: Option<f64>,
    pub epss: Option<f64>,
    /// CISA's KEV catalog lists it.
    pub kev: bool,
    /// KEV lists it or CISA's SSVC says `Exploitation: active`.
    pub known_exploited: bool,
    /// SSVC's `Exploitation`: `none`, `poc` or `active`.
    pub exploitation: Option<String>,
    pub fixed_version: Option<String>,
    pub risk_score: u8,
    /// Whether the finding is new against the baseline (always true without one).
    pub new: bool,
    pub suppressed: bool,
    /// Go: whether the advisory's vulnerable functions are linked into the
    /// binary; `None` for other findings.
    pub vulnerable_code: Option<Box<VulnerableCode>>,
    /// Go: the vulnerable code is determined not present.
    pub code_not_present: bool,
    /// `base` (the base image has the same package at the same version) or
    /// `own` (the image's layers added or changed it); `None` when the scan
    /// was not told the base image.
    pub origin: Option<String>,
    pub package: PackageRef,
}

/// A finding's package: written out in a v1 document, the index of the
/// package in `packages` in a v2 one (whose `packages` are there when the
/// module's metadata reads them).
#[derive(Debug, Clone)]
pub enum PackageRef {
    Inline(Box<Package>),
    Index(usize),
}

impl Default for PackageRef {
    fn default() -> PackageRef {
        PackageRef::Inline(Box::default())
    }
}

impl PackageRef {
    /// The package, when the document carries it.
    pub fn resolve<'a>(&'a self, input: &'a Input) -> Option<&'a Package> {
        match self {
            PackageRef::Inline(package) => Some(package),
            PackageRef::Index(index) => input.packages.get(*index),
        }
    }
}

impl<'de> Deserialize<'de> for PackageRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<PackageRef, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PackageRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a package object or an index into `packages`")
            }
            fn visit_u64<E: serde::de::Error>(self, index: u64) -> Result<PackageRef, E> {
                usize::try_from(index).map(PackageRef::Index).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PackageRef, A::Error> {
                let package = Package::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(PackageRef::Inline(Box::new(package)))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A part of the target the analysis could not evaluate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Diagnostic {
    pub path: String,
    pub layer: Option<String>,
    pub message: String,
}

/// What was decided about a Go finding's code.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VulnerableCode {
    /// `present`, `not-present` or `unknown`.
    pub state: String,
    pub reason: String,
    /// The symbols looked for, as `import/path.Symbol`.
    pub looked_for: Vec<String>,
    /// Those found linked in.
    pub found: Vec<String>,
}

/// A hygiene (CIS Docker Benchmark) or secret check that fired.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Check {
    /// `hygiene/root-user`, `secret/private-key`, …
    pub id: String,
    /// `hygiene` or `secret`.
    pub kind: String,
    pub severity: String,
    pub title: String,
    pub path: Option<String>,
    pub layer: Option<String>,
    /// What was found; secrets are redacted.
    pub message: String,
    /// Accepted by an ignore entry.
    pub suppressed: bool,
}

/// How bad a severity is: `unknown` 0 up to `critical` 4.
pub fn severity_rank(severity: &str) -> u8 {
    match severity.to_ascii_lowercase().as_str() {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

/// A policy's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Pass,
    Warn,
    Fail,
}

/// One rule the target broke.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    pub rule: String,
    pub severity: String,
    pub message: String,
    /// The ids of the findings concerned.
    pub findings: Vec<String>,
}

/// What the policy writes.
#[derive(Debug, Clone, Serialize)]
pub struct Output {
    pub decision: Decision,
    pub violations: Vec<Violation>,
}

impl Violation {
    /// One violation naming `findings`, or none when there are no findings.
    pub fn for_findings(rule: &str, severity: &str, findings: Vec<String>, message: impl FnOnce(usize) -> String) -> Option<Violation> {
        if findings.is_empty() {
            return None;
        }
        Some(Violation {
            rule: rule.to_owned(),
            severity: severity.to_owned(),
            message: message(findings.len()),
            findings,
        })
    }
}

impl Output {
    /// Fails on `failing`, else warns on `warning`, else passes; both are reported.
    pub fn fail_or_warn(failing: Option<Violation>, warning: Option<Violation>) -> Output {
        let decision = match (&failing, &warning) {
            (Some(_), _) => Decision::Fail,
            (None, Some(_)) => Decision::Warn,
            (None, None) => Decision::Pass,
        };
        Output {
            decision,
            violations: failing.into_iter().chain(warning).collect(),
        }
    }

    /// Fails when there are violations, passes otherwise.
    pub fn failing_on(violations: Vec<Violation>) -> Output {
        let decision = if violations.is_empty() { Decision::Pass } else { Decision::Fail };
        Output { decision, violations }
    }
}

/// The findings a built-in policy counts: not suppressed, not determined
/// `code_not_present` unless the `go-symbols` setting is `ignore`, and, with
/// the `origin` setting `own`, not the base image's.
pub fn counted(input: &Input) -> impl Iterator<Item = &Finding> {
    let use_symbols = setting_text(input, "go-symbols") != Some("ignore");
    let own_only = setting_text(input, "origin") == Some("own");
    input.findings.iter().filter(move |f| {
        !f.suppressed
            && !(use_symbols && f.code_not_present)
            && !(own_only && f.origin.as_deref() == Some("base"))
    })
}

/// A setting read as a number, or `default`.
pub fn setting_number(input: &Input, key: &str) -> Option<f64> {
    input.settings.get(key).and_then(|value| match value {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// A setting read as a boolean (`true`/`false`, or the strings).
pub fn setting_bool(input: &Input, key: &str) -> Option<bool> {
    input.settings.get(key).and_then(|value| match value {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// A setting read as text.
pub fn setting_text<'a>(input: &'a Input, key: &str) -> Option<&'a str> {
    input.settings.get(key).and_then(|value| value.as_str())
}

/// Runs a policy as the ABI asks: checks `argv[1] == "evaluate"`, reads the
/// input from stdin, writes the output to stdout, exits 0 (or 2 on bad input).
pub fn run(policy: fn(&Input) -> Output) -> ! {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some("evaluate") {
        eprintln!("usage: policy.wasm evaluate < input.json");
        std::process::exit(2);
    }
    // Parsed as it is read: a document of 100,000 findings is never held
    // as text beside its values.
    let stdin = std::io::stdin();
    let reader = std::io::BufReader::new(stdin.lock());
    let input: Input = match serde_json::from_reader(reader) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("the input is not a portcullis.policy document: {error}");
            std::process::exit(2);
        }
    };
    if input.api_version != API_VERSION && input.api_version != API_VERSION_V2 {
        eprintln!("unsupported apiVersion `{}` (this policy reads {API_VERSION} and {API_VERSION_V2})", input.api_version);
        std::process::exit(2);
    }
    let output = policy(&input);
    let mut stdout = std::io::stdout();
    if serde_json::to_writer(&mut stdout, &output).is_err() || stdout.flush().is_err() {
        std::process::exit(2);
    }
    std::process::exit(0);
}

/// Declares a policy's metadata as the `portcullis.policy.metadata` custom section.
#[macro_export]
macro_rules! metadata {
    ($json:literal) => {
        #[used]
        #[link_section = "portcullis.policy.metadata"]
        static PORTCULLIS_POLICY_METADATA: [u8; $json.len()] = {
            let bytes = $json.as_bytes();
            let mut out = [0u8; $json.len()];
            let mut i = 0;
            while i < bytes.len() {
                out[i] = bytes[i];
                i += 1;
            }
            out
        };
    };
}
