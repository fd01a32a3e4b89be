//! Only new: fail on unsuppressed findings at or above `fail-on` (default
//! `critical`) that are new against the baseline (`--baseline`); findings the
//! baseline already had only warn.

use portcullis_policy_sdk::{metadata, run, setting_text, severity_rank, Decision, Input, Output, Violation};

metadata!(r#"{"id":"only-new","title":"Only new findings","version":"1.0.0","abi":"portcullis.policy/v1","description":"Gates only on findings this change introduced, against a baseline report.","settings":{"fail-on":{"type":"string","default":"critical"}}}"#);

fn evaluate(input: &Input) -> Output {
    let threshold = severity_rank(setting_text(input, "fail-on").unwrap_or("critical"));
    let gated: Vec<_> = input
        .findings
        .iter()
        .filter(|f| !f.suppressed && threshold > 0 && severity_rank(&f.severity) >= threshold)
        .collect();
    let new: Vec<String> = gated.iter().filter(|f| f.new).map(|f| f.id.clone()).collect();
    let old: Vec<String> = gated.iter().filter(|f| !f.new).map(|f| f.id.clone()).collect();
    let mut violations = Vec::new();
    if !new.is_empty() {
        violations.push(Violation {
            rule: "new-findings".to_owned(),
            severity: "high".to_owned(),
            message: format!("{} findings are new against the baseline", new.len()),
            findings: new.clone(),
        });
    }
    if !old.is_empty() {
        violations.push(Violation {
            rule: "known-findings".to_owned(),
            severity: "low".to_owned(),
            message: format!("{} findings were already in the baseline", old.len()),
            findings: old.clone(),
        });
    }
    let decision = if !new.is_empty() {
        Decision::Fail
    } else if !old.is_empty() {
        Decision::Warn
    } else {
        Decision::Pass
    };
    Output { decision, violations }
}

fn main() {
    run(evaluate)
}
