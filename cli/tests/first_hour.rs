//! What a CI user (often a Trivy user) meets in the first hour: Trivy's
//! flags, view filters that never change the verdict, messages that say what
//! to do, fix advice from the right branch, a closed pipe, and `policy test`
//! on what a scan saved.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::scan::corpus_db;
use crate::support::{fixtures, portcullis, run, stderr};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/debian-demo.oci.tar")
}

fn scan(cache: &Path, extra: &[&str]) -> (i32, String, String) {
    let demo = demo();
    let mut args = vec![
        "scan",
        demo.to_str().unwrap(),
        "--db",
        corpus_db().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(cache, &args)
}

#[test]
fn trivy_flags_f_o_q_and_exit_code() {
    let cache = tempfile::tempdir().unwrap();
    let out = cache.path().join("report.sarif");
    let json = cache.path().join("report.json");
    let (code, stdout, err) = scan(
        cache.path(),
        &[
            "-f",
            "sarif",
            "-o",
            out.to_str().unwrap(),
            "-o",
            &format!("json={}", json.display()),
            "--exit-code",
            "7",
            "-q",
            "--no-progress",
        ],
    );
    // The demo fails the default gate: the failing verdict takes --exit-code.
    assert_eq!(code, 7, "{err}");
    assert!(
        stdout.is_empty(),
        "-o FILE takes the --format report off stdout: {stdout}"
    );
    assert!(err.is_empty(), "-q prints nothing but errors: {err}");
    let sarif: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["verdict"], "fail");
    // A second plain FILE is refused: which report would it be?
    let (code, _, err) = scan(cache.path(), &["-o", "a.json", "-o", "b.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("give other formats as FORMAT=FILE"), "{err}");
}

#[test]
fn view_filters_hide_table_rows_but_never_the_verdict() {
    let cache = tempfile::tempdir().unwrap();
    let (code, table, err) = scan(
        cache.path(),
        &["--severity", "CRITICAL,high", "--ignore-unfixed"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(table.contains("CVE-2021-25900"), "{table}");
    assert!(
        !table.contains("UNKNOWN ("),
        "unknown rows are hidden: {table}"
    );
    assert!(
        table.contains(
            "the table hides 17 of 20 findings (--severity critical,high --ignore-unfixed)"
        ),
        "{table}"
    );
    // The verdict line still counts every finding.
    assert!(
        table.contains("verdict: fail  (1 critical, 2 high, 3 medium, 14 unknown"),
        "{table}"
    );
    // Machine-readable formats are the same with and without the filters.
    let (_, filtered, _) = scan(cache.path(), &["-f", "json", "--severity", "critical"]);
    let (_, plain, _) = scan(cache.path(), &["-f", "json"]);
    let findings = |text: &str| serde_json::from_str::<Value>(text).unwrap()["findings"].clone();
    assert_eq!(findings(&filtered), findings(&plain));
    let (code, _, err) = scan(cache.path(), &["--severity", "hihg"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("critical, high, medium, low, unknown"),
        "{err}"
    );
}

#[test]
fn fix_advice_is_the_nearest_fix_above_the_installed_version() {
    let cache = tempfile::tempdir().unwrap();
    let (_, text, _) = scan(cache.path(), &["-f", "json"]);
    let report: Value = serde_json::from_str(&text).unwrap();
    let finding = |id: &str, name: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id && f["package"]["name"] == name)
            .unwrap()
            .clone()
    };
    // smallvec 1.6.0: 0.6.14 fixes the 0.6 branch, 1.6.1 this one.
    let smallvec = finding("CVE-2021-25900", "smallvec");
    assert_eq!(smallvec["fixedVersion"], "1.6.1");
    assert_eq!(
        smallvec["fixedVersions"],
        serde_json::json!(["0.6.14", "1.6.1"])
    );
    // tokio 1.8.0: in SemVer order, not text order.
    let tokio = finding("CVE-2021-45710", "tokio");
    assert_eq!(
        tokio["fixedVersions"],
        serde_json::json!(["1.8.4", "1.13.1"])
    );
    assert_eq!(tokio["fixedVersion"], "1.8.4");
    let (_, sarif, _) = scan(cache.path(), &["-f", "sarif"]);
    assert!(
        sarif.contains("Upgrade smallvec from 1.6.0 to 1.6.1 or later"),
        "no advice"
    );
    assert!(
        !sarif.contains("to one of 0.6.14"),
        "a downgrade is advised"
    );
}

#[test]
fn an_unknown_target_prefix_or_format_says_what_is_meant() {
    let cache = tempfile::tempdir().unwrap();
    let db = corpus_db().to_str().unwrap();
    let (code, _, err) = run(cache.path(), &["scan", "oci-dri:/tmp/image", "--db", db]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `oci-dir:/tmp/image`?"), "{err}");
    // Issue 33: said before the DB is opened, so on a machine with no DB too.
    let missing = cache.path().join("no-such.db");
    let (code, _, err) = run(
        cache.path(),
        &["scan", "oci-dri:x", "--db", missing.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`oci-dri:` is not a target kind")
            && err.contains("did you mean `oci-dir:x`?"),
        "{err}"
    );
    assert!(!missing.exists());
    // `name:tag` stays a registry reference, even close to a prefix.
    let (code, _, err) = run(cache.path(), &["scan", "app:1.2", "--offline", "--db", db]);
    assert_eq!(code, 2);
    assert!(err.contains("registry reference"), "{err}");
    let (code, _, err) = scan(cache.path(), &["--output", "sarf=x.sarif"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("expected one of: table, json, cyclonedx, spdx, sarif"),
        "{err}"
    );
}

#[test]
fn db_lookup_folds_case_and_releases_and_hints() {
    let cache = tempfile::tempdir().unwrap();
    let db = corpus_db().to_str().unwrap();
    let (code, out, err) = run(
        cache.path(),
        &["db", "--db", db, "lookup", "pypi", "urllib3"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("PyPI urllib3: 11 advisories"), "{out}");
    let (_, out, _) = run(
        cache.path(),
        &["db", "--db", db, "lookup", "Debian", "openssl"],
    );
    assert!(
        out.contains("Debian:12 openssl:") && out.contains("Debian:11 openssl:"),
        "{out}"
    );
    let (code, _, err) = run(
        cache.path(),
        &["db", "--db", db, "lookup", "Debain", "openssl"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `Debian`?"), "{err}");
    let (code, out, err) = run(
        cache.path(),
        &["db", "--db", db, "lookup", "Debian:12", "libc6"],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("0 advisories") && err.contains("by its source package"),
        "{err}"
    );
}

#[test]
fn db_show_keeps_stdout_json_and_lists_every_record() {
    let cache = tempfile::tempdir().unwrap();
    let db = corpus_db().to_str().unwrap();
    let (code, out, err) = run(cache.path(), &["db", "--db", db, "show", "CVE-2023-44487"]);
    assert_eq!(code, 0, "{err}");
    // A stream of JSON documents, as `jq` reads them, and nothing else.
    let documents: Vec<Value> = serde_json::Deserializer::from_str(&out)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(documents.len() > 1);
    assert!(documents.iter().any(|d| d["id"] == "GO-2023-2102"));
    assert!(
        err.contains(&format!(
            "{} records have or name `CVE-2023-44487`",
            documents.len()
        )),
        "{err}"
    );
    assert!(err.contains("kev: added 2023-10-10"), "{err}");
}

#[test]
fn a_closed_pipe_keeps_the_verdict_and_never_panics() {
    let cache = tempfile::tempdir().unwrap();
    let demo = demo();
    // `scan | head -1`: the reader stops early; the exit code is still the verdict's.
    let mut child = portcullis(cache.path())
        .args([
            "scan",
            demo.to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1));
    // `db update 2>&1 | head`: a closed stderr loses log lines, not the exit code.
    let mut child = portcullis(cache.path())
        .args(["db", "--db", cache.path().join("u.db").to_str().unwrap()])
        .args(["update", "--mirror", "http://127.0.0.1:1/"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(3));
    // And with stderr open, one line says why, not a line per retry.
    let (code, _, err) = run(
        cache.path(),
        &[
            "db",
            "--db",
            cache.path().join("u.db").to_str().unwrap(),
            "update",
            "--mirror",
            "http://127.0.0.1:1/",
        ],
    );
    assert_eq!(code, 3);
    assert!(!err.contains("WARN"), "{err}");
    assert!(
        err.contains("Connection refused") && err.contains("(3 attempts)"),
        "{err}"
    );
}

#[test]
fn a_stale_db_is_warned_about_once() {
    let cache = tempfile::tempdir().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, out, err) = scan(cache.path(), &["--db-warn-age", "1s"]);
    let said = format!("{out}{err}").matches("old").count();
    assert_eq!(said, 1, "stdout: {out}\nstderr: {err}");
}

#[test]
fn policy_test_replays_a_scan_and_exits_one_on_fail() {
    let cache = tempfile::tempdir().unwrap();
    let inputs = cache.path().join("inputs.jsonl");
    let report = cache.path().join("report.json");
    let (code, _, err) = scan(
        cache.path(),
        &[
            "--policy-input",
            inputs.to_str().unwrap(),
            "-o",
            &format!("json={}", report.display()),
        ],
    );
    assert_eq!(code, 1, "{err}");
    let saved = std::fs::read_to_string(&inputs).unwrap();
    assert_eq!(saved.lines().count(), 1, "one policy, one document");
    let document: Value = serde_json::from_str(saved.trim()).unwrap();
    assert_eq!(document["apiVersion"], "portcullis.policy/v2");
    let test = |input: &Path, extra: &[&str]| {
        let mut command: Command = portcullis(cache.path());
        command.args([
            "policy",
            "test",
            "builtin:severity-gate",
            "--input",
            input.to_str().unwrap(),
        ]);
        command.args(extra);
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr(&output),
        )
    };
    let (code, out, err) = test(&inputs, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        out.contains("builtin:severity-gate: fail") && out.contains("CVE-2021-25900"),
        "{out}"
    );
    // A scan's JSON report decides the same.
    let (code, out, _) = test(&report, &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("CVE-2021-25900"), "{out}");
    let (code, out, err) = test(&report, &["--set", "fail-on=none", "--set", "kev=ignore"]);
    assert_eq!(code, Some(0), "{out}{err}");
    // Anything else is refused, naming the file.
    let bad = cache.path().join("bad.json");
    std::fs::write(&bad, "{\"hello\": 1}").unwrap();
    let (code, _, err) = test(&bad, &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bad.json") && err.contains("neither"), "{err}");
}

#[test]
fn quiet_scan_of_a_fixture_prints_only_the_report() {
    let cache = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-slim.oci");
    let (code, out, err) = run(
        cache.path(),
        &[
            "scan",
            target.to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
            "-q",
            "-f",
            "json",
        ],
    );
    assert!(code == 0 || code == 1, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(serde_json::from_str::<Value>(&out).is_ok());
}

#[test]
fn a_trivyignore_in_the_working_folder_carries_over_and_says_so() {
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(
        cache.path().join(".trivyignore"),
        "# insert_many is never called\nCVE-2021-25900 exp:2999-01-01\n",
    )
    .unwrap();
    let demo = demo();
    let output = portcullis(cache.path())
        .current_dir(cache.path())
        .args([
            "scan",
            demo.to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(
        err.contains("`.trivyignore`: `CVE-2021-25900` becomes an ignore entry everywhere, until 2999-01-01 (reason: insert_many is never called)"),
        "{err}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let smallvec = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2021-25900")
        .unwrap();
    assert_eq!(
        smallvec["suppressed"]["reason"],
        "insert_many is never called"
    );
    // The only critical finding is accepted: the default gate no longer fails.
    assert_eq!(output.status.code(), Some(0), "{err}");
}
