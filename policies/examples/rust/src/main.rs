//! Example policy: fail when more unsuppressed findings than the `max`
//! setting allows (default 0) are at least `severity` severe (default `high`).

use portcullis_policy_sdk::{metadata, run, setting_number, setting_text, severity_rank, Input, Output, Violation};

metadata!(r#"{"id":"max-findings","title":"At most N findings (Rust example)","version":"0.1.0","abi":"portcullis.policy/v1","description":"Fails when more findings than allowed are at least a severity.","settings":{"max":{"type":"integer","default":0},"severity":{"type":"string","default":"high"}}}"#);

fn evaluate(input: &Input) -> Output {
    let max = setting_number(input, "max").unwrap_or(0.0);
    let threshold = severity_rank(setting_text(input, "severity").unwrap_or("high"));
    let ids: Vec<String> = input
        .findings
        .iter()
        .filter(|f| !f.suppressed && severity_rank(&f.severity) >= threshold)
        .map(|f| f.id.clone())
        .collect();
    let violations = if ids.len() as f64 > max {
        vec![Violation {
            rule: "max".to_owned(),
            severity: "high".to_owned(),
            message: format!("{} findings, more than the {} allowed", ids.len(), max),
            findings: ids,
        }]
    } else {
        Vec::new()
    };
    Output::failing_on(violations)
}

fn main() {
    run(evaluate)
}
