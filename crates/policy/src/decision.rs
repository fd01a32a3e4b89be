//! What policies decide: a verdict per module, the rules each broke, and the
//! one verdict of the gate (the worst of them).

use serde::Deserialize;

use portcullis_model::Severity;

/// A policy's verdict, ordered pass < warn < fail < error: the worst decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    /// The gate could not decide.
    #[serde(skip)]
    Error,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
    }
}

/// How bad a broken rule is, as a policy says it: a finding severity,
/// `error` (the gate could not decide), or a word of the policy's own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ViolationSeverity {
    Severity(Severity),
    Error,
    /// Empty when the policy said nothing.
    #[default]
    Unspecified,
    Other(String),
}

impl ViolationSeverity {
    /// Reads a policy's word; anything but the exact lowercase names is kept as written.
    pub fn parse(text: &str) -> ViolationSeverity {
        match text {
            "" => ViolationSeverity::Unspecified,
            "error" => ViolationSeverity::Error,
            "critical" | "high" | "medium" | "low" | "unknown" => text.parse().map_or_else(
                |_| ViolationSeverity::Other(text.to_owned()),
                ViolationSeverity::Severity,
            ),
            other => ViolationSeverity::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ViolationSeverity::Severity(severity) => severity.name(),
            ViolationSeverity::Error => "error",
            ViolationSeverity::Unspecified => "",
            ViolationSeverity::Other(text) => text,
        }
    }
}

impl std::fmt::Display for ViolationSeverity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ViolationSeverity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(ViolationSeverity::parse(&text))
    }
}

/// One broken rule, as a policy reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Violation {
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub severity: ViolationSeverity,
    pub message: String,
    /// The ids of the findings (or checks) it is about.
    #[serde(default)]
    pub findings: Vec<String>,
}

/// What one module decided.
#[derive(Debug, Clone)]
pub struct Decision {
    pub module: String,
    pub verdict: Verdict,
    pub violations: Vec<Violation>,
}

/// What a native module writes on stdout.
#[derive(Deserialize)]
pub(crate) struct RawDecision {
    pub(crate) decision: Verdict,
    #[serde(default)]
    pub(crate) violations: Vec<Violation>,
}

/// One conftest-style OPA result item: a message, or `{msg, severity, finding}`.
pub(crate) fn opa_violation(
    item: &serde_json::Value,
    rule: &str,
    default_severity: &str,
) -> Violation {
    match item {
        serde_json::Value::String(message) => Violation {
            rule: rule.to_owned(),
            severity: ViolationSeverity::parse(default_severity),
            message: message.clone(),
            findings: Vec::new(),
        },
        other => Violation {
            rule: rule.to_owned(),
            severity: ViolationSeverity::parse(
                other["severity"].as_str().unwrap_or(default_severity),
            ),
            message: other["msg"]
                .as_str()
                .map_or_else(|| other.to_string(), str::to_owned),
            findings: match &other["finding"] {
                serde_json::Value::String(id) => vec![id.clone()],
                serde_json::Value::Array(ids) => ids
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            },
        },
    }
}

/// The decision of an OPA module: `deny` items fail (default severity high),
/// `warn` items warn (medium).
pub(crate) fn opa_decision(module: &str, results: &portcullis_sandbox::OpaResults) -> Decision {
    let mut violations = Vec::new();
    let mut verdict = Verdict::Pass;
    for (items, rule, rule_verdict, default_severity) in [
        (&results.deny, "deny", Verdict::Fail, "high"),
        (&results.warn, "warn", Verdict::Warn, "medium"),
    ] {
        if !items.is_empty() {
            verdict = verdict.max(rule_verdict);
            violations.extend(
                items
                    .iter()
                    .map(|item| opa_violation(item, rule, default_severity)),
            );
        }
    }
    Decision {
        module: module.to_owned(),
        verdict,
        violations,
    }
}
