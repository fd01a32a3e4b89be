//! Severity from CVE records (CNA, then CISA ADP) after the OSV records' own,
//! and CISA's SSVC exploitation as known exploitation, checked against an
//! independent reading of the shared `cve/vulnrichment.zip`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::scan::corpus_db;
use crate::support::{fixtures, portcullis, shared, stderr};

fn vulnrichment() -> PathBuf {
    shared().join("vulndb/cve/vulnrichment.zip")
}

/// A DB of `inputs` (paths below the shared `vulndb/`), built once per set.
fn db_of(inputs: &[&str]) -> PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let db = dir.join("scoring.db");
    let mut command = portcullis(&dir);
    command.args(["db", "--db", db.to_str().unwrap(), "import"]);
    for input in inputs {
        command.arg(shared().join("vulndb").join(input));
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    db
}

/// The shared OSV corpus, KEV and the CVE records.
fn cve_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let mut inputs: Vec<String> = std::fs::read_dir(shared().join("vulndb/osv"))
            .unwrap()
            .map(|e| format!("osv/{}/all.zip", e.unwrap().file_name().to_string_lossy()))
            .collect();
        inputs.push("kev/known_exploited_vulnerabilities.json".to_owned());
        inputs.push("cve/vulnrichment.zip".to_owned());
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        db_of(&inputs)
    })
}

fn scan_json(db: &Path, extra: &[&str]) -> (i32, Value) {
    let cache = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci");
    let output = portcullis(cache.path())
        .args(["scan", target.to_str().unwrap(), "--format", "json"])
        .args(["--db", db.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", stderr(&output)));
    (output.status.code().unwrap_or(-1), report)
}

/// Per CVE of the zip: the CNA's and CISA ADP's CVSS vector strings, read
/// here with serde_json alone; rejected records are left out.
fn metrics_of_the_zip() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(vulnrichment()).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    let vectors = |container: &Value| -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for metric in container["metrics"].as_array().into_iter().flatten() {
            for key in ["cvssV3_1", "cvssV3_0", "cvssV4_0", "cvssV2_0"] {
                if let Some(vector) = metric[key]["vectorString"].as_str() {
                    found.insert(vector.trim().to_owned());
                }
            }
        }
        found
    };
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        if !entry.name().ends_with(".json") {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let record: Value = serde_json::from_str(&text).unwrap();
        if record["cveMetadata"]["state"] == "REJECTED" {
            continue;
        }
        let cna = vectors(&record["containers"]["cna"]);
        let mut adp = BTreeSet::new();
        for container in record["containers"]["adp"].as_array().into_iter().flatten() {
            if container["providerMetadata"]["shortName"] == "CISA-ADP" {
                adp.extend(vectors(container));
            }
        }
        let id = record["cveMetadata"]["cveId"].as_str().unwrap().to_owned();
        out.insert(id, (cna, adp));
    }
    out
}

fn band(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "unknown",
    }
}

/// A finding's key: id and package.
fn key(finding: &Value) -> (String, String, String) {
    (
        finding["id"].as_str().unwrap().to_owned(),
        finding["package"]["name"].as_str().unwrap().to_owned(),
        finding["package"]["version"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn cve_records_rate_what_the_osv_records_leave_unrated() {
    let zip = metrics_of_the_zip();
    let (_, without) = scan_json(corpus_db(), &["--fail-on", "none"]);
    let (_, with) = scan_json(cve_db(), &["--fail-on", "none"]);
    let before: BTreeMap<_, _> = without["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (key(f), f.clone()))
        .collect();
    let findings = with["findings"].as_array().unwrap();
    assert_eq!(findings.len(), before.len(), "CVE records add no findings");
    let mut by_source: BTreeMap<String, usize> = BTreeMap::new();
    for finding in findings {
        let source = finding["severitySource"].as_str().unwrap();
        *by_source.entry(source.to_owned()).or_default() += 1;
        let old = &before[&key(finding)];
        let label = format!("{} in {}", finding["id"], finding["package"]["name"]);
        // The finding's own CVEs (not related ones) and what the zip holds of them.
        let own: Vec<&str> = std::iter::once(&finding["id"])
            .chain(finding["aliases"].as_array().unwrap())
            .filter_map(Value::as_str)
            .filter(|id| id.starts_with("CVE-"))
            .collect();
        let cna: BTreeSet<&String> = own
            .iter()
            .filter_map(|id| zip.get(*id))
            .flat_map(|m| &m.0)
            .collect();
        let adp: BTreeSet<&String> = own
            .iter()
            .filter_map(|id| zip.get(*id))
            .flat_map(|m| &m.1)
            .collect();
        let vector = finding["severityVector"].as_str().map(str::to_owned);
        let score_of = |vector: &str| {
            finding["cvss"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["vector"] == vector)
                .and_then(|c| c["score"].as_f64())
                .unwrap_or_else(|| panic!("{label}: {vector} is not among its vectors"))
        };
        match old["severitySource"].as_str().unwrap() {
            // The OSV records' own rating stays, whatever the CVE record says.
            "vendor" | "cvss" => {
                assert_eq!(finding["severity"], old["severity"], "{label}");
                assert_eq!(finding["severitySource"], old["severitySource"], "{label}");
            }
            _ if !cna.is_empty() => {
                assert_eq!(source, "cve-cna", "{label}");
                let vector = vector.unwrap();
                assert!(cna.contains(&vector), "{label}: {vector} is not the CNA's");
                assert_eq!(finding["severity"], band(score_of(&vector)), "{label}");
            }
            _ if !adp.is_empty() => {
                assert_eq!(source, "cisa-adp", "{label}");
                let vector = vector.unwrap();
                assert!(adp.contains(&vector), "{label}: {vector} is not CISA ADP's");
                assert_eq!(finding["severity"], band(score_of(&vector)), "{label}");
            }
            _ => {
                assert_eq!(
                    (source, finding["severity"].as_str()),
                    ("none", Some("unknown")),
                    "{label}"
                );
            }
        }
    }
    // debian-app: 13 findings rated by their OSV records, 13 more by CISA ADP.
    assert!(
        by_source.get("cisa-adp").copied().unwrap_or(0) >= 10,
        "{by_source:?}"
    );
    assert!(
        by_source.get("cvss").copied().unwrap_or(0) >= 10,
        "{by_source:?}"
    );
}

/// CVE-2023-39325 in golang.org/x/net, as a report has it.
fn x_net_rapid_reset(report: &Value) -> &Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2023-39325" && f["package"]["name"] == "golang.org/x/net")
        .unwrap()
}

#[test]
fn active_exploitation_in_ssvc_counts_as_known_exploitation() {
    // CVE-2023-39325 (Go's HTTP/2 rapid reset) is related to CVE-2023-44487,
    // which CISA KEV lists and whose ADP SSVC says `Exploitation: active`,
    // `Automatable: yes`. With the CVE records and no KEV, SSVC alone makes
    // the finding known-exploited.
    let db = db_of(&["osv/Go/all.zip", "cve/vulnrichment.zip"]);
    // Its vulnerable code (x/net/http2) is not linked into debian-app's Go
    // binary: counted only with the symbol determination off.
    let known_exploited = [
        "--policy",
        "builtin:known-exploited",
        "--set",
        "go-symbols=ignore",
    ];
    let (code, report) = scan_json(&db, &known_exploited);
    assert_eq!(code, 1, "{:#}", report["policies"]);
    let finding = x_net_rapid_reset(&report);
    assert_eq!(finding["kev"], Value::Null);
    assert_eq!(finding["knownExploited"], true);
    assert_eq!(finding["ssvc"]["cve"], "CVE-2023-44487");
    assert_eq!(finding["ssvc"]["exploitation"], "active");
    // Known exploitation (+25) and automatable (+5), as the README's formula says.
    assert_eq!(finding["riskTerms"]["exploit"], 30.0);
    let violations = report["policies"][0]["violations"].to_string();
    assert!(violations.contains("CVE-2023-39325"), "{violations}");
    // The default gate fails on it too (its `kev` rule), whatever its severity.
    let (code, report) = scan_json(
        &db,
        &[
            "--set",
            "kev=fail",
            "--set",
            "go-symbols=ignore",
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(code, 1, "{:#}", report["policies"]);

    // A KEV listing alone gives the same +25.
    let kev_only = db_of(&["osv/Go/all.zip", "kev/known_exploited_vulnerabilities.json"]);
    let (_, report) = scan_json(&kev_only, &["--fail-on", "none"]);
    let finding = x_net_rapid_reset(&report);
    assert_eq!(
        (
            finding["knownExploited"].as_bool(),
            finding["riskTerms"]["exploit"].as_f64()
        ),
        (Some(true), Some(25.0))
    );
}

#[test]
fn each_source_rates_in_its_order() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects/cve-rated");
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .args([
            "scan",
            &format!("dir:{}", project.display()),
            "--format",
            "json",
        ])
        .args(["--db", cve_db().to_str().unwrap(), "--fail-on", "none"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", stderr(&output)));
    let rated = |id: &str| -> (String, String, String) {
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {:#}", report["findings"]));
        (
            finding["severity"].as_str().unwrap().to_owned(),
            finding["severitySource"].as_str().unwrap().to_owned(),
            finding["severityVector"].as_str().unwrap_or("-").to_owned(),
        )
    };
    let triple = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    // Only the CNA rates it.
    assert_eq!(
        rated("CVE-2023-37276"),
        triple(
            "medium",
            "cve-cna",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N"
        )
    );
    assert_eq!(rated("CVE-2022-30284").0, "critical");
    // The OSV record's own vector (7.5) comes before the CNA's (5.3).
    assert_eq!(
        rated("CVE-2023-47627"),
        triple(
            "high",
            "cvss",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
        )
    );
    // The CNA's v4.0 vector comes before CISA ADP's v3.1 one (which scores 0).
    assert_eq!(
        rated("CVE-2024-47609"),
        triple(
            "medium",
            "cve-cna",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N/U:Green"
        )
    );
}
