//! The CI report formats of a real scan, checked by their reference
//! validators where one exists: SARIF by Microsoft's SARIF multitool with
//! GitHub's rules, CycloneDX VEX by the CycloneDX library's strict 1.6
//! validator, ASFF by botocore's model of Security Hub's BatchImportFindings,
//! JUnit by junitparser; then what each says, read with our own eyes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::scan::corpus_db;
use crate::support::{fixtures, portcullis, stderr};

/// Microsoft's SARIF multitool, installed from npm by tests/run.sh.
fn multitool() -> PathBuf {
    let path = std::env::var_os("PORTCULLIS_SARIF_MULTITOOL").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(
                "../target/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool",
            )
        },
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "{} is missing: `npm install --prefix target/tools @microsoft/sarif-multitool` (tests/run.sh does)",
        path.display()
    );
    path
}

/// Errors the multitool finds with GitHub's rules (and the SARIF rules).
pub(crate) fn sarif_errors(file: &Path) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("validation.sarif");
    let output = Command::new(multitool())
        .args([
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
            "-o",
        ])
        .arg(&log)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        log.is_file(),
        "the multitool wrote no log: {}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&log).unwrap()).unwrap();
    log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["level"] == "error")
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect()
}

fn python(script: &str, args: &[&Path]) -> (bool, String) {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        ),
    )
}

/// Scans `target` with the corpus DB, writing each of `formats` to `dir`.
fn scan_to(dir: &Path, target: &str, formats: &[&str], extra: &[&str]) -> i32 {
    let cache = tempfile::tempdir().unwrap();
    let mut command = portcullis(cache.path());
    command.args([
        "scan",
        target,
        "--db",
        corpus_db().to_str().unwrap(),
        "--format",
        "json",
    ]);
    for format in formats {
        command.args([
            "--output",
            &format!("{format}={}", dir.join(format).display()),
        ]);
    }
    let output = command.args(extra).current_dir(dir).output().unwrap();
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "scan failed: {}", stderr(&output));
    code
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn debian_app_reports_pass_their_reference_validators() {
    let out = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci.tar");
    let formats = [
        "sarif",
        "junit",
        "cyclonedx-vex",
        "asff",
        "markdown",
        "teamcity",
    ];
    assert_eq!(
        scan_to(out.path(), target.to_str().unwrap(), &formats, &[]),
        1
    );
    let sarif = out.path().join("sarif");
    assert_eq!(sarif_errors(&sarif), Vec::<String>::new());
    // The validator is not a rubber stamp: a result without locations fails it.
    let mut broken = read_json(&sarif);
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("locations");
    let broken_path = out.path().join("broken.sarif");
    std::fs::write(&broken_path, serde_json::to_vec(&broken).unwrap()).unwrap();
    assert!(!sarif_errors(&broken_path).is_empty());

    let (ok, said) = python(
        "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\nerrors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\nprint(errors or '')\nsys.exit(1 if errors else 0)\n",
        &[&out.path().join("cyclonedx-vex")],
    );
    assert!(ok, "CycloneDX VEX: {said}");
    let (ok, said) = python(
        "import sys, json, botocore.session\nfrom botocore.validate import ParamValidator\nop = botocore.session.get_session().get_service_model('securityhub').operation_model('BatchImportFindings')\nreport = ParamValidator().validate(json.load(open(sys.argv[1])), op.input_shape)\nprint(report.generate_report())\nsys.exit(1 if report.has_errors() else 0)\n",
        &[&out.path().join("asff")],
    );
    assert!(ok, "ASFF: {said}");
    let (ok, said) = python(
        "import sys\nfrom junitparser import JUnitXml, Failure\nxml = JUnitXml.fromfile(sys.argv[1])\nfailed = [case.name for suite in xml for case in suite if any(isinstance(r, Failure) for r in case.result)]\nprint(sum(1 for suite in xml for case in suite), failed)\n",
        &[&out.path().join("junit")],
    );
    assert!(ok, "JUnit: {said}");
    assert!(
        said.contains("CVE-2021-25900 in smallvec 1.6.0") && said.contains("builtin:severity-gate"),
        "the critical finding and the failing policy are the failures: {said}"
    );
    let vex = read_json(&out.path().join("cyclonedx-vex"));
    let smallvec = vex["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "CVE-2021-25900")
        .expect("smallvec's CVE in the VEX");
    let affected = smallvec["affects"][0]["ref"].as_str().unwrap();
    assert!(
        vex["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["bom-ref"] == affected && c["name"] == "smallvec"),
        "affects points at the component"
    );
    let asff = read_json(&out.path().join("asff"));
    let critical = asff["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["Severity"]["Label"] == "CRITICAL")
        .expect("a critical ASFF finding");
    assert_eq!(critical["Vulnerabilities"][0]["Id"], "CVE-2021-25900");
    assert_eq!(
        critical["Vulnerabilities"][0]["VulnerablePackages"][0]["FilePath"],
        "/app/rust-svc/Cargo.lock"
    );
    let markdown = std::fs::read_to_string(out.path().join("markdown")).unwrap();
    assert!(markdown
        .starts_with("<!-- portcullis-summary: portcullis/debian-app.oci.tar/linux-amd64/ -->"));
    assert!(
        markdown.contains("Portcullis failed") && markdown.contains("| 1 | 5 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("smallvec | 1.6.0 | 1.6.1 |"),
        "{markdown}"
    );
}

#[test]
fn sarif_results_are_located_fingerprinted_and_ranked() {
    let out = tempfile::tempdir().unwrap();
    let dockerfile = out.path().join("Dockerfile");
    // Relative to the working directory, as a repository path. The fixture's history, as a Dockerfile would have written it.
    std::fs::write(
        &dockerfile,
        "FROM scratch\nADD rootfs.tar /\nRUN apt-get install -y python3 python3-pip nodejs \\\n    && pip install urllib3==1.23\nCOPY app /app\nRUN rm -rf /opt/webui\nUSER app\nEXPOSE 8080 8000\n",
    )
    .unwrap();
    let target = fixtures().join("debian-app.oci");
    scan_to(
        out.path(),
        target.to_str().unwrap(),
        &["sarif"],
        &["--dockerfile", "Dockerfile"],
    );
    let log = read_json(&out.path().join("sarif"));
    let run = &log["runs"][0];
    assert_eq!(
        run["automationDetails"]["id"],
        "portcullis/debian-app.oci/linux-amd64/"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "CVE-2021-25900").unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.8");
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("Upgrade smallvec"));
    let results = run["results"].as_array().unwrap();
    let first = &results[0];
    assert_eq!(first["ruleId"], "CVE-2021-25900", "most severe first");
    assert_eq!(first["level"], "error");
    let locations = first["locations"].as_array().unwrap();
    assert_eq!(
        locations[0]["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert_eq!(
        locations[0]["physicalLocation"]["region"]["startLine"], 5,
        "COPY app /app"
    );
    assert_eq!(
        locations[1]["physicalLocation"]["artifactLocation"]["uri"],
        "app/rust-svc/Cargo.lock"
    );
    assert_eq!(locations[1]["logicalLocations"][1]["kind"], "layer");
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.is_empty() && !uri.starts_with('/'), "{uri}");
        assert_eq!(
            result["partialFingerprints"]["portcullis/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
    // Base-image layers go to the FROM line; the Debian packages' file proves them.
    let dpkg = results.iter().find(|r| {
        r["locations"][1]["physicalLocation"]["artifactLocation"]["uri"] == "var/lib/dpkg/status"
    });
    if let Some(dpkg) = dpkg {
        assert_eq!(
            dpkg["locations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
    }
}

#[test]
fn sarif_fingerprints_survive_an_upgrade_and_suppressions_stay_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("svc");
    std::fs::create_dir(&project).unwrap();
    let lock = |version: &str| {
        format!("version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"regex\"\nversion = \"1.5.4\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n")
    };
    let fingerprints = |version: &str, extra: &[&str]| {
        std::fs::write(project.join("Cargo.lock"), lock(version)).unwrap();
        let out = tempfile::tempdir().unwrap();
        scan_to(
            out.path(),
            &format!("dir:{}", project.display()),
            &["sarif"],
            extra,
        );
        let log = read_json(&out.path().join("sarif"));
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_owned(),
                    r["partialFingerprints"]["portcullis/v1"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    r["suppressions"][0]["justification"]
                        .as_str()
                        .map(str::to_owned),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = fingerprints("1.6.0", &[]);
    let after = fingerprints("1.4.0", &[]);
    let id = |list: &[(String, String, Option<String>)], rule: &str| {
        list.iter()
            .find(|(r, _, _)| r == rule)
            .map(|(_, f, _)| f.clone())
    };
    assert!(id(&before, "CVE-2021-25900").is_some());
    assert_eq!(
        id(&before, "CVE-2021-25900"),
        id(&after, "CVE-2021-25900"),
        "same package, other version"
    );
    assert_ne!(id(&before, "CVE-2021-25900"), id(&before, "CVE-2022-24713"));
    let ignore = dir.path().join("ignore.toml");
    std::fs::write(
        &ignore,
        "[[ignore]]\nid = \"CVE-2021-25900\"\nreason = \"not reachable: insert_many is never called\"\nowner = \"team-a\"\n",
    )
    .unwrap();
    let suppressed = fingerprints("1.6.0", &["--ignore-file", ignore.to_str().unwrap()]);
    let (_, _, justification) = suppressed
        .iter()
        .find(|(r, _, _)| r == "CVE-2021-25900")
        .unwrap();
    assert_eq!(
        justification.as_deref(),
        Some("not reachable: insert_many is never called (owner: team-a)")
    );
}

/// A file the catalog cannot read leaves the gate undecided: the SARIF log
/// says so in a tool notification, and the run is not successful.
#[test]
fn sarif_carries_an_undecided_gate_as_a_notification() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package-lock.json"), "{ broken").unwrap();
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let sarif = out.path().join("gate.sarif");
    let output = portcullis(cache.path())
        .args([
            "scan",
            &format!("dir:{}", dir.path().display()),
            "--db",
            corpus_db().to_str().unwrap(),
        ])
        .args(["--output", &format!("sarif={}", sarif.display())])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let log = read_json(&sarif);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("could not be analysed"),
        "{note}"
    );
}

#[test]
fn sarif_of_a_clean_target_still_has_a_run_with_zero_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        scan_to(
            out.path(),
            &format!("dir:{}", dir.path().display()),
            &["sarif"],
            &[]
        ),
        0
    );
    let log = read_json(&out.path().join("sarif"));
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        sarif_errors(&out.path().join("sarif")),
        Vec::<String>::new()
    );
}

/// Thirty old TensorFlow builds give more results than GitHub shows: the
/// most severe 5,000 are kept and the log says what was cut.
#[test]
fn sarif_keeps_the_most_severe_five_thousand_results() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["tensorflow", "tensorflow-gpu", "tensorflow-cpu"] {
        for version in [
            "2.0.0", "2.0.1", "2.1.0", "2.1.1", "2.2.0", "2.2.1", "2.3.0", "2.3.1", "2.4.0",
            "2.4.1",
        ] {
            let folder = dir.path().join(format!("{name}-{version}"));
            std::fs::create_dir(&folder).unwrap();
            std::fs::write(
                folder.join("requirements.txt"),
                format!("{name}=={version}\n"),
            )
            .unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    scan_to(
        out.path(),
        &format!("dir:{}", dir.path().display()),
        &["sarif", "json"],
        &[],
    );
    let findings = read_json(&out.path().join("json"))["findings"]
        .as_array()
        .unwrap()
        .len();
    assert!(findings > 5000, "{findings} findings");
    let log = read_json(&out.path().join("sarif"));
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5000);
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        note.contains(&format!(
            "{} of {findings} results were left out",
            findings - 5000
        )),
        "{note}"
    );
    let rank = |level: &str| {
        ["error", "warning", "note"]
            .iter()
            .position(|l| *l == level)
            .unwrap()
    };
    let levels: Vec<usize> = results
        .iter()
        .map(|r| rank(r["level"].as_str().unwrap()))
        .collect();
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "most severe first");
}

#[test]
fn junit_and_teamcity_escape_what_they_carry() {
    let out = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci");
    scan_to(
        out.path(),
        target.to_str().unwrap(),
        &["teamcity", "junit"],
        &[],
    );
    let messages = std::fs::read_to_string(out.path().join("teamcity")).unwrap();
    for line in messages.lines() {
        assert!(
            line.starts_with("##teamcity[") && line.ends_with(']'),
            "{line}"
        );
    }
    assert!(
        messages.contains("##teamcity[buildProblem description='Portcullis failed debian-app.oci")
    );
    assert!(
        messages.contains("##teamcity[buildStatisticValue key='portcullis.critical' value='1']")
    );
    assert!(messages.contains("##teamcity[inspection typeId='CVE-2021-25900'"));
    let passing = tempfile::tempdir().unwrap();
    scan_to(
        passing.path(),
        target.to_str().unwrap(),
        &["teamcity"],
        &["--fail-on", "none"],
    );
    let messages = std::fs::read_to_string(passing.path().join("teamcity")).unwrap();
    assert!(!messages.contains("buildProblem"));
}
