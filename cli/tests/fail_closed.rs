//! Never a silent pass: what the gate could not read or evaluate stops it,
//! nothing from outside the input is read or echoed, a misspelt setting is
//! refused before anything is read, and known exploitation fails by default.

use crate::support::image::{base_layer, Image};
use crate::support::{fixtures, portcullis, stderr};

/// A canary planted outside every input: no output may ever contain it.
const CANARY: &str = "PORTCULLIS-CANARY-7f3a9c";

/// Runs `scan` on `target` with the canary in the environment; returns
/// (exit code, stdout, stderr) after checking neither holds the canary.
fn scan(target: &str, extra: &[&str]) -> (i32, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .env("PORTCULLIS_TEST_SECRET", CANARY)
        .args([
            "scan",
            target,
            "--db",
            crate::scan::corpus_db().to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr(&output),
    );
    assert!(
        !out.contains(CANARY) && !err.contains(CANARY),
        "the canary leaked: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    (output.status.code().unwrap_or(-1), out, err)
}

fn one_error_line(err: &str) {
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{err}"
    );
}

#[test]
fn a_layer_blob_linked_out_of_the_layout_is_refused_and_never_echoed() {
    let outside = tempfile::tempdir().unwrap();
    let canary = outside.path().join("environ");
    std::fs::write(&canary, format!("root:x:0:0:{CANARY}\n")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    Image::new(vec![base_layer()]).write_oci_dir(dir.path());
    for entry in std::fs::read_dir(dir.path().join("blobs/sha256")).unwrap() {
        let path = entry.unwrap().path();
        if std::fs::read(&path).unwrap().starts_with(&[0x1f, 0x8b]) {
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(&canary, &path).unwrap();
        }
    }
    let (code, _, err) = scan(dir.path().to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    one_error_line(&err);
    assert!(err.contains("resolves outside it"), "{err}");
}

#[test]
fn a_layer_of_an_unknown_media_type_is_refused_with_the_supported_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut image = Image::new(vec![base_layer()]);
    image.layer_media_type = Some("application/vnd.example.layer.v1+squashfs");
    image.write_oci_dir(dir.path());
    let (code, _, err) = scan(dir.path().to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    one_error_line(&err);
    assert!(
        err.contains("vnd.example.layer.v1+squashfs")
            && err.contains("application/vnd.oci.image.layer.v1.tar"),
        "{err}"
    );
}

/// A layer whose one member has tar type `kind` (after a normal file).
fn layer_with_member_type(kind: u8) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_path("etc/os-release").unwrap();
    header.set_size(0);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append(&header, &[][..]).unwrap();
    let mut odd = tar::Header::new_gnu();
    odd.set_path("var/lib/dpkg/status").unwrap();
    odd.set_entry_type(tar::EntryType::new(kind));
    odd.set_size(0);
    odd.set_mode(0o644);
    // A well-formed (empty) sparse map, so the tar reader takes the member.
    odd.as_gnu_mut()
        .unwrap()
        .realsize
        .copy_from_slice(b"00000000000\0");
    odd.set_cksum();
    builder.append(&odd, &[][..]).unwrap();
    builder.into_inner().unwrap()
}

#[test]
fn sparse_and_unknown_tar_members_are_refused_not_skipped() {
    for (kind, says) in [
        (b'S', "GNU sparse"),
        (b'Z', "entry type portcullis does not know"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        Image::new(vec![layer_with_member_type(kind)]).write_oci_dir(dir.path());
        let (code, _, err) = scan(dir.path().to_str().unwrap(), &["--no-cache"]);
        assert_eq!(code, 2, "{err}");
        one_error_line(&err);
        assert!(
            err.contains(says) && err.contains("var/lib/dpkg/status"),
            "{err}"
        );
    }
}

#[test]
fn misspelt_settings_are_refused_before_anything_is_read() {
    // The target and DB do not exist: the settings are checked first.
    let missing = "/nonexistent/image.tar";
    for (set, says) in [
        ("fail-on=hihg", "one of critical, high, medium, low, none"),
        ("max-hgh=0", "`builtin:severity-gate` takes fail-on"),
        ("max-high=many", "it takes an integer"),
    ] {
        let (code, _, err) = scan(missing, &["--set", set]);
        assert_eq!(code, 2, "{set}: {err}");
        one_error_line(&err);
        assert!(err.contains(says), "{set}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portcullis.toml");
    std::fs::write(
        &config,
        "[[policy]]\nmodule = \"builtin:severity-gate\"\nsettings = { fail-on = \"hihg\" }\n",
    )
    .unwrap();
    let (code, _, err) = scan(missing, &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`fail-on` = \"hihg\" is refused by `builtin:severity-gate`"),
        "{err}"
    );
}

fn gate_violations(out: &str) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(out).unwrap();
    report["policies"][0]["violations"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn known_exploitation_fails_the_default_gate_whatever_the_severity() {
    let app = fixtures().join("debian-app.oci");
    let app = app.to_str().unwrap();
    // CVE-2023-39325 has no severity in its records; CISA KEV lists its
    // cluster through CVE-2023-44487. Critical findings are let through here.
    // Its vulnerable code (x/net/http2) is not linked into the image's Go
    // binary, so only with the symbol determination off does it count.
    let (code, out, err) = scan(
        app,
        &[
            "--set",
            "go-symbols=ignore",
            "--set",
            "max-critical=100",
            "--fail-on",
            "none",
            "--set",
            "kev=fail",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let kev = gate_violations(&out)
        .into_iter()
        .find(|v| v["rule"] == "known-exploited")
        .unwrap();
    assert!(
        kev["findings"].to_string().contains("CVE-2023-39325"),
        "{kev}"
    );
    // By default (fail-on critical) it is there too, and fails.
    let (_, out, _) = scan(app, &["--set", "go-symbols=ignore", "--format", "json"]);
    assert!(gate_violations(&out)
        .iter()
        .any(|v| v["rule"] == "known-exploited" && !v["findings"].as_array().unwrap().is_empty()));
    // With it on (the default), the finding is reported but not counted.
    let (_, out, _) = scan(app, &["--fail-on", "none", "--format", "json"]);
    assert!(!gate_violations(&out)
        .iter()
        .any(|v| v["findings"].to_string().contains("CVE-2023-39325")));
    // `kev = warn` turns it into a warning that names the ids.
    let (code, out, err) = scan(
        app,
        &[
            "--fail-on",
            "none",
            "--set",
            "kev=warn",
            "--set",
            "go-symbols=ignore",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let kev = gate_violations(&out)
        .into_iter()
        .find(|v| v["rule"] == "known-exploited")
        .unwrap();
    assert!(
        kev["message"].as_str().unwrap().contains("CVE-2023-39325"),
        "{kev}"
    );
}

/// A DB of one hand-made OSV record and a project pinning `requests==2.19.1`.
struct OneRecord {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    cache: std::path::PathBuf,
    project: std::path::PathBuf,
}

impl OneRecord {
    fn new(id: &str, json: &str) -> OneRecord {
        let dir = tempfile::tempdir().unwrap();
        let osv = dir.path().join("osv");
        std::fs::create_dir(&osv).unwrap();
        std::fs::write(osv.join(format!("{id}.json")), json).unwrap();
        let db = dir.path().join("db");
        let cache = dir.path().join("cache");
        let imported = portcullis(&cache)
            .args(["db", "--db", db.to_str().unwrap(), "import"])
            .arg(&osv)
            .output()
            .unwrap();
        assert!(imported.status.success(), "{}", stderr(&imported));
        let project = dir.path().join("project");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(project.join("requirements.txt"), "requests==2.19.1\n").unwrap();
        OneRecord {
            _dir: dir,
            db,
            cache,
            project,
        }
    }

    /// `scan --format json` of the project: (exit code, stdout, stderr).
    fn scan(&self, extra: &[&str]) -> (Option<i32>, String, String) {
        let output = portcullis(&self.cache)
            .arg("scan")
            .arg(&self.project)
            .args(["--db", self.db.to_str().unwrap(), "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr(&output),
        )
    }
}

#[test]
fn an_advisory_range_that_cannot_be_evaluated_is_named_and_stops_the_gate() {
    let target = OneRecord::new(
        "TEST-RANGE-1",
        r#"{"id":"TEST-RANGE-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.x-not-pep440"}]}]}]}"#,
    );
    let run = |extra: &[&str]| target.scan(extra);
    let (code, out, err) = run(&[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        out.contains("TEST-RANGE-1: a range could not be evaluated") && out.contains("requests"),
        "{out}"
    );
    // Allowed, the report still names it.
    let (code, out, err) = run(&["--allow-partial"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("TEST-RANGE-1: a range could not be evaluated"),
        "{out}"
    );
}

#[test]
fn findings_of_unknown_severity_warn_by_default_and_fail_when_asked() {
    // A record with no severity anywhere, as most Debian, Go and PyPI records are.
    let target = OneRecord::new(
        "TEST-UNRANKED-1",
        r#"{"id":"TEST-UNRANKED-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.20.0"}]}]}]}"#,
    );
    let run = |extra: &[&str]| {
        let (code, out, _) = target.scan(extra);
        let report: serde_json::Value =
            serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
        (code, report)
    };
    let (code, report) = run(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(report["verdict"], "warn", "{report}");
    let violations = report["policies"][0]["violations"].to_string();
    assert!(
        violations.contains("1 findings have no known severity")
            && violations.contains("TEST-UNRANKED-1"),
        "{violations}"
    );
    let (code, report) = run(&["--set", "unknown=fail"]);
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["verdict"], "fail");
    let (code, report) = run(&["--set", "unknown=ignore"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["verdict"], "pass", "{report}");
    let (code, _) = run(&["--set", "unknown=maybe"]);
    assert_eq!(code, Some(2), "a misspelt mode is refused");
}
