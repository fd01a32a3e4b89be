//! Non-root: fail when the image runs as root (no `USER`, or `USER 0`/`root`).

use portcullis_policy_sdk::{metadata, run, Input, Output, Violation};

metadata!(r#"{"id":"non-root","title":"Non-root user","version":"1.0.0","abi":"portcullis.policy/v2","reads":["target"],"description":"Fails when the image runs as root (CIS Docker Benchmark 4.1).","settings":{}}"#);

fn evaluate(input: &Input) -> Output {
    let user = input.target.user.as_deref().unwrap_or("");
    let name = user.split(':').next().unwrap_or("").trim();
    let root = name.is_empty() || name == "0" || name == "root";
    let violations = if root {
        vec![Violation {
            rule: "non-root".to_owned(),
            severity: "medium".to_owned(),
            message: if user.is_empty() {
                "the image sets no USER, so it runs as root".to_owned()
            } else {
                format!("the image runs as `{user}`, which is root")
            },
            findings: Vec::new(),
        }]
    } else {
        Vec::new()
    };
    Output::failing_on(violations)
}

fn main() {
    run(evaluate)
}
