//! The severity gate: fail when a finding is at least `fail-on` severe
//! (default `critical`), or when more findings of a severity than
//! `max-critical`, `max-high`, `max-medium` or `max-low` allow are present.
//! Suppressed findings do not count. A finding known to be exploited (CISA
//! KEV lists it, or CISA's SSVC says `Exploitation: active`, through any id
//! of its cluster) fails it whatever its severity (`kev`: `fail`,
//! `warn` or `ignore`; default `fail`, `warn` with `fail-on = none`). Secrets found in the image fail it
//! (`fail-on-secret`, default true); hygiene checks warn (`hygiene`: `warn`,
//! `fail` or `ignore`). Findings of unknown severity, which no rank can
//! catch, warn (`unknown`: `warn`, `fail` or `ignore`; default `warn`) so the
//! verdict says how many the gate could not rank.

use portcullis_policy_sdk::{counted, metadata, run, setting_bool, setting_number, setting_text, severity_rank, Decision, Input, Output, Violation};

metadata!(r#"{"id":"severity-gate","title":"Severity gate","version":"1.6.0","abi":"portcullis.policy/v2","reads":["findings","checks"],"description":"Fails on findings at or above a severity, on known exploited ones (CISA KEV, SSVC exploitation active), or on more findings of a severity than allowed.","settings":{"go-symbols":{"type":"string","enum":["use","ignore"],"default":"use"},"origin":{"type":"string","enum":["all","own"],"default":"all"},"fail-on":{"type":"string","enum":["critical","high","medium","low","none"],"default":"critical"},"max-critical":{"type":"integer"},"max-high":{"type":"integer"},"max-medium":{"type":"integer"},"max-low":{"type":"integer"},"fail-on-secret":{"type":"boolean","default":true},"hygiene":{"type":"string","enum":["warn","fail","ignore"],"default":"warn"},"kev":{"type":"string","enum":["fail","warn","ignore"],"default":"fail"},"unknown":{"type":"string","enum":["warn","fail","ignore"],"default":"warn"}}}"#);

fn evaluate(input: &Input) -> Output {
    let active: Vec<_> = counted(input).collect();
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
    let ids = |kind: &str| -> Vec<String> {
        input.checks.iter().filter(|c| c.kind == kind && !c.suppressed).map(|c| c.id.clone()).collect()
    };
    if setting_bool(input, "fail-on-secret").unwrap_or(true) {
        violations.extend(Violation::for_findings("secret", "critical", ids("secret"), |n| {
            format!("{n} secrets found in the image's layers")
        }));
    }
    let kev: Vec<String> = active.iter().filter(|f| f.known_exploited).map(|f| f.id.clone()).collect();
    let kev_violation = Violation::for_findings("known-exploited", "critical", kev, |n| {
        format!("{n} findings are known to be exploited (CISA KEV or SSVC)")
    });
    let hygiene_violation = Violation::for_findings("hygiene", "low", ids("hygiene"), |n| {
        format!("{n} image hygiene checks (CIS Docker Benchmark) failed")
    });
    let unknown: Vec<String> = active.iter().filter(|f| severity_rank(&f.severity) == 0).map(|f| f.id.clone()).collect();
    let unknown_violation = Violation::for_findings("unknown-severity", "low", unknown, |n| {
        format!("{n} findings have no known severity, so no severity rule could catch them")
    });
    let mut output = Output::failing_on(violations);
    // `fail-on = none` is the report-only gate: known exploitation warns there unless `kev` says otherwise.
    let kev_mode = setting_text(input, "kev").unwrap_or(if fail_on == "none" { "warn" } else { "fail" });
    add_by_mode(&mut output, kev_violation, kev_mode);
    add_by_mode(&mut output, hygiene_violation, setting_text(input, "hygiene").unwrap_or("warn"));
    add_by_mode(&mut output, unknown_violation, setting_text(input, "unknown").unwrap_or("warn"));
    output
}

/// Adds `violation` as `mode` says: `fail` fails, `warn` warns (naming the
/// ids in the message, as they did not fail the target), `ignore` drops it.
fn add_by_mode(output: &mut Output, violation: Option<Violation>, mode: &str) {
    let mut violation = match violation {
        Some(violation) if mode != "ignore" => violation,
        _ => return,
    };
    if mode == "fail" {
        output.decision = Decision::Fail;
    } else {
        if output.decision == Decision::Pass {
            output.decision = Decision::Warn;
        }
        violation.message = format!("{}: {}", violation.message, named(&violation.findings));
        violation.findings.clear();
    }
    output.violations.push(violation);
}

/// The first ids of a list, and how many more there are.
fn named(ids: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = ids.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    text
}

fn main() {
    run(evaluate)
}
