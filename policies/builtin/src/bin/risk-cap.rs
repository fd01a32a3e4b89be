//! Risk cap: fail on unsuppressed findings whose contextual risk score is
//! above `max-risk` (default 80).

use portcullis_policy_sdk::{counted, metadata, run, setting_number, Input, Output, Violation};

metadata!(r#"{"id":"risk-cap","title":"Risk score cap","version":"1.2.0","abi":"portcullis.policy/v2","reads":["findings"],"description":"Fails on findings whose risk score is above a cap.","settings":{"go-symbols":{"type":"string","enum":["use","ignore"],"default":"use"},"origin":{"type":"string","enum":["all","own"],"default":"all"},"max-risk":{"type":"integer","default":80}}}"#);

fn evaluate(input: &Input) -> Output {
    let cap = setting_number(input, "max-risk").unwrap_or(80.0);
    let ids: Vec<String> = counted(input)
        .filter(|f| f64::from(f.risk_score) > cap)
        .map(|f| f.id.clone())
        .collect();
    let violations = Violation::for_findings("max-risk", "high", ids, |n| {
        format!("{n} findings score above the risk cap of {cap}")
    });
    Output::failing_on(violations.into_iter().collect())
}

fn main() {
    run(evaluate)
}
