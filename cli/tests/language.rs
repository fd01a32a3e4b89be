//! Language packages on the debian-app fixture, in every format, against the
//! answer key; folder, zip and SBOM sources; malformed files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use crate::support::image::{base_layer, tar, Entry, Image};
use crate::support::{fixtures, portcullis, sbom, stderr};

/// One component as our own reader sees it.
#[derive(Debug, Clone)]
struct Component {
    kind: String,
    name: String,
    version: String,
    evidence: String,
    dev: bool,
    paths: Vec<String>,
}

fn components(bom: &serde_json::Value) -> Vec<Component> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .map(|c| {
            let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for p in c["properties"].as_array().unwrap() {
                props
                    .entry(p["name"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(p["value"].as_str().unwrap().to_owned());
            }
            let first = |key: &str| {
                props
                    .get(key)
                    .and_then(|v| v.first().cloned())
                    .unwrap_or_default()
            };
            Component {
                kind: first("portcullis:package:type"),
                name: c["name"].as_str().unwrap().to_owned(),
                version: c["version"].as_str().unwrap().to_owned(),
                evidence: first("portcullis:package:evidence"),
                dev: first("portcullis:package:dev") == "true",
                paths: props
                    .get("portcullis:location:path")
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect()
}

struct Row {
    kind: String,
    name: String,
    version: String,
    path: String,
    dev: bool,
    os_owned: bool,
}

fn answer_key() -> Vec<Row> {
    let text = std::fs::read_to_string(fixtures().join("debian-app.expected.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let [kind, name, version, path, owned] = f.as_slice() else {
                return None;
            };
            (*kind != "deb").then(|| Row {
                kind: (*kind).to_owned(),
                name: (*name).to_owned(),
                version: (*version).to_owned(),
                path: path.trim_end_matches("#dev").to_owned(),
                dev: path.ends_with("#dev"),
                os_owned: *owned == "yes",
            })
        })
        .collect()
}

fn check_language_packages(bom: &serde_json::Value, label: &str) {
    let found = components(bom);
    let at = |name: &str, version: &str, path: &str| {
        found
            .iter()
            .find(|c| c.name == name && c.version == version && c.paths.iter().any(|p| p == path))
    };
    for row in answer_key() {
        if row.os_owned {
            let shown = found.iter().find(|c| {
                c.kind != "deb"
                    && c.paths
                        .iter()
                        .any(|p| p.split('!').next() == Some(row.path.as_str()))
            });
            assert!(
                shown.is_none(),
                "{label}: {} at {} is dpkg-owned but reported: {shown:?}",
                row.name,
                row.path
            );
            continue;
        }
        if row.kind == "go-binary" {
            let toolchain = format!("v{}", row.version.trim_start_matches("go"));
            assert!(
                found
                    .iter()
                    .any(|c| c.name == row.name && c.paths.contains(&row.path)),
                "{label}: main module {}",
                row.name
            );
            assert!(
                at("stdlib", &toolchain, &row.path).is_some(),
                "{label}: stdlib {toolchain} of {}",
                row.path
            );
            continue;
        }
        let component = at(&row.name, &row.version, &row.path).unwrap_or_else(|| {
            panic!(
                "{label}: missing {} {} {} at {}",
                row.kind, row.name, row.version, row.path
            )
        });
        let expected_evidence: &[&str] = match row.kind.as_str() {
            "npm-lock" | "cargo-lock" | "npm-project" => &["declared", "both"],
            _ => &["installed", "both"],
        };
        assert!(
            expected_evidence.contains(&component.evidence.as_str()),
            "{label}: {component:?}"
        );
        assert_eq!(component.dev, row.dev, "{label}: dev flag of {component:?}");
    }
    // Whited out in upper layers: never reported.
    for (name, version) in [
        ("PyJWT", "1.5.0"),
        ("minimist", "0.0.8"),
        ("lodash", "4.17.4"),
    ] {
        assert!(
            !found.iter().any(|c| c.name == name && c.version == version),
            "{label}: {name} {version} survived its whiteout"
        );
    }
}

#[test]
fn debian_app_language_packages_equal_the_answer_key_in_every_format() {
    let cache = tempfile::tempdir().unwrap();
    for suffix in ["oci", "oci.tar", "docker.tar", "rootfs"] {
        let target = fixtures().join(format!("debian-app.{suffix}"));
        let bom = sbom(cache.path(), target.to_str().unwrap(), &[]);
        check_language_packages(&bom, suffix);
    }
}

#[test]
fn folder_scan_of_the_node_app_agrees_with_the_image() {
    let cache = tempfile::tempdir().unwrap();
    let image = sbom(
        cache.path(),
        fixtures().join("debian-app.oci").to_str().unwrap(),
        &[],
    );
    let in_image: BTreeSet<(String, String)> = components(&image)
        .into_iter()
        .filter(|c| c.kind == "npm" && c.paths.iter().any(|p| p.starts_with("/app/")))
        .map(|c| (c.name, c.version))
        .collect();
    let folder = crate::support::shared().join("fixtures/image-src/node-app");
    let scanned = sbom(cache.path(), &format!("dir:{}", folder.display()), &[]);
    let in_folder: BTreeSet<(String, String)> = components(&scanned)
        .into_iter()
        .filter(|c| c.kind == "npm")
        .map(|c| (c.name, c.version))
        .collect();
    assert!(in_folder.len() > 50, "{in_folder:?}");
    assert_eq!(in_folder, in_image);
}

#[test]
fn sbom_fed_back_gives_the_same_package_set() {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = fixtures().join("debian-app.oci");
    let set = |bom: &serde_json::Value| -> BTreeSet<(String, String, String)> {
        bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["type"] == "library")
            .map(|c| {
                (
                    c["name"].to_string(),
                    c["version"].to_string(),
                    c["purl"].to_string(),
                )
            })
            .collect()
    };
    let original = sbom(cache.path(), target.to_str().unwrap(), &[]);
    for format in ["cyclonedx", "spdx"] {
        let path = out.path().join(format!("bom.{format}.json"));
        let output = portcullis(cache.path())
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
        assert!(output.status.success(), "{}", stderr(&output));
        let fed_back = sbom(cache.path(), &format!("sbom:{}", path.display()), &[]);
        assert_eq!(set(&fed_back), set(&original), "{format}");
    }
}

#[test]
fn broken_file_is_skipped_named_and_marks_the_analysis_partial() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cargo_lock =
        std::fs::read(crate::support::shared().join("fixtures/image-src/rust-svc/Cargo.lock"))
            .unwrap();
    Image::new(vec![
        base_layer(),
        tar(&[
            Entry::File(
                "app/package-lock.json",
                b"{\"lockfileVersion\": 3, \"packages\": [1, 2",
            ),
            Entry::File(
                "app/package.json",
                b"{\"name\":\"app\",\"version\":\"1.0.0\"}",
            ),
            Entry::File("svc/Cargo.lock", &cargo_lock),
        ]),
    ])
    .write_oci_dir(dir.path());
    let output = portcullis(cache.path())
        .args(["sbom", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("skipped `/app/package-lock.json` (layer 2)"),
        "{text}"
    );
    let bom: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let properties = bom["metadata"]["component"]["properties"].to_string();
    assert!(
        properties.contains("portcullis:analysis:partial"),
        "{properties}"
    );
    let names: Vec<String> = components(&bom).into_iter().map(|c| c.name).collect();
    assert!(
        names.contains(&"regex".to_owned()) && names.contains(&"zlib1g".to_owned()),
        "{names:?}"
    );
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn lambda_zips_are_read_together() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let metadata = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n\n";
    let function = dir.path().join("function.zip");
    std::fs::write(
        &function,
        zip_of(&[
            ("requests-2.19.1.dist-info/METADATA", metadata),
            ("app.py", b"print(1)"),
        ]),
    )
    .unwrap();
    let jar =
        std::fs::read(fixtures().join("debian-app.rootfs/app/lib/snakeyaml-1.33.jar")).unwrap();
    let layer = dir.path().join("layer.zip");
    std::fs::write(&layer, zip_of(&[("java/lib/snakeyaml-1.33.jar", &jar)])).unwrap();
    let bom = sbom(
        cache.path(),
        &format!("zip:{},{}", function.display(), layer.display()),
        &[],
    );
    let found: BTreeSet<(String, String)> = components(&bom)
        .into_iter()
        .map(|c| (c.name, c.version))
        .collect();
    assert!(
        found.contains(&("requests".into(), "2.19.1".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("org.yaml:snakeyaml".into(), "1.33".into())),
        "{found:?}"
    );
    // A single zip is detected by content, without the prefix.
    let alone = sbom(cache.path(), function.to_str().unwrap(), &[]);
    assert_eq!(components(&alone).len(), 1);
}

/// What pip's own parser (`pip._internal.req.req_file`) reads from every
/// `requirements*.txt` at the top of `project`: `name version` of each
/// requirement, its version its `==` (or `===`) or its constraint's.
fn pip_reads(project: &std::path::Path) -> BTreeSet<String> {
    let oracle = std::process::Command::new("python3")
        .current_dir(project)
        .args([
            "-c",
            r#"
import glob
from pip._internal.req.req_file import parse_requirements
from pip._internal.network.session import PipSession
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
pins, constraints = set(), {}
for file in sorted(glob.glob("requirements*.txt")):
    for parsed in parse_requirements(file, session=PipSession()):
        if parsed.is_editable:
            continue
        req = Requirement(parsed.requirement)
        exact = [s.version for s in req.specifier if s.operator in ("==", "===")]
        name = canonicalize_name(req.name)
        if parsed.constraint:
            constraints[name] = exact[0]
        else:
            pins.add((name, exact[0] if exact else None))
for name, version in sorted(pins):
    print(name, version or constraints[name])
"#,
        ])
        .output()
        .expect("python3 with pip (tests/run.sh's venv)");
    assert!(
        oracle.status.success(),
        "{}",
        String::from_utf8_lossy(&oracle.stderr)
    );
    String::from_utf8_lossy(&oracle.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The CycloneDX SBOM Portcullis writes of the folder `project`.
fn project_bom(project: &std::path::Path) -> serde_json::Value {
    let cache = tempfile::tempdir().unwrap();
    crate::support::sbom(
        cache.path(),
        &format!("dir:{}", project.display()),
        &["--no-cache"],
    )
}

/// `name version` of each PyPI package Portcullis reads from `project`.
fn portcullis_reads_pypi(project: &std::path::Path) -> BTreeSet<String> {
    project_bom(project)["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter_map(|purl| purl.strip_prefix("pkg:pypi/"))
        .map(|rest| rest.replacen('@', " ", 1))
        .collect()
}

fn project(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/projects")
        .join(name)
}

/// `requirements.txt` with `-r` and `-c` includes, read as pip reads it.
#[test]
fn requirements_includes_and_constraints_are_read_as_pip_reads_them() {
    let project = project("requirements-includes");
    let expected = pip_reads(&project);
    assert_eq!(expected.len(), 5, "{expected:?}");
    assert_eq!(portcullis_reads_pypi(&project), expected);
}

/// pip-compile's own output (pip-tools 7.7.0, `--generate-hashes`: hashes
/// on continuation lines, `# via` comments, an environment marker and
/// extras on a pin), and a file with per-requirement options on the
/// requirement's line, an old-style `name (==V)`, continuations and a
/// comment that swallows the line after it: each read as pip reads it.
#[test]
fn pip_compile_output_and_per_requirement_options_are_read_as_pip_reads_them() {
    let compiled = project("requirements-compiled");
    let expected = pip_reads(&compiled);
    assert!(expected.len() >= 15, "{expected:?}");
    assert!(expected.contains("django 3.2.4") && expected.contains("pyyaml 5.3"));
    assert_eq!(portcullis_reads_pypi(&compiled), expected);

    let options = project("requirements-options");
    let expected = pip_reads(&options);
    assert!(expected.contains("babel 2.6.0"), "{expected:?}");
    assert!(
        !expected.iter().any(|p| p.starts_with("packaging ")),
        "pip lets the comment swallow the continued line: {expected:?}"
    );
    assert_eq!(portcullis_reads_pypi(&options), expected);
}

/// (name, version, dev) of each PyPI package Portcullis reads from `project`.
fn portcullis_reads_pypi_dev(project: &std::path::Path) -> BTreeSet<(String, String, bool)> {
    project_bom(project)["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with("pkg:pypi/"))
        })
        .map(|c| {
            let dev = c["properties"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["name"] == "portcullis:package:dev" && p["value"] == "true")
            });
            (
                c["name"].as_str().unwrap().to_ascii_lowercase(),
                c["version"].as_str().unwrap().to_owned(),
                dev,
            )
        })
        .collect()
}

/// Runs a Python tool of tests/run.sh's venv in `project`; its stdout.
fn tool(project: &std::path::Path, program: &str, args: &[&str]) -> String {
    let cache = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(program)
        .current_dir(project)
        .args(args)
        .env("POETRY_CACHE_DIR", cache.path())
        .env("UV_CACHE_DIR", cache.path())
        .env("UV_OFFLINE", "1")
        .output()
        .unwrap_or_else(|e| panic!("{program} (tests/run.sh's venv): {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        stderr(&output)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// uv.lock and poetry.lock (written by uv 0.13.10 and Poetry 2.5.1): a
/// package is development-only exactly when the tool leaves it out of the
/// project's own install (`uv export --no-default-groups --all-extras`,
/// `poetry show --only main`).
#[test]
fn uv_and_poetry_locks_mark_development_packages_as_their_tools_do() {
    let uv = project("uv-dev");
    let production: BTreeSet<(String, String)> = tool(
        &uv,
        "uv",
        &[
            "export",
            "--frozen",
            "--no-default-groups",
            "--all-extras",
            "--no-hashes",
            "--no-emit-project",
        ],
    )
    .lines()
    .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
    .filter_map(|l| l.split(';').next()?.trim().split_once("=="))
    .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned()))
    .collect();
    let poetry = project("poetry-dev");
    let poetry_main: BTreeSet<(String, String)> =
        tool(&poetry, "poetry", &["show", "--only", "main", "--no-ansi"])
            .lines()
            .filter_map(|l| {
                let words: Vec<&str> = l.split_whitespace().filter(|w| *w != "(!)").collect();
                Some((
                    words.first()?.to_ascii_lowercase(),
                    (*words.get(1)?).to_owned(),
                ))
            })
            .collect();
    for (project, production) in [(uv, production), (poetry, poetry_main)] {
        let read = portcullis_reads_pypi_dev(&project);
        assert!(production.len() >= 5, "{production:?}");
        assert!(read.iter().any(|(_, _, dev)| *dev), "{read:?}");
        for (name, version, dev) in &read {
            let key = (name.clone(), version.clone());
            assert_eq!(
                !dev,
                production.contains(&key),
                "{}: {name} {version}: dev {dev}, the tool's own install: {production:?}",
                project.display()
            );
        }
    }
}

#[test]
fn go_mod_is_read_as_go_reads_it_with_the_standard_library_it_names() {
    // A go.mod the Go tool writes, and `go mod edit -json` as the answer key.
    let cache = tempfile::tempdir().unwrap();
    let project = cache.path().join("module");
    std::fs::create_dir(&project).unwrap();
    let go = |args: &[&str]| {
        let output = std::process::Command::new("go")
            .current_dir(&project)
            .env("GOPATH", cache.path().join("gopath"))
            .env("GOCACHE", cache.path().join("gocache"))
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local")
            .args(args)
            .output()
            .expect("go (tests/run.sh installs golang-go)");
        assert!(output.status.success(), "go {args:?}: {}", stderr(&output));
        output.stdout
    };
    go(&["mod", "init", "example.com/fixture/module"]);
    go(&[
        "mod",
        "edit",
        "-go=1.19",
        "-require=golang.org/x/net@v0.7.0",
        "-require=golang.org/x/text@v0.3.7",
        "-require=github.com/local/fork@v1.0.0",
        "-replace=golang.org/x/text=golang.org/x/text@v0.3.8",
        "-replace=github.com/local/fork=../fork",
    ]);
    let key: serde_json::Value = serde_json::from_slice(&go(&["mod", "edit", "-json"])).unwrap();
    let mut expected = BTreeSet::new();
    let go_version = key["Go"].as_str().unwrap();
    expected.insert(format!("pkg:golang/stdlib@v{go_version}.0"));
    let replaces = key["Replace"].as_array().cloned().unwrap_or_default();
    for require in key["Require"].as_array().unwrap() {
        let path = require["Path"].as_str().unwrap();
        let replace = replaces.iter().find(|r| r["Old"]["Path"] == path);
        match replace.map(|r| &r["New"]) {
            // A local directory is no registry module: nothing to match.
            Some(new) if new["Version"].is_null() => {}
            Some(new) => {
                expected.insert(format!(
                    "pkg:golang/{}@{}",
                    new["Path"].as_str().unwrap(),
                    new["Version"].as_str().unwrap()
                ));
            }
            None => {
                expected.insert(format!(
                    "pkg:golang/{path}@{}",
                    require["Version"].as_str().unwrap()
                ));
            }
        }
    }
    assert_eq!(expected.len(), 3, "{key}");
    let bom = sbom(
        cache.path(),
        &format!("dir:{}", project.display()),
        &["--no-cache"],
    );
    let read: BTreeSet<String> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|purl| purl.starts_with("pkg:golang/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(read, expected);
}
