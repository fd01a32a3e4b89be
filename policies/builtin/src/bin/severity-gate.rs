//! The severity gate: fail when a finding is at least `fail-on` severe
//! (default `critical`), or when more findings of a severity than
//! `max-critical`, `max-high`, `max-medium` or `max-low` allow are present.
//! Suppressed findings do not count.

use portcullis_policy_sdk::{metadata, run, setting_number, setting_text, severity_rank, Input, Output, Violation};

metadata!(r#"{"id":"severity-gate","title":"Severity gate","version":"1.0.0","abi":"portcullis.policy/v1","description":"Fails on findings at or above a severity, or on more findings of a severity than allowed.","settings":{"fail-on":{"type":"string","enum":["critical","high","medium","low","none"],"default":"critical"},"max-critical":{"type":"integer"},"max-high":{"type":"integer"},"max-medium":{"type":"integer"},"max-low":{"type":"integer"}}}"#);

fn evaluate(input: &Input) -> Output {
    let active: Vec<_> = input.findings.iter().filter(|f| !f.suppressed).collect();
    let mut violations = Vec::new();
    let fail_on = setting_text(input, "fail-on").unwrap_or("critical");
    if fail_on != "none" {
        let threshold = severity_rank(fail_on);
        let failing: Vec<String> = active
            .iter()
            .filter(|f| threshold > 0 && severity_rank(&f.severity) >= threshold)
            .map(|f| f.id.clone())
            .collect();
        if !failing.is_empty() {
            violations.push(Violation {
                rule: "fail-on".to_owned(),
                severity: fail_on.to_owned(),
                message: format!("{} findings at or above {fail_on}", failing.len()),
                findings: failing,
            });
        }
    }
    for severity in ["critical", "high", "medium", "low"] {
        let max = match setting_number(input, &format!("max-{severity}")) {
            Some(max) => max,
            None => continue,
        };
        let ids: Vec<String> = active.iter().filter(|f| f.severity == severity).map(|f| f.id.clone()).collect();
        if ids.len() as f64 > max {
            violations.push(Violation {
                rule: format!("max-{severity}"),
                severity: severity.to_owned(),
                message: format!("{} {severity} findings, more than the {max} allowed", ids.len()),
                findings: ids,
            });
        }
    }
    Output::failing_on(violations)
}

fn main() {
    run(evaluate)
}
