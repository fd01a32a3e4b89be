//! EPSS threshold: fail on unsuppressed findings whose EPSS probability of
//! exploitation is at least `min-epss` (default 0.5).

use portcullis_policy_sdk::{counted, metadata, run, setting_number, Input, Output, Violation};

metadata!(r#"{"id":"epss-threshold","title":"EPSS threshold","version":"1.2.0","abi":"portcullis.policy/v2","reads":["findings"],"description":"Fails on findings likely to be exploited (EPSS).","settings":{"go-symbols":{"type":"string","enum":["use","ignore"],"default":"use"},"origin":{"type":"string","enum":["all","own"],"default":"all"},"min-epss":{"type":"number","default":0.5}}}"#);

fn evaluate(input: &Input) -> Output {
    let threshold = setting_number(input, "min-epss").unwrap_or(0.5);
    let ids: Vec<String> = counted(input)
        .filter(|f| f.epss.map_or(false, |p| p >= threshold))
        .map(|f| f.id.clone())
        .collect();
    let violations = Violation::for_findings("min-epss", "high", ids, |n| {
        format!("{n} findings have an EPSS score of at least {threshold}")
    });
    Output::failing_on(violations.into_iter().collect())
}

fn main() {
    run(evaluate)
}
