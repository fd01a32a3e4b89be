//! Go binaries: whether an advisory's vulnerable functions are linked in,
//! checked against govulncheck's binary mode (Debian's govulncheck, a 2023
//! build of golang.org/x/vuln) on programs built here with Debian's Go, over
//! the same records (the shared Go OSV corpus, laid out for govulncheck by
//! `tests/go-oracle/make-db.py`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::{portcullis, shared, stderr};

/// The oracle's programs (`tests/go-oracle/programs`, and the fixture
/// image's htmlcount), each also built stripped.
const PROGRAMS: [&str; 5] = ["web", "render", "hello", "zipread", "htmlcount"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The programs, built once per test run into `target/go-oracle`.
fn binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = repo().join("target/go-oracle");
        let status = Command::new("bash")
            .arg(repo().join("tests/go-oracle/build.sh"))
            .arg(&out)
            .status()
            .expect("run tests/go-oracle/build.sh (needs golang-go, see tests/run.sh)");
        assert!(status.success(), "tests/go-oracle/build.sh failed");
        out
    })
}

/// A Portcullis DB and a govulncheck DB of the same Go records (with KEV).
fn databases() -> &'static (PathBuf, PathBuf) {
    static DBS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DBS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let go = shared().join("vulndb/osv/Go/all.zip");
        let db = dir.join("go.db");
        let output = portcullis(&dir)
            .args(["db", "--db", db.to_str().unwrap(), "import"])
            .arg(&go)
            .arg(shared().join("vulndb/kev/known_exploited_vulnerabilities.json"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let govulndb = dir.join("govulndb");
        let output = Command::new("python3")
            .arg(repo().join("tests/go-oracle/make-db.py"))
            .arg(&go)
            .arg(&govulndb)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        (db, govulndb)
    })
}

/// The GO- ids govulncheck finds the vulnerable code of in `binary`.
fn govulncheck(binary: &Path) -> BTreeSet<String> {
    let (_, govulndb) = databases();
    let output = Command::new("govulncheck")
        .arg("-json")
        .arg(binary)
        .env("GOVULNDB", format!("file://{}", govulndb.display()))
        .output()
        .expect("run govulncheck (apt-get install govulncheck, see tests/run.sh)");
    assert!(output.status.success(), "govulncheck: {}", stderr(&output));
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    result["Vulns"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|vuln| {
            // Binary mode lists a vulnerability when a symbol of it is linked in.
            vuln["Modules"].as_array().into_iter().flatten().any(|m| {
                m["Packages"].as_array().into_iter().flatten().any(|p| {
                    p["CallStacks"]
                        .as_array()
                        .is_some_and(|stacks| !stacks.is_empty())
                })
            })
        })
        .map(|vuln| vuln["OSV"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `portcullis scan` of the folder holding one binary: the JSON report.
fn scan(folder: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let (db, _) = databases();
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .arg("scan")
        .arg(folder)
        .args(["--db", db.to_str().unwrap(), "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = output.status.code().unwrap();
    assert!(code <= 1, "scan {}: {}", folder.display(), stderr(&output));
    (code, serde_json::from_slice(&output.stdout).unwrap())
}

/// Each Go finding's GO- ids with its state and reason.
fn determinations(report: &serde_json::Value) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let findings = report["findings"].as_array().unwrap();
    for finding in findings
        .iter()
        .filter(|f| f["package"]["ecosystem"] == "Go")
    {
        let code = &finding["vulnerableCode"];
        let state = code["state"].as_str().unwrap_or("none").to_owned();
        let reason = code["reason"].as_str().unwrap_or_default().to_owned();
        assert!(
            state == "present" || state == "not-present",
            "{} in {}: state {state} ({reason})",
            finding["id"],
            finding["package"]["name"]
        );
        assert!(!reason.is_empty(), "{} has no reason", finding["id"]);
        let ids = std::iter::once(&finding["id"]).chain(finding["aliases"].as_array().unwrap());
        for id in ids
            .filter_map(|id| id.as_str())
            .filter(|id| id.starts_with("GO-"))
        {
            out.insert(id.to_owned(), (state.clone(), reason.clone()));
        }
    }
    out
}

#[test]
fn determinations_equal_govulncheck_binary_mode() {
    let dir = binaries();
    for program in PROGRAMS {
        let unstripped = dir.join(program);
        let called = govulncheck(&unstripped.join("app"));
        let (_, report) = scan(&unstripped, &[]);
        let ours = determinations(&report);
        let present: BTreeSet<String> = ours
            .iter()
            .filter(|(_, (state, _))| state == "present")
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(present, called, "{program}: present vs govulncheck");
        assert!(
            ours.len() > present.len(),
            "{program}: some advisories are not present"
        );
        // govulncheck refuses stripped Go 1.18+ binaries; ours reads them the same.
        let (_, stripped) = scan(&dir.join(format!("{program}-stripped")), &[]);
        let stripped = determinations(&stripped);
        let states = |d: &BTreeMap<String, (String, String)>| -> BTreeMap<String, String> {
            d.iter()
                .map(|(id, (s, _))| (id.clone(), s.clone()))
                .collect()
        };
        assert_eq!(states(&stripped), states(&ours), "{program}: stripped");
    }
}

#[test]
fn the_fixture_image_is_decided_as_its_binary_is() {
    // debian-app's /usr/local/bin/htmlcount is built stripped from the same
    // source with the same toolchain as the oracle's htmlcount, whose
    // determinations equal govulncheck's (above).
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .arg("scan")
        .arg(crate::support::fixtures().join("debian-app.oci"))
        .args(["--db", crate::scan::corpus_db().to_str().unwrap()])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.code().unwrap() <= 1, "{}", stderr(&output));
    let image: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let in_image = determinations(&image);
    let (_, twin) = scan(&binaries().join("htmlcount-stripped"), &[]);
    let twin = determinations(&twin);
    let states = |d: &BTreeMap<String, (String, String)>| -> BTreeMap<String, String> {
        d.iter()
            .map(|(id, (s, _))| (id.clone(), s.clone()))
            .collect()
    };
    assert_eq!(states(&in_image), states(&twin));
    assert!(in_image.values().any(|(s, _)| s == "present"));
    assert!(in_image.values().any(|(s, _)| s == "not-present"));
}

#[test]
fn a_known_exploited_advisory_whose_code_is_not_linked_does_not_fail_the_gate() {
    // render uses golang.org/x/net/html only: CVE-2023-39325 (KEV, in x/net/http2) is not linked in.
    let folder = binaries().join("render");
    let (code, report) = scan(&folder, &[]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2023-39325" && f["package"]["name"] == "golang.org/x/net")
        .expect("CVE-2023-39325 reported");
    assert_eq!(finding["vulnerableCode"]["state"], "not-present");
    assert!(finding["vulnerableCode"]["lookedFor"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "golang.org/x/net/http2.serverConn.serve"));
    assert_eq!(code, 0, "{}", report["verdict"]);
    assert!(report["summary"]["notPresent"].as_u64().unwrap() > 0);
    // The setting turns the determination off for the built-in policies.
    let (code, report) = scan(&folder, &["--set", "go-symbols=ignore"]);
    assert_eq!((code, report["verdict"].as_str()), (1, Some("fail")));
}

#[test]
fn not_present_findings_are_suppressions_in_sarif_and_statements_in_vex() {
    let (db, _) = databases();
    let folder = binaries().join("render");
    let cache = tempfile::tempdir().unwrap();
    let render = |format: &str| -> serde_json::Value {
        let output = portcullis(cache.path())
            .arg("scan")
            .arg(&folder)
            .args(["--db", db.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        assert!(output.status.code().unwrap() <= 1, "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let sarif = render("sarif");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "CVE-2023-39325")
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert!(result["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .starts_with("vulnerable code not present"));
    let vex = render("cyclonedx-vex");
    let vulnerability = vex["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "CVE-2023-39325")
        .unwrap();
    assert_eq!(vulnerability["analysis"]["state"], "not_affected");
    assert_eq!(
        vulnerability["analysis"]["justification"],
        "code_not_present"
    );
    // OpenVEX: one not_affected statement per not-present finding, which
    // Portcullis's own --vex then takes as suppressions.
    let openvex = render("openvex");
    assert_eq!(openvex["@context"], "https://openvex.dev/ns/v0.2.0");
    let statements = openvex["statements"].as_array().unwrap();
    let (_, report) = scan(&folder, &[]);
    let not_present = report["summary"]["notPresent"].as_u64().unwrap();
    assert_eq!(statements.len() as u64, not_present);
    assert!(statements.iter().all(|s| s["status"] == "not_affected"
        && s["justification"] == "vulnerable_code_not_present"
        && s["products"][0]["@id"]
            .as_str()
            .unwrap()
            .starts_with("pkg:golang/")));
    let file = cache.path().join("render.openvex.json");
    std::fs::write(&file, serde_json::to_vec(&openvex).unwrap()).unwrap();
    let (_, again) = scan(&folder, &["--vex", file.to_str().unwrap()]);
    assert_eq!(again["summary"]["suppressed"].as_u64(), Some(not_present));
    assert_eq!(again["summary"]["notPresent"].as_u64(), None);
}
