//! `portcullis scan` against the shared vulnerability corpus: concrete
//! findings and non-findings on the fixture image and on hand-made inputs,
//! the JSON report read with our own types, and the exit codes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::support::image::{tar, Entry, Image, OS_RELEASE};
use crate::support::{fixtures, portcullis, shared, stderr};

/// One DB of the whole shared corpus, built once for this test binary.
pub(crate) fn corpus_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let db = dir.join("corpus.db");
        let vulndb = shared().join("vulndb");
        let mut command = portcullis(&dir);
        command.args(["db", "--db", db.to_str().unwrap(), "import"]);
        for entry in std::fs::read_dir(vulndb.join("osv")).unwrap() {
            command.arg(entry.unwrap().path().join("all.zip"));
        }
        command.arg(vulndb.join("kev/known_exploited_vulnerabilities.json"));
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        db
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    schema_version: u32,
    db: Db,
    findings: Vec<Finding>,
    verdict: String,
}

#[derive(Deserialize)]
struct Db {
    digest: String,
    built: String,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Finding {
    id: String,
    aliases: Vec<String>,
    package: PackageRef,
    severity: String,
    fixed_versions: Vec<String>,
    kev: Option<serde_json::Value>,
    risk_score: u8,
    introduced_by: IntroducedBy,
    explanation: Explanation,
}

#[derive(Deserialize, Debug)]
struct PackageRef {
    name: String,
    version: String,
    ecosystem: Option<String>,
}

#[derive(Deserialize, Debug)]
struct IntroducedBy {
    layer: Option<String>,
    instruction: Option<String>,
}

#[derive(Deserialize, Debug)]
struct Explanation {
    advisory: String,
    range: String,
    comparator: String,
}

/// Runs `scan --format json` and returns (exit code, report, stderr).
fn scan(target: &str, extra: &[&str]) -> (i32, Report, String) {
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .args([
            "scan",
            target,
            "--format",
            "json",
            "--db",
            corpus_db().to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", stderr(&output)));
    (output.status.code().unwrap_or(-1), report, stderr(&output))
}

fn has(report: &Report, name: &str, version: &str, id: &str) -> bool {
    report.findings.iter().any(|f| {
        f.package.name == name
            && f.package.version == version
            && (f.id == id || f.aliases.iter().any(|a| a == id))
    })
}

#[test]
fn debian_app_findings_come_from_the_real_corpus() {
    // The default gate fails on the critical smallvec finding; matching is what this test reads.
    let (code, report, err) = scan(fixtures().join("debian-app.oci").to_str().unwrap(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(report.schema_version, 1);
    assert_eq!(report.verdict, "fail");
    assert!(report.db.digest.starts_with("sha256:") && !report.db.built.is_empty());
    let expected = [
        ("PyYAML", "5.3", "CVE-2020-14343"),
        ("PyYAML", "5.3", "PYSEC-2020-96"),
        ("urllib3", "1.23", "CVE-2019-11324"),
        ("urllib3", "1.24.1", "CVE-2019-11324"),
        ("requests", "2.19.1", "CVE-2018-18074"),
        ("lodash", "4.17.15", "x_NSWG-ECO-516"),
        ("regex", "1.5.4", "RUSTSEC-2022-0013"),
        ("smallvec", "1.6.0", "RUSTSEC-2021-0003"),
        ("golang.org/x/net", "v0.7.0", "CVE-2023-39325"),
    ];
    for (name, version, id) in expected {
        assert!(
            has(&report, name, version, id),
            "missing {id} for {name} {version}"
        );
    }
    // A finding per vulnerability: aliases fold, so no id shows twice for one package.
    let mut seen = BTreeSet::new();
    for finding in &report.findings {
        for id in std::iter::once(&finding.id).chain(&finding.aliases) {
            assert!(
                seen.insert((
                    finding.package.name.clone(),
                    finding.package.version.clone(),
                    id.clone()
                )),
                "{id} twice for {}",
                finding.package.name
            );
        }
    }
    let yaml = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2020-1747")
        .unwrap();
    assert_eq!(yaml.explanation.advisory, "PYSEC-2020-96");
    assert_eq!(yaml.explanation.range, "introduced 5.1, fixed 5.3.1");
    assert_eq!(yaml.explanation.comparator, "pep440");
    assert_eq!(yaml.fixed_versions, ["5.3.1"]);
    assert!(yaml
        .introduced_by
        .layer
        .as_deref()
        .is_some_and(|l| l.starts_with("sha256:")));
    assert!(
        yaml.introduced_by
            .instruction
            .as_deref()
            .is_some_and(|i| i.contains("/app")),
        "{yaml:?}"
    );
    let smallvec = report
        .findings
        .iter()
        .find(|f| f.package.name == "smallvec")
        .unwrap();
    assert_eq!(
        (
            smallvec.severity.as_str(),
            smallvec.explanation.comparator.as_str()
        ),
        ("critical", "semver")
    );
    let kev = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2023-39325")
        .unwrap();
    assert!(kev.kev.is_some() && kev.risk_score >= 50, "{kev:?}");
    // Debian 12's glibc in the fixture is newer than every fix in the corpus.
    assert!(!report
        .findings
        .iter()
        .any(|f| f.package.ecosystem.as_deref() == Some("Debian:12")));
    // Fixed or not affected versions stay silent.
    assert!(!report
        .findings
        .iter()
        .any(|f| f.package.name == "lodash" && f.package.version == "4.17.21"));
    assert!(
        !report.findings.iter().any(|f| f.package.name == "marked"),
        "marked 0.3.6 is past every range"
    );
}

fn debian_image(dir: &Path, glibc_version: &str, release: &str) {
    debian_package_image(dir, "libc6", "glibc", glibc_version, release);
}

fn debian_package_image(dir: &Path, package: &str, source: &str, version: &str, release: &str) {
    let status = format!(
        "Package: {package}\nStatus: install ok installed\nArchitecture: amd64\nSource: {source}\nVersion: {version}\n"
    );
    let os_release = OS_RELEASE.replace("VERSION_ID=\"12\"", &format!("VERSION_ID=\"{release}\""));
    Image::new(vec![tar(&[
        Entry::File("etc/os-release", os_release.as_bytes()),
        Entry::File("var/lib/dpkg/status", status.as_bytes()),
    ])])
    .write_oci_dir(dir);
}

#[test]
fn debian_source_packages_match_by_release_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    // 2.36-9+deb12u1 predates the Looney Tunables fix (2.36-9+deb12u3).
    debian_image(dir.path(), "2.36-9+deb12u1", "12");
    let (_, report, err) = scan(dir.path().to_str().unwrap(), &[]);
    let looney = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2023-4911")
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(looney.package.name, "libc6");
    assert_eq!(looney.explanation.comparator, "dpkg");
    assert!(
        looney.explanation.range.contains("fixed 2.36-9+deb12u3"),
        "{looney:?}"
    );
    assert!(looney.kev.is_some(), "CVE-2023-4911 is in CISA KEV");
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.id.starts_with("DSA-") || f.id.starts_with("DLA-")),
        "Debian 11 advisories leaked into a Debian 12 image"
    );

    // The fixed version itself is not affected.
    let fixed = tempfile::tempdir().unwrap();
    debian_image(fixed.path(), "2.36-9+deb12u3", "12");
    let (_, report, _) = scan(fixed.path().to_str().unwrap(), &[]);
    assert!(!has(&report, "libc6", "2.36-9+deb12u3", "CVE-2023-4911"));
    assert!(
        has(&report, "libc6", "2.36-9+deb12u3", "CVE-2023-6246"),
        "a later fix still applies"
    );
    assert!(
        !has(&report, "libc6", "2.36-9+deb12u3", "CVE-2023-5156"),
        "an earlier fix matched"
    );

    // Debian 11's advisories (DSA/DLA) apply to a Debian 11 image only.
    let bullseye = tempfile::tempdir().unwrap();
    debian_package_image(
        bullseye.path(),
        "libssl1.1",
        "openssl",
        "1.1.1k-1+deb11u1",
        "11",
    );
    let (_, report, _) = scan(bullseye.path().to_str().unwrap(), &[]);
    assert!(
        has(&report, "libssl1.1", "1.1.1k-1+deb11u1", "DSA-5103-1"),
        "{:?}",
        report.findings
    );
    assert!(
        !has(&report, "libssl1.1", "1.1.1k-1+deb11u1", "DSA-4963-1"),
        "the installed version is that fix"
    );
    assert!(
        !report.findings.iter().any(|f| f.id.starts_with("x_DEBIAN")),
        "Debian 12 records leaked into Debian 11"
    );
}

#[test]
fn withdrawn_records_and_versions_at_the_fix_are_not_findings() {
    let dir = tempfile::tempdir().unwrap();
    // RUSTSEC-2020-0053 (dirs, unmaintained) was withdrawn; PyYAML 5.4 is the fix of CVE-2020-14343.
    std::fs::write(
        dir.path().join("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"dirs\"\nversion = \"3.0.2\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "PyYAML==5.4\nurllib3==1.26.5\n",
    )
    .unwrap();
    let (code, report, err) = scan(&format!("dir:{}", dir.path().display()), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !has(&report, "dirs", "3.0.2", "RUSTSEC-2020-0053"),
        "a withdrawn record matched"
    );
    assert!(
        !has(&report, "PyYAML", "5.4", "CVE-2020-14343"),
        "the fixed version matched"
    );
    assert!(
        !has(&report, "urllib3", "1.26.5", "CVE-2021-33503"),
        "the fixed version matched"
    );
    assert!(
        has(&report, "urllib3", "1.26.5", "CVE-2023-43804"),
        "a later advisory still applies"
    );
}

#[test]
fn fail_on_severity_exits_one_and_names_the_findings() {
    let target = fixtures().join("debian-app.oci");
    let (code, report, _) = scan(target.to_str().unwrap(), &["--fail-on", "critical"]);
    assert_eq!((code, report.verdict.as_str()), (1, "fail"));
    let (code, report, _) = scan(target.to_str().unwrap(), &["--fail-on", "high"]);
    assert_eq!((code, report.verdict.as_str()), (1, "fail"));
    let cache = tempfile::tempdir().unwrap();
    let clean = portcullis(cache.path())
        .args([
            "scan",
            fixtures().join("debian-slim.oci").to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
            "--fail-on",
            "low",
        ])
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
}

#[test]
fn partial_analysis_refuses_to_pass_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package-lock.json"), "{ broken").unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "PyYAML==5.3\n").unwrap();
    let target = format!("dir:{}", dir.path().display());
    let (code, report, err) = scan(&target, &[]);
    assert_eq!((code, report.verdict.as_str()), (3, "error"), "{err}");
    assert!(err.contains("skipped `/package-lock.json`"), "{err}");
    // With the partial analysis allowed, the verdict is the gate's own:
    // PyYAML's advisory carries no severity in the corpus, so the default
    // `unknown = warn` rule warns; what matters is that it is not `error`.
    let (code, report, err) = scan(&target, &["--allow-partial"]);
    assert_eq!((code, report.verdict.as_str()), (0, "warn"), "{err}");
    assert!(has(&report, "PyYAML", "5.3", "CVE-2020-14343"));
}

#[test]
fn stale_or_missing_db_stops_the_scan_with_exit_three() {
    let cache = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-slim.oci");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let stale = portcullis(cache.path())
        .args([
            "scan",
            target.to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
            "--db-max-age",
            "1s",
        ])
        .output()
        .unwrap();
    assert_eq!(stale.status.code(), Some(3), "{}", stderr(&stale));
    assert!(
        stderr(&stale).contains("raise `--db-max-age`"),
        "{}",
        stderr(&stale)
    );
    let old = portcullis(cache.path())
        .args([
            "scan",
            target.to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
            "--db-warn-age",
            "1s",
        ])
        .output()
        .unwrap();
    assert_eq!(old.status.code(), Some(0));
    // The table on stdout says it, once; stderr does not repeat it.
    let table = String::from_utf8_lossy(&old.stdout);
    assert!(table.contains("run `portcullis db update`"), "{table}");
    assert!(
        !stderr(&old).contains("run `portcullis db update`"),
        "{}",
        stderr(&old)
    );
    let missing = portcullis(cache.path())
        .args([
            "scan",
            target.to_str().unwrap(),
            "--db",
            cache.path().join("none.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(3));
    assert!(
        stderr(&missing).contains("hint: run `portcullis db update`"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn outputs_are_written_beside_the_table() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("report.json");
    let bom = out.path().join("bom.json");
    let output = portcullis(cache.path())
        .args([
            "scan",
            fixtures().join("debian-app.oci").to_str().unwrap(),
            "--db",
            corpus_db().to_str().unwrap(),
        ])
        .args([
            "--output",
            &format!("json={}", json.display()),
            "--output",
            &format!("cyclonedx={}", bom.display()),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("CRITICAL (1)")
            && table.contains("smallvec")
            && table.contains("verdict: fail"),
        "{table}"
    );
    assert!(!table.contains('\u{1b}'), "colour on a pipe");
    let report: Report = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(report.findings.len() > 100);
    let bom: serde_json::Value = serde_json::from_slice(&std::fs::read(&bom).unwrap()).unwrap();
    assert_eq!(bom["specVersion"], "1.6");
}

/// The crates.io findings on the fixture's Cargo.lock equal an independent
/// reading of the same RustSec OSV data (`tests/crosscheck/rustsec.py`,
/// Python with the PyPI `semver` package). `cargo audit` itself cannot run
/// here: it reads RustSec's git repository, which is not reachable offline.
#[test]
fn crates_findings_equal_an_independent_reading_of_rustsec() {
    let lock = shared().join("fixtures/image-src/rust-svc/Cargo.lock");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/crosscheck/rustsec.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(shared().join("vulndb/osv/crates.io/all.zip"))
        .arg(&lock)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(expected.len() >= 5, "{expected:?}");
    let (_, report, _) = scan(&format!("dir:{}", lock.parent().unwrap().display()), &[]);
    let found: BTreeSet<String> = report
        .findings
        .iter()
        .filter(|f| f.package.ecosystem.as_deref() == Some("crates.io"))
        .map(|f| {
            let rustsec = std::iter::once(&f.id)
                .chain(&f.aliases)
                .find(|id| id.starts_with("RUSTSEC-"))
                .cloned()
                .unwrap_or_default();
            format!("{} {} {rustsec}", f.package.name, f.package.version)
        })
        .collect();
    assert_eq!(found, expected);
}
