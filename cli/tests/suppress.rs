//! Suppressions and baselines: an ignore entry with a reason lets the gate
//! pass and stays in the report; an expired one fails the gate and says why;
//! OpenVEX statements suppress; `only-new` passes against its own baseline.

use std::path::Path;

use crate::scan::corpus_db;
use crate::support::{fixtures, portcullis, stderr};

fn scan(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let output = portcullis(dir)
        .current_dir(dir)
        .args([
            "scan",
            fixtures().join("debian-app.oci").to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap_or(-1), report, stderr(&output))
}

fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap()
}

#[test]
fn ignored_critical_passes_the_gate_and_stays_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    // Read from the working directory without a flag, as `.trivyignore` is.
    std::fs::write(
        dir.path().join(".portcullis-ignore.toml"),
        "[[ignore]]\nid = \"RUSTSEC-2021-0003\"\npurl = \"pkg:cargo/smallvec\"\nreason = \"insert_many is never called\"\nowner = \"team-platform\"\nexpires = 2099-12-31\n\n[[ignore]]\nid = \"CVE-2023-39325\"\nreason = \"no HTTP/2 server is exposed\"\nexpires = 2099-12-31\n\n[[ignore]]\nid = \"CVE-1999-0001\"\nreason = \"left over\"\n",
    )
    .unwrap();
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    // The known exploited CVE-2023-39325 is ignored too (CISA KEV fails the
    // default gate); what is left warns: the image's missing HEALTHCHECK and
    // the findings of unknown severity.
    assert_eq!(report["verdict"], "warn");
    let violations = &report["policies"][0]["violations"];
    let rules: Vec<&str> = violations
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["hygiene", "unknown-severity"], "{violations}");
    let smallvec = finding(&report, "CVE-2021-25900");
    assert_eq!(smallvec["suppressed"]["kind"], "ignore");
    assert_eq!(
        smallvec["suppressed"]["reason"],
        "insert_many is never called"
    );
    assert!(
        err.contains("`CVE-1999-0001`") && err.contains("matched no finding"),
        "{err}"
    );
}

#[test]
fn expired_ignore_entry_fails_the_gate_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(&ignore, "[[ignore]]\nid = \"CVE-2021-25900\"\nreason = \"was fine last year\"\nowner = \"alice\"\nexpires = 2020-01-01\n").unwrap();
    let (code, report, err) = scan(dir.path(), &["--ignore-file", ignore.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        finding(&report, "CVE-2021-25900")["suppressed"].is_null(),
        "an expired entry still suppressed"
    );
    let text = report["policies"].to_string();
    assert!(
        text.contains("expired on 2020-01-01") && text.contains("alice"),
        "{text}"
    );
}

#[test]
fn openvex_not_affected_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let vex = dir.path().join("app.openvex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.invalid/vex/1","author":"team","timestamp":"2026-01-01T00:00:00Z","version":1,
            "statements":[{"vulnerability":{"name":"CVE-2021-25900"},"products":[{"@id":"pkg:cargo/smallvec@1.6.0"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    // Known exploitation (CVE-2023-39325, in CISA KEV) is not what this is about.
    let (code, report, err) = scan(
        dir.path(),
        &["--vex", vex.to_str().unwrap(), "--set", "kev=ignore"],
    );
    assert_eq!(code, 0, "{err}");
    let smallvec = finding(&report, "CVE-2021-25900");
    assert_eq!(smallvec["suppressed"]["kind"], "vex");
    assert!(smallvec["suppressed"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("not_affected"));
}

#[test]
fn only_new_passes_against_its_own_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report, _) = scan(dir.path(), &["--policy", "builtin:only-new"]);
    assert_eq!(code, 1, "without a baseline every finding is new");
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, serde_json::to_vec(&report).unwrap()).unwrap();
    let (code, report, err) = scan(
        dir.path(),
        &[
            "--policy",
            "builtin:only-new",
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["verdict"], "warn");
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["new"] == false));
}

#[test]
fn an_ignore_entry_without_a_reason_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(&ignore, "[[ignore]]\nid = \"CVE-2021-25900\"\n").unwrap();
    let (code, _, err) = scan(dir.path(), &["--ignore-file", ignore.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("ignore.toml") && err.contains("no `reason`"),
        "{err}"
    );
}
