//! `--base`: each finding's origin (the base image's, or your own layers'),
//! on a child image built with a real `docker build` on the fixture
//! debian-app, layered and squashed, with the base named by flag, by digest
//! in a real registry, by label, by OCI annotation and by Dockerfile; the
//! answer comes from an independent inventory of both images' files.
//!
//! debian-app is the base rather than debian-slim: debian-slim's Debian
//! packages have no findings in the shared corpus, so a gate that passes
//! "only base findings" could not be told from one that passes everything.
//! debian-slim is the candidate base that removes them all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::scan::corpus_db;
use crate::support::daemon::{Engine, Kind};
use crate::support::registry::Registry;
use crate::support::{fixtures, portcullis, shared, stderr};

/// The wheels the child's layer installs (downloaded by tests/run.sh):
/// Werkzeug 0.15.0 (vulnerable, new) and idna 3.7 (fixes the base's idna 2.8).
fn wheels() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-wheels");
    for wheel in [
        "idna-3.7-py3-none-any.whl",
        "Werkzeug-0.15.0-py2.py3-none-any.whl",
    ] {
        assert!(
            dir.join(wheel).is_file(),
            "{wheel} missing in {}: tests/run.sh downloads it with pip",
            dir.display()
        );
    }
    dir
}

/// (type, lower-case name, version, path) rows of `inventory.py`'s answer key.
type Row = (String, String, String, String);
type Rows = BTreeSet<Row>;

fn rows(tsv: &str) -> Rows {
    tsv.lines()
        .skip(1)
        .filter_map(|line| {
            let mut cells = line.split('\t');
            Some((
                cells.next()?.to_owned(),
                cells.next()?.to_ascii_lowercase(),
                cells.next()?.to_owned(),
                cells.next()?.to_owned(),
            ))
        })
        .collect()
}

/// The answer key of a root filesystem, by the fixtures' own inventory script.
fn answer_key(rootfs: &Path) -> Rows {
    let output = Command::new("python3")
        .arg(shared().join("fixtures/inventory.py"))
        .arg(rootfs)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    rows(&String::from_utf8(output.stdout).unwrap())
}

/// `scan --db corpus ARGS -f json` with the report on stdout: (exit code, report, stderr).
fn scan(cache: &Path, engine: &Engine, args: &[&str]) -> (i32, serde_json::Value, String) {
    let output = portcullis(cache)
        .env(engine.host_variable(), engine.host())
        .args(["scan", "--no-progress", "-f", "json", "--db"])
        .arg(corpus_db())
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: no JSON report ({e}): {}", stderr(&output)));
    (output.status.code().unwrap_or(-1), report, stderr(&output))
}

/// `scan` with the table on stdout: (exit code, the verdict line or
/// nothing when there is no table, stderr).
fn verdict(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let output = portcullis(cache)
        .args(["scan", "--no-progress", "--db"])
        .arg(corpus_db())
        .args(args)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = table
        .lines()
        .rev()
        .find(|l| l.starts_with("verdict:"))
        .unwrap_or_default()
        .to_owned();
    (output.status.code().unwrap_or(-1), line, stderr(&output))
}

/// (id, lower-case package name, version, origin) of each finding.
fn origins(report: &serde_json::Value) -> BTreeSet<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (
                text(&f["id"]),
                text(&f["package"]["name"]).to_ascii_lowercase(),
                text(&f["package"]["version"]),
                text(&f["origin"]),
            )
        })
        .collect()
}

/// Checks every finding's origin against the two answer keys: a finding
/// is the child's own exactly when its package (name and version) is one
/// the child has at a place the base has not.
fn check_origins(report: &serde_json::Value, base: &Rows, child: &Rows) {
    let name_version = |rows: &Rows, filter: &dyn Fn(&Row) -> bool| {
        rows.iter()
            .filter(|r| filter(r))
            .map(|(_, name, version, _)| (name.clone(), version.clone()))
            .collect::<BTreeSet<_>>()
    };
    let in_base = name_version(base, &|_| true);
    let added = name_version(child, &|row| !base.contains(row));
    let own_only: BTreeSet<_> = added.difference(&in_base).cloned().collect();
    assert!(
        own_only.contains(&("werkzeug".to_owned(), "0.15.0".to_owned())),
        "the answer key sees the child's Werkzeug: {own_only:?}"
    );
    let findings = origins(report);
    let own: Vec<_> = findings.iter().filter(|f| f.3 == "own").collect();
    assert!(!own.is_empty(), "the child's layer adds findings");
    for (id, name, version, origin) in &findings {
        let key = (name.clone(), version.clone());
        match origin.as_str() {
            "own" => assert!(
                added.contains(&key),
                "{id} {name} {version}: own, yet the child's layers did not add it"
            ),
            "base" => assert!(
                !own_only.contains(&key),
                "{id} {name} {version}: base, yet only the child has it"
            ),
            other => panic!("{id} {name} {version}: origin `{other}`"),
        }
        if own_only.contains(&key) {
            assert_eq!(origin, "own", "{id} {name} {version}");
        }
    }
    // The layer upgraded the base's idna 2.8 past CVE-2024-3651: fixed here.
    let fixed = report["base"]["fixedHere"].as_array().expect("fixedHere");
    assert!(
        fixed.iter().any(|f| f["id"] == "CVE-2024-3651"
            && f["package"] == "idna"
            && f["baseVersion"] == "2.8"
            && f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/srv/pyapp/.venv/")
                    && p.ends_with("idna-2.8.dist-info/METADATA"))
            && f["now"] == serde_json::json!(["3.7"])),
        "{fixed:?}"
    );
    for f in fixed {
        let key = (
            f["package"].as_str().unwrap().to_ascii_lowercase(),
            f["baseVersion"].as_str().unwrap().to_owned(),
        );
        assert!(in_base.contains(&key), "fixed here, not in the base: {f}");
    }
}

fn docker_save(engine: &Engine, image: &str, out: &Path) {
    engine.run(&["save", "-o", out.to_str().unwrap(), image]);
}

#[test]
fn a_child_image_s_findings_split_into_the_base_s_and_its_own() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let base_layout = fixtures().join("debian-app.oci");
    let base_layout_arg = format!("oci-dir:{}", base_layout.display());
    let engine = Engine::start(Kind::Docker);
    let archive = fixtures().join("debian-app.docker.tar");
    engine.run(&["load", "-i", archive.to_str().unwrap()]);

    // The base in a real registry, to be named by digest.
    let registry = Registry::start(None);
    let pushed = registry.push(&base_layout, "fixtures/debian-app", None);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(base_layout.join("index.json")).unwrap()).unwrap();
    let digest = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    let repository = pushed.trim_end_matches(":latest");
    let by_digest = format!("{repository}@{digest}");

    // The child: a layer that adds Werkzeug 0.15.0 and upgrades the base's
    // idna 2.8 (in the app's venv, whose python3 is first on the PATH).
    let context = work.join("context");
    std::fs::create_dir_all(context.join("wheels")).unwrap();
    for entry in std::fs::read_dir(wheels()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), context.join("wheels").join(entry.file_name())).unwrap();
    }
    let dockerfile = "ARG BASE\nFROM ${BASE}\n\
        USER root\n\
        COPY wheels /tmp/wheels\n\
        RUN python3 -m pip install --no-deps --no-index --break-system-packages \
            /tmp/wheels/idna-3.7-py3-none-any.whl /tmp/wheels/Werkzeug-0.15.0-py2.py3-none-any.whl\n\
        USER app\n";
    std::fs::write(context.join("Dockerfile"), dockerfile).unwrap();
    engine.run(&[
        "build",
        "-q",
        "--network",
        "none",
        "--build-arg",
        "BASE=fixtures/debian-app:latest",
        "--label",
        &format!("org.opencontainers.image.base.name={pushed}"),
        "--label",
        &format!("org.opencontainers.image.base.digest={digest}"),
        "-t",
        "localhost/portcullis-test/child:1",
        context.to_str().unwrap(),
    ]);
    let layered = work.join("child.tar");
    docker_save(&engine, "localhost/portcullis-test/child:1", &layered);
    let layered = layered.to_str().unwrap();

    // The same child squashed into one layer, and its files for the answer key.
    engine.run(&[
        "create",
        "--name",
        "flat",
        "localhost/portcullis-test/child:1",
    ]);
    let rootfs_tar = work.join("rootfs.tar");
    engine.run(&["export", "-o", rootfs_tar.to_str().unwrap(), "flat"]);
    engine.run(&[
        "import",
        rootfs_tar.to_str().unwrap(),
        "localhost/portcullis-test/flat:1",
    ]);
    let squashed = work.join("flat.tar");
    docker_save(&engine, "localhost/portcullis-test/flat:1", &squashed);
    let squashed = squashed.to_str().unwrap();
    let rootfs = work.join("rootfs");
    std::fs::create_dir_all(&rootfs).unwrap();
    let untar = Command::new("tar")
        .args(["-xf", rootfs_tar.to_str().unwrap(), "-C"])
        .arg(&rootfs)
        .args(["--no-same-owner", "--exclude=dev/*"])
        .status()
        .unwrap();
    assert!(untar.success());
    let child_key = answer_key(&rootfs);
    let base_key =
        rows(&std::fs::read_to_string(fixtures().join("debian-app.expected.tsv")).unwrap());

    // Layered, the base by flag: the diff_id chains are compared.
    let (code, report, log) = scan(
        cache.path(),
        &engine,
        &["--base", &base_layout_arg, layered],
    );
    assert_eq!(
        code, 1,
        "the default gate counts the base's critical: {log}"
    );
    assert_eq!(report["base"]["comparison"], "layers", "{}", report["base"]);
    assert_eq!(report["base"]["foundBy"], "flag");
    assert_eq!(report["base"]["digest"], digest.as_str());
    check_origins(&report, &base_key, &child_key);
    let layered_origins = origins(&report);

    // Squashed: the inventories are compared, with the same answer.
    let (_, flat, log) = scan(
        cache.path(),
        &engine,
        &["--base", &base_layout_arg, squashed],
    );
    assert_eq!(flat["base"]["comparison"], "inventory", "{log}");
    check_origins(&flat, &base_key, &child_key);
    assert_eq!(
        origins(&flat),
        layered_origins,
        "squashed and layered agree"
    );

    // By digest, in a registry.
    let (_, pinned, log) = scan(cache.path(), &engine, &["--base", &by_digest, layered]);
    assert_eq!(pinned["base"]["comparison"], "layers", "{log}");
    assert_eq!(pinned["base"]["digest"], digest.as_str());
    assert_eq!(origins(&pinned), layered_origins);

    // Found on its own: the labels the build set (pinned to the digest).
    let (_, labelled, log) = scan(cache.path(), &engine, &["--base", "auto", layered]);
    assert_eq!(labelled["base"]["foundBy"], "label", "{log}");
    assert_eq!(labelled["base"]["reference"], by_digest.as_str());
    assert_eq!(origins(&labelled), layered_origins);

    // By the Dockerfile's last FROM, its ARG from --build-arg (the squashed
    // image has no labels).
    std::fs::write(work.join("Dockerfile"), dockerfile).unwrap();
    let dockerfile_path = work.join("Dockerfile");
    let dockerfile_arg = dockerfile_path.to_str().unwrap();
    let from_file = ["--dockerfile", dockerfile_arg, "--base", "auto"];
    let (_, found, log) = scan(
        cache.path(),
        &engine,
        &[
            &from_file[..],
            &["--build-arg", "BASE=fixtures/debian-app:latest", squashed],
        ]
        .concat(),
    );
    assert_eq!(found["base"]["foundBy"], "dockerfile", "{log}");
    assert_eq!(found["base"]["dockerfile"]["line"], 2, "{}", found["base"]);
    assert_eq!(origins(&found), layered_origins);
    let (code, _, log) = verdict(cache.path(), &[&from_file[..], &[squashed]].concat());
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("--build-arg BASE=VALUE"), "{log}");

    // By an OCI manifest annotation (umoci's own edit of a copy of the child).
    let annotated = work.join("annotated");
    let copy = Command::new("skopeo")
        .args(["--insecure-policy", "copy", "--quiet"])
        .arg(format!("docker-archive:{layered}"))
        .arg(format!("oci:{}:1", annotated.display()))
        .status()
        .unwrap();
    assert!(copy.success());
    let annotate = Command::new("umoci")
        .args(["config", "--image"])
        .arg(format!("{}:1", annotated.display()))
        .args([
            "--manifest.annotation",
            &format!("org.opencontainers.image.base.name={base_layout_arg}"),
        ])
        .status()
        .unwrap();
    assert!(annotate.success());
    let (_, by_annotation, log) = scan(
        cache.path(),
        &engine,
        &[
            "--base",
            "auto",
            &format!("oci-dir:{}", annotated.display()),
        ],
    );
    assert_eq!(by_annotation["base"]["foundBy"], "annotation", "{log}");
    assert_eq!(origins(&by_annotation), layered_origins);

    // The gate on your own layers: the base's critical is not gated ...
    let (code, line, log) = verdict(
        cache.path(),
        &["--base", &base_layout_arg, "--set", "origin=own", layered],
    );
    assert_eq!(code, 0, "{line}\n{log}");
    assert!(
        line.contains("in your layers")
            && line.contains("1 critical")
            && line.contains(&format!(
                "in the base image {}, not gated",
                base_layout.display()
            )),
        "{line}"
    );
    // ... and the child's own high (Werkzeug) fails it.
    let (code, line, log) = verdict(
        cache.path(),
        &[
            "--base",
            &base_layout_arg,
            "--set",
            "origin=own",
            "--fail-on",
            "high",
            layered,
        ],
    );
    assert_eq!(code, 1, "{line}\n{log}");
    assert!(
        line.contains("1 high") && line.contains("in your layers"),
        "{line}"
    );
    // Without a base to tell them apart, `origin = own` cannot decide.
    let (code, _, log) = verdict(cache.path(), &["--set", "origin=own", squashed]);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("name it with --base"), "{log}");

    // Advice: the base's packages your layers can upgrade, one line each.
    let upgrades = report["base"]["advice"]["upgrades"].as_array().unwrap();
    assert!(
        upgrades.iter().any(|u| u["package"] == "urllib3"
            && u["installed"] == "1.24.1"
            && u["command"]
                .as_str()
                .is_some_and(|c| c.starts_with("pip install --upgrade 'urllib3>="))),
        "{upgrades:?}"
    );

    // Candidates: debian-slim (debian-app's own base) removes every base
    // finding and adds none; the child itself adds Werkzeug's.
    let slim = format!("oci-dir:{}", fixtures().join("debian-slim.oci").display());
    let (_, compared, log) = scan(
        cache.path(),
        &engine,
        &[
            "--base",
            &base_layout_arg,
            "--base-candidates",
            &format!("{slim},{layered}"),
            layered,
        ],
    );
    let candidates = compared["base"]["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2, "{log}");
    let recommended: Vec<_> = candidates
        .iter()
        .filter(|c| c["recommended"] == true)
        .collect();
    assert_eq!(recommended.len(), 1, "{candidates:?}");
    assert!(
        recommended[0]["target"]
            .as_str()
            .unwrap()
            .ends_with("debian-slim.oci"),
        "{candidates:?}"
    );
    assert_eq!(recommended[0]["adds"], 0);
    assert!(
        recommended[0]["removes"].as_u64().unwrap() > 100,
        "{candidates:?}"
    );
}

#[test]
fn a_named_base_that_cannot_be_read_is_an_error() {
    let cache = tempfile::tempdir().unwrap();
    let image = fixtures().join("debian-app.oci");
    let (code, _, log) = verdict(
        cache.path(),
        &[
            "--base",
            "oci-dir:/nonexistent/base",
            image.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("/nonexistent/base"), "{log}");
    // A registry that does not answer: the gate cannot decide (exit 3).
    let (code, table, log) = verdict(
        cache.path(),
        &["--base", "127.0.0.1:9/none/base:1", image.to_str().unwrap()],
    );
    assert_eq!(code, 3, "{log}");
    assert!(table.is_empty(), "no verdict without the base: {table}");
    assert!(
        log.contains("could not read the base image `127.0.0.1:9/none/base:1`"),
        "{log}"
    );
}
