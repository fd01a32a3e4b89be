//! Only new: fail on unsuppressed findings at or above `fail-on` (default
//! `critical`) that are new against the baseline (`--baseline`); findings the
//! baseline already had only warn.

use portcullis_policy_sdk::{counted, metadata, run, setting_text, severity_rank, Input, Output, Violation};

metadata!(r#"{"id":"only-new","title":"Only new findings","version":"1.2.0","abi":"portcullis.policy/v2","reads":["findings"],"description":"Gates only on findings this change introduced, against a baseline report.","settings":{"go-symbols":{"type":"string","enum":["use","ignore"],"default":"use"},"origin":{"type":"string","enum":["all","own"],"default":"all"},"fail-on":{"type":"string","enum":["critical","high","medium","low","none"],"default":"critical"}}}"#);

fn evaluate(input: &Input) -> Output {
    let threshold = severity_rank(setting_text(input, "fail-on").unwrap_or("critical"));
    let gated: Vec<_> = counted(input)
        .filter(|f| threshold > 0 && severity_rank(&f.severity) >= threshold)
        .collect();
    let new: Vec<String> = gated.iter().filter(|f| f.new).map(|f| f.id.clone()).collect();
    let old: Vec<String> = gated.iter().filter(|f| !f.new).map(|f| f.id.clone()).collect();
    Output::fail_or_warn(
        Violation::for_findings("new-findings", "high", new, |n| format!("{n} findings are new against the baseline")),
        Violation::for_findings("known-findings", "low", old, |n| format!("{n} findings were already in the baseline")),
    )
}

fn main() {
    run(evaluate)
}
