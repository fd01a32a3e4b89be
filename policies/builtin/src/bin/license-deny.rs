//! Licence deny list: fail when a package declares a licence in `deny`
//! (a list, or a comma-separated string; default: the AGPL and SSPL).

use portcullis_policy_sdk::{metadata, run, Input, Output, Violation};

metadata!(r#"{"id":"license-deny","title":"Licence deny list","version":"1.0.0","abi":"portcullis.policy/v2","reads":["packages"],"description":"Fails when a package declares a denied licence.","settings":{"deny":{"type":"array","items":{"type":"string"},"default":["AGPL-3.0","AGPL-3.0-only","AGPL-3.0-or-later","SSPL-1.0"]}}}"#);

fn denied(input: &Input) -> Vec<String> {
    match input.settings.get("deny") {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).map(|s| s.to_ascii_lowercase()).collect(),
        Some(serde_json::Value::String(text)) => text.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect(),
        _ => ["agpl-3.0", "agpl-3.0-only", "agpl-3.0-or-later", "sspl-1.0"].iter().map(|s| s.to_string()).collect(),
    }
}

fn evaluate(input: &Input) -> Output {
    let deny = denied(input);
    let mut violations = Vec::new();
    for package in &input.packages {
        for license in &package.licenses {
            if deny.contains(&license.to_ascii_lowercase()) {
                violations.push(Violation {
                    rule: "license-deny".to_owned(),
                    severity: "high".to_owned(),
                    message: format!("{} {} is licensed {license}, which is denied", package.name, package.version),
                    findings: Vec::new(),
                });
            }
        }
    }
    Output::failing_on(violations)
}

fn main() {
    run(evaluate)
}
