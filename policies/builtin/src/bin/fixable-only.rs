//! Fixable only: fail on unsuppressed findings at or above `fail-on`
//! (default `high`) that a fixed version exists for; unfixable ones warn.

use portcullis_policy_sdk::{metadata, run, setting_text, severity_rank, Decision, Input, Output, Violation};

metadata!(r#"{"id":"fixable-only","title":"Fixable findings only","version":"1.0.0","abi":"portcullis.policy/v1","description":"Fails on findings at or above a severity only when a fix exists; warns on the unfixable ones.","settings":{"fail-on":{"type":"string","default":"high"}}}"#);

fn evaluate(input: &Input) -> Output {
    let threshold = severity_rank(setting_text(input, "fail-on").unwrap_or("high"));
    let (fixable, unfixable): (Vec<_>, Vec<_>) = input
        .findings
        .iter()
        .filter(|f| !f.suppressed && threshold > 0 && severity_rank(&f.severity) >= threshold)
        .partition(|f| f.fixed_version.is_some());
    let mut violations = Vec::new();
    if !fixable.is_empty() {
        violations.push(Violation {
            rule: "fixable".to_owned(),
            severity: "high".to_owned(),
            message: format!("{} findings have a fix available", fixable.len()),
            findings: fixable.iter().map(|f| f.id.clone()).collect(),
        });
    }
    if !unfixable.is_empty() {
        violations.push(Violation {
            rule: "unfixable".to_owned(),
            severity: "low".to_owned(),
            message: format!("{} findings have no fix yet", unfixable.len()),
            findings: unfixable.iter().map(|f| f.id.clone()).collect(),
        });
    }
    let decision = if !fixable.is_empty() {
        Decision::Fail
    } else if !unfixable.is_empty() {
        Decision::Warn
    } else {
        Decision::Pass
    };
    Output { decision, violations }
}

fn main() {
    run(evaluate)
}
