//! Fixable only: fail on unsuppressed findings at or above `fail-on`
//! (default `high`) that a fixed version exists for; unfixable ones warn.

use portcullis_policy_sdk::{counted, metadata, run, setting_text, severity_rank, Input, Output, Violation};

metadata!(r#"{"id":"fixable-only","title":"Fixable findings only","version":"1.2.0","abi":"portcullis.policy/v2","reads":["findings"],"description":"Fails on findings at or above a severity only when a fix exists; warns on the unfixable ones.","settings":{"go-symbols":{"type":"string","enum":["use","ignore"],"default":"use"},"origin":{"type":"string","enum":["all","own"],"default":"all"},"fail-on":{"type":"string","enum":["critical","high","medium","low","none"],"default":"high"}}}"#);

fn evaluate(input: &Input) -> Output {
    let threshold = severity_rank(setting_text(input, "fail-on").unwrap_or("high"));
    let (fixable, unfixable): (Vec<_>, Vec<_>) = counted(input)
        .filter(|f| threshold > 0 && severity_rank(&f.severity) >= threshold)
        .partition(|f| f.fixed_version.is_some());
    let ids = |findings: Vec<&portcullis_policy_sdk::Finding>| findings.iter().map(|f| f.id.clone()).collect();
    Output::fail_or_warn(
        Violation::for_findings("fixable", "high", ids(fixable), |n| format!("{n} findings have a fix available")),
        Violation::for_findings("unfixable", "low", ids(unfixable), |n| format!("{n} findings have no fix yet")),
    )
}

fn main() {
    run(evaluate)
}
