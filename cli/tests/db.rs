//! The vulnerability DB: import, update from mirrors (folders and HTTP),
//! failure modes that must leave the old DB answering, bundles and artifacts.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::http::{Response, Server};
use crate::support::registry::Registry;
use crate::support::{portcullis, run, shared};

fn osv(ecosystem: &str) -> PathBuf {
    shared().join("vulndb/osv").join(ecosystem).join("all.zip")
}

fn db_args<'a>(db: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["db", "--db", db.to_str().unwrap()];
    args.extend_from_slice(rest);
    args
}

/// `db status` lines `  <ecosystem> <count>` as a map, plus the digest line.
fn status(cache: &Path, db: &Path) -> (BTreeMap<String, u64>, String) {
    let (code, out, err) = run(cache, &db_args(db, &["status"]));
    assert_eq!(code, 0, "{err}");
    let mut counts = BTreeMap::new();
    let mut in_counts = false;
    let mut digest = String::new();
    for line in out.lines() {
        if let Some(value) = line.strip_prefix("digest") {
            digest = value.trim().to_owned();
        }
        if line.starts_with("advisories per ecosystem") {
            in_counts = true;
            continue;
        }
        if in_counts && line.starts_with("  ") {
            let (name, count) = line.trim().rsplit_once(' ').unwrap();
            counts.insert(name.trim().to_owned(), count.trim().parse().unwrap());
        } else {
            in_counts = false;
        }
    }
    (counts, digest)
}

/// A zip of OSV records (`name`, `json`), stored uncompressed.
fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, json) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(json.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

const RECORD: &str = r#"{"id":"TEST-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}"#;

#[test]
fn import_of_the_shared_corpus_holds_every_record() {
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("p.db");
    let vulndb = shared().join("vulndb");
    let mut args = db_args(&db, &["import"]);
    let zips: Vec<String> = std::fs::read_dir(vulndb.join("osv"))
        .unwrap()
        .map(|e| e.unwrap().path().join("all.zip").display().to_string())
        .collect();
    let kev = vulndb
        .join("kev/known_exploited_vulnerabilities.json")
        .display()
        .to_string();
    args.extend(zips.iter().map(String::as_str));
    args.push(&kev);
    let (code, out, err) = run(cache.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported kev"), "{out}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vulndb.join("MANIFEST.json")).unwrap()).unwrap();
    let mut expected = BTreeMap::new();
    for feed in manifest["osv"].as_object().unwrap().values() {
        for (ecosystem, count) in feed["records_per_affected_ecosystem"].as_object().unwrap() {
            expected.insert(ecosystem.clone(), count.as_u64().unwrap());
        }
    }
    let (counts, digest) = status(cache.path(), &db);
    assert_eq!(counts, expected);
    let (_, status_text, _) = run(cache.path(), &db_args(&db, &["status"]));
    assert!(
        status_text.contains(&format!("kev        {} entries", manifest["kev"]["count"])),
        "{status_text}"
    );

    // The same feeds through `db update` from the folder mirror give the same DB.
    let mirrored = cache.path().join("mirrored.db");
    let mirror = format!("file://{}", vulndb.join("osv").display());
    let kev_url = format!("file://{kev}");
    let (code, _, err) = run(
        cache.path(),
        &db_args(
            &mirrored,
            &["update", "--mirror", &mirror, "--kev-url", &kev_url],
        ),
    );
    assert_eq!(code, 0, "{err}");
    let (mirrored_counts, mirrored_digest) = status(cache.path(), &mirrored);
    assert_eq!(mirrored_counts, counts);
    assert_eq!(mirrored_digest, digest, "same sources, same DB digest");

    // Concrete lookups: the DB answers with real advisories.
    let (_, out, _) = run(cache.path(), &db_args(&db, &["lookup", "PyPI", "PyYAML"]));
    assert!(out.contains("PYSEC-2021-142"), "{out}");
    let (_, out, err) = run(cache.path(), &db_args(&db, &["show", "CVE-2021-44228"]));
    assert!(out.contains("\"CVE-2021-44228\""), "{out}");
    assert!(err.contains("kev: added 2021-12-10"), "{err}");
}

#[test]
fn http_mirror_is_reused_with_its_etag() {
    let zip = std::fs::read(osv("npm")).unwrap();
    let server = Server::start(move |request| {
        if request.path != "/npm/all.zip" {
            return Response::status(404);
        }
        if request.header("If-None-Match") == Some("\"v1\"") {
            return Response::status(304);
        }
        Response::ok(zip.clone()).header("ETag", "\"v1\"")
    });
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("p.db");
    let update = ["update", "--mirror", &server.base, "--ecosystem", "npm"];
    let (code, out, err) = run(cache.path(), &db_args(&db, &update));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("imported osv:npm") && out.contains("467 records"),
        "{out}"
    );
    let (code, out, err) = run(cache.path(), &db_args(&db, &update));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("kept     osv:npm"), "{out}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("If-None-Match"), Some("\"v1\""));
    let (counts, _) = status(cache.path(), &db);
    assert_eq!(counts.get("npm"), Some(&467));
}

#[test]
fn failing_first_mirror_falls_back_to_the_second() {
    let broken = Server::start(|_| Response::status(503));
    let zip = std::fs::read(osv("crates.io")).unwrap();
    let good = Server::start(move |_| Response::ok(zip.clone()));
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("p.db");
    let (code, out, err) = run(
        cache.path(),
        &db_args(
            &db,
            &[
                "update",
                "--mirror",
                &broken.base,
                "--mirror",
                &good.base,
                "--ecosystem",
                "crates.io",
            ],
        ),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1206 records"), "{out}");
    assert_eq!(
        broken.requests().len(),
        3,
        "three attempts with backoff on the failing mirror"
    );
    // One line says which mirror failed and why, not one per attempt.
    assert!(
        err.contains("HTTP 503") && err.contains("(3 attempts)"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.contains("WARN")).count(),
        1,
        "{err}"
    );
    assert_eq!(good.requests().len(), 1);
}

/// A DB with npm only, and its digest.
fn npm_db(cache: &Path) -> (PathBuf, String) {
    let db = cache.join("p.db");
    let npm = osv("npm").display().to_string();
    let (code, _, err) = run(cache, &db_args(&db, &["import", &npm]));
    assert_eq!(code, 0, "{err}");
    let (_, digest) = status(cache, &db);
    (db, digest)
}

#[test]
fn truncated_zip_is_an_error_and_the_old_db_stays() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db(cache.path());
    let bytes = std::fs::read(osv("PyPI")).unwrap();
    let broken = cache.path().join("PyPI.zip");
    std::fs::write(&broken, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, err) = run(
        cache.path(),
        &db_args(&db, &["import", broken.to_str().unwrap()]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("PyPI.zip") && err.contains("not a readable zip"),
        "{err}"
    );
    assert_eq!(status(cache.path(), &db).1, digest);
}

#[test]
fn zip_entry_escaping_the_archive_is_refused() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db(cache.path());
    let evil = cache.path().join("evil.zip");
    std::fs::write(
        &evil,
        zip_of(&[("ok.json", RECORD), ("../../x.json", RECORD)]),
    )
    .unwrap();
    let (code, _, err) = run(
        cache.path(),
        &db_args(&db, &["import", evil.to_str().unwrap()]),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`../../x.json`") && err.contains("escapes"),
        "{err}"
    );
    assert_eq!(status(cache.path(), &db).1, digest);
}

#[test]
fn records_that_are_not_osv_are_skipped_counted_and_named() {
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("p.db");
    let mixed = cache.path().join("mixed.zip");
    let no_id = r#"{"modified":"2024-01-01T00:00:00Z","affected":[]}"#;
    let two_keys = RECORD.replace(r#"{"introduced":"0"}"#, r#"{"introduced":"0","fixed":"2"}"#);
    std::fs::write(
        &mixed,
        zip_of(&[
            ("TEST-1.json", RECORD),
            ("broken.json", "{not json"),
            ("no-id.json", no_id),
            ("two-keys.json", &two_keys),
        ]),
    )
    .unwrap();
    let (code, out, err) = run(
        cache.path(),
        &db_args(&db, &["import", mixed.to_str().unwrap()]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 records, 3 skipped"), "{out}");
    for name in ["broken.json", "no-id.json", "two-keys.json"] {
        assert!(err.contains(&format!("skipped `{name}`")), "{err}");
    }
    let (_, out, _) = run(cache.path(), &db_args(&db, &["lookup", "npm", "left-pad"]));
    assert!(out.contains("TEST-1  [>=0 <1.3.0]"), "{out}");
}

#[test]
fn update_killed_mid_way_leaves_the_old_db_answering() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db(cache.path());
    let zip = std::fs::read(osv("PyPI")).unwrap();
    let server = Server::start(move |_| Response {
        stall: true,
        ..Response::ok(zip.clone())
    });
    let mut child = portcullis(cache.path())
        .args(db_args(
            &db,
            &["update", "--mirror", &server.base, "--ecosystem", "PyPI"],
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.requests().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the update never asked"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status(cache.path(), &db).1, digest);
    let (_, out, _) = run(
        cache.path(),
        &db_args(&db, &["lookup", "npm", "shell-quote"]),
    );
    assert!(out.contains("advisories"), "{out}");
}

#[test]
fn two_updates_at_once_both_finish_and_leave_a_working_db() {
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("p.db");
    let mirror = shared().join("vulndb/osv").display().to_string();
    let children: Vec<_> = (0..2)
        .map(|_| {
            portcullis(cache.path())
                .args(db_args(
                    &db,
                    &[
                        "update",
                        "--mirror",
                        &mirror,
                        "--ecosystem",
                        "npm",
                        "--ecosystem",
                        "crates.io",
                    ],
                ))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (counts, _) = status(cache.path(), &db);
    assert_eq!(
        (counts.get("npm"), counts.get("crates.io")),
        (Some(&467), Some(&1206))
    );
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn epss_scores_are_imported_beside_the_advisories() {
    let cache = tempfile::tempdir().unwrap();
    let (db, _) = npm_db(cache.path());
    // FIRST's CSV layout (a model line, a header, then rows); the scores are
    // made up here, as no EPSS snapshot is available offline.
    let csv = cache.path().join("epss.csv");
    std::fs::write(
        &csv,
        "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99958\n",
    )
    .unwrap();
    let (code, out, err) = run(
        cache.path(),
        &db_args(&db, &["import", csv.to_str().unwrap()]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("kept     osv:npm"),
        "importing EPSS keeps the advisories: {out}"
    );
    let (_, text, _) = run(cache.path(), &db_args(&db, &["status"]));
    assert!(text.contains("epss       1 scores"), "{text}");
}

#[test]
fn bundle_export_and_import_round_trip() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db(cache.path());
    let bundle = cache.path().join("db.bundle");
    let (code, _, err) = run(
        cache.path(),
        &db_args(&db, &["export", bundle.to_str().unwrap()]),
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&bundle).unwrap();
    let bundle_digest = format!(
        "sha256:{}",
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
    assert!(
        err.contains(&format!("{} bytes, {bundle_digest}", bytes.len())),
        "export names the bundle's size and digest: {err}"
    );
    let copy = cache.path().join("copy/p.db");
    let (code, _, err) = run(
        cache.path(),
        &db_args(&copy, &["import", bundle.to_str().unwrap()]),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(status(cache.path(), &copy).1, digest);
    let (_, text, _) = run(cache.path(), &db_args(&copy, &["status"]));
    assert!(
        text.contains(&format!("bundle     {bundle_digest}")),
        "status names the bundle the DB came from: {text}"
    );
    // Every record comes back byte for byte, and every lookup the same.
    for id in ["x_NSWG-ECO-368", "CVE-2014-6393"] {
        let before = run(cache.path(), &db_args(&db, &["show", id]));
        let after = run(cache.path(), &db_args(&copy, &["show", id]));
        assert_eq!((before.0, &before.1), (after.0, &after.1), "{id}");
    }
    let lookup = |db: &Path| {
        run(
            cache.path(),
            &db_args(db, &["lookup", "npm", "shell-quote"]),
        )
        .1
    };
    assert!(lookup(&db).contains("x_NSWG-ECO-117"), "{}", lookup(&db));
    assert_eq!(lookup(&db), lookup(&copy));
    // A bundle cut short is refused and leaves the DB as it was.
    let cut = cache.path().join("cut.bundle");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, err) = run(
        cache.path(),
        &db_args(&copy, &["import", cut.to_str().unwrap()]),
    );
    assert_ne!(code, 0, "a cut bundle is refused: {err}");
    assert_eq!(status(cache.path(), &copy).1, digest);
}

#[test]
fn db_of_another_schema_is_refused_with_a_hint() {
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("old.db");
    // A DB of schema 3 (the last one that stored each range as JSON text per row).
    let status = Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table meta(key text primary key, value text)'); c.execute(\"insert into meta values('schema_version','3')\"); c.execute('create table affected (ecosystem text, name text, osv_id text, ranges text)'); c.execute(\"insert into affected values ('npm', 'lodash', 'GHSA-x', '[]')\"); c.commit()", db.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _, err) = run(cache.path(), &db_args(&db, &["status"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("schema 3") && err.contains("hint: rebuild it with `portcullis db update`"),
        "{err}"
    );
    let project = cache.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("package-lock.json"),
        r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/lodash":{"version":"4.17.4"}}}"#,
    )
    .unwrap();
    let (code, out, err) = run(
        cache.path(),
        &[
            "scan",
            "--db",
            db.to_str().unwrap(),
            "--offline",
            project.to_str().unwrap(),
        ],
    );
    assert_eq!(
        code, 2,
        "a scan refuses it too, with no verdict: {out}{err}"
    );
    assert!(err.contains("portcullis db update"), "{err}");
    let (code, _, err) = run(
        cache.path(),
        &db_args(&cache.path().join("none.db"), &["status"]),
    );
    assert_eq!(code, 3);
    assert!(err.contains("portcullis db update"), "{err}");
}

#[test]
fn a_damaged_db_value_fails_the_scan_closed_and_names_it() {
    let cache = tempfile::tempdir().unwrap();
    let (db, _) = npm_db(cache.path());
    let project = cache.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join("package-lock.json"),
        r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/shell-quote":{"version":"1.6.0"}}}"#,
    )
    .unwrap();
    let scan = |db: &Path| {
        run(
            cache.path(),
            &[
                "scan",
                "--db",
                db.to_str().unwrap(),
                "--offline",
                project.to_str().unwrap(),
            ],
        )
    };
    let (code, out, err) = scan(&db);
    assert!(
        code < 2 && out.contains("x_NSWG-ECO-117"),
        "the sound DB finds shell-quote 1.6.0's advisory: {out}{err}"
    );
    for (what, statement, named) in [
        (
            "entries",
            "UPDATE affected SET entries = x'ffffff' WHERE name = 'shell-quote'",
            "entries of `npm/shell-quote`",
        ),
        (
            "ranges",
            "UPDATE ranges SET data = x'07'",
            "the stored range",
        ),
    ] {
        let damaged = cache.path().join(format!("{what}.db"));
        std::fs::copy(&db, &damaged).unwrap();
        let status = Command::new("python3")
            .args([
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                damaged.to_str().unwrap(),
                statement,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        let (code, out, err) = scan(&damaged);
        assert_eq!(code, 3, "{what}: no verdict from a damaged DB: {out}{err}");
        assert!(
            err.contains(named) && err.contains("is damaged") && !out.contains("verdict"),
            "{what}: {err}"
        );
    }
}

#[test]
fn db_artifact_pushed_and_pulled_through_a_registry() {
    let registry = Registry::start(None);
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db(cache.path());
    let reference = format!("{}/portcullis/db:1", registry.address);
    let (code, out, err) = run(cache.path(), &db_args(&db, &["push", &reference]));
    assert_eq!(code, 0, "{err}");
    let pinned = out.trim().to_owned();
    assert!(pinned.contains("@sha256:"), "{pinned}");
    for (name, source) in [
        ("by-tag.db", reference.clone()),
        (
            "by-digest.db",
            format!(
                "{}/portcullis/db@{}",
                registry.address,
                pinned.rsplit_once('@').unwrap().1
            ),
        ),
    ] {
        let pulled = cache.path().join(name);
        let (code, _, err) = run(cache.path(), &db_args(&pulled, &["pull", &source]));
        assert_eq!(code, 0, "{source}: {err}");
        assert_eq!(status(cache.path(), &pulled).1, digest, "{source}");
    }
}

/// `db status`'s `built at` line.
fn built_at(cache: &Path, db: &Path) -> String {
    let (_, out, _) = run(cache, &db_args(db, &["status"]));
    out.lines()
        .find(|line| line.starts_with("built at"))
        .and_then(|line| line.split(" (").next())
        .unwrap_or_default()
        .to_owned()
}

/// A DB with npm fetched from a loopback mirror, and that mirror's DB digest.
fn npm_db_over_http(cache: &Path) -> (PathBuf, String) {
    let zip = std::fs::read(osv("npm")).unwrap();
    let server = Server::start(move |_| Response::ok(zip.clone()));
    let db = cache.join("p.db");
    let (code, _, err) = run(
        cache,
        &db_args(
            &db,
            &["update", "--mirror", &server.base, "--ecosystem", "npm"],
        ),
    );
    assert_eq!(code, 0, "{err}");
    let (_, digest) = status(cache, &db);
    (db, digest)
}

#[test]
fn a_mirror_serving_an_empty_or_foreign_feed_cannot_empty_the_db() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db_over_http(cache.path());
    let foreign = zip_of(&[("a.json", r#"{"hello":"world"}"#), ("b.txt", "not json")]);
    let one = zip_of(&[("TEST-1.json", RECORD)]);
    for (feed, what) in [
        (
            zip_of(&[]),
            "holds no valid records for `osv:npm` (0 entries",
        ),
        (foreign, "holds no valid records for `osv:npm` (1 entries"),
        (one.clone(), "`osv:npm` would drop from 467 records to 1"),
    ] {
        let server = Server::start(move |_| Response::ok(feed.clone()));
        let update = ["update", "--mirror", &server.base, "--ecosystem", "npm"];
        let (code, _, err) = run(cache.path(), &db_args(&db, &update));
        assert_eq!(code, 3, "{err}");
        assert!(
            err.contains(what) && err.contains("left as it was"),
            "{err}"
        );
        assert!(err.contains(&server.base), "names the feed's URL: {err}");
        assert_eq!(status(cache.path(), &db).1, digest, "{what}");
    }
    // A drop that is meant goes through when asked for.
    let server = Server::start(move |_| Response::ok(one.clone()));
    let update = [
        "update",
        "--mirror",
        &server.base,
        "--ecosystem",
        "npm",
        "--allow-shrink",
    ];
    let (code, _, err) = run(cache.path(), &db_args(&db, &update));
    assert_eq!(code, 0, "{err}");
    assert_eq!(status(cache.path(), &db).0.get("npm"), Some(&1));
}

#[test]
fn unreachable_mirrors_fail_the_update_and_keep_the_build_time() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db_over_http(cache.path());
    let before = built_at(cache.path(), &db);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let broken = Server::start(|_| Response::status(503));
    for args in [
        vec!["update", "--mirror", "http://127.0.0.1:1/"],
        vec![
            "update",
            "--mirror",
            "http://127.0.0.1:1/",
            "--ecosystem",
            "npm",
        ],
        vec!["update", "--mirror", &broken.base, "--ecosystem", "npm"],
    ] {
        let (code, out, err) = run(cache.path(), &db_args(&db, &args));
        assert_eq!(code, 3, "{args:?}: {out}{err}");
        assert!(err.contains("could not reach any mirror"), "{err}");
        assert!(!out.contains("kept"), "{out}");
        assert_eq!(built_at(cache.path(), &db), before, "{args:?}");
        assert_eq!(status(cache.path(), &db).1, digest);
    }
}

#[test]
fn what_killed_updates_left_is_removed_by_the_next_one() {
    let cache = tempfile::tempdir().unwrap();
    let (db, _) = npm_db_over_http(cache.path());
    // What SIGKILLed updates leave: a DB temp file and a half download.
    let download = cache.path().join(".download");
    std::fs::create_dir_all(&download).unwrap();
    std::fs::write(download.join(".tmpAbCdEf"), vec![0u8; 4096]).unwrap();
    let temp = cache.path().join(".p.db.portcullis-XyZ123.tmp");
    std::fs::write(&temp, b"SQLite format 3\0half").unwrap();
    let report = cache.path().join(".report.json.portcullis-Q.tmp");
    std::fs::write(&report, b"{}").unwrap();
    let mirror = shared().join("vulndb/osv").display().to_string();
    let update = ["update", "--mirror", &mirror, "--ecosystem", "crates.io"];
    let (code, _, err) = run(cache.path(), &db_args(&db, &update));
    assert_eq!(code, 0, "{err}");
    assert!(!temp.exists(), "the DB's leftover temp file is removed");
    assert!(!download.exists(), "the scratch downloads are removed");
    assert!(
        report.exists(),
        "another file's temp is none of the DB's business"
    );
}

#[test]
fn cve_records_are_fetched_by_db_update_and_reused_with_their_etag() {
    let zip = std::fs::read(shared().join("vulndb/cve/vulnrichment.zip")).unwrap();
    let server = Server::start(move |request| {
        if request.path != "/cvelist.zip" {
            return Response::status(404);
        }
        if request.header("If-None-Match") == Some("\"c1\"") {
            return Response::status(304);
        }
        Response::ok(zip.clone()).header("ETag", "\"c1\"")
    });
    let cache = tempfile::tempdir().unwrap();
    let db = cache.path().join("p.db");
    let mirror = format!("file://{}", shared().join("vulndb/osv").display());
    let cve_url = format!("{}/cvelist.zip", server.base);
    let update = [
        "update",
        "--mirror",
        &mirror,
        "--ecosystem",
        "npm",
        "--cve-url",
        &cve_url,
    ];
    let (code, out, err) = run(cache.path(), &db_args(&db, &update));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("imported cve") && out.contains("3794 records"),
        "{out}"
    );
    let (_, status, _) = run(cache.path(), &db_args(&db, &["status"]));
    assert!(
        status.contains("  cve ") && status.contains(&cve_url),
        "{status}"
    );
    let (code, out, err) = run(cache.path(), &db_args(&db, &update));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("kept     cve"), "{out}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("If-None-Match"), Some("\"c1\""));
    // The kept source keeps its records.
    let (_, status, _) = run(cache.path(), &db_args(&db, &["status"]));
    assert!(status.contains("3794 records"), "{status}");
}

#[test]
fn the_db_is_as_old_as_the_feed_fetched_longest_ago() {
    let cache = tempfile::tempdir().unwrap();
    let (db, _) = npm_db(cache.path());
    std::thread::sleep(std::time::Duration::from_secs(3));
    // A later build of another feed keeps npm's data and its fetch time.
    let crates = osv("crates.io").display().to_string();
    let (code, out, err) = run(cache.path(), &db_args(&db, &["import", &crates]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("kept     osv:npm          (not fetched this time"),
        "{out}"
    );
    let (_, text, _) = run(cache.path(), &db_args(&db, &["status"]));
    let fetched: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("osv:npm") || line.contains("osv:crates.io"))
        .map(|line| {
            line.split("fetched ")
                .nth(1)
                .unwrap_or_default()
                .split(' ')
                .next()
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(fetched.len(), 2, "{text}");
    assert_ne!(
        fetched[0], fetched[1],
        "each feed has its own fetch time: {text}"
    );
    // Built 0 s ago, but npm was fetched 3 s ago: a 2 s limit refuses it.
    let lock = cache.path().join("Cargo.lock");
    std::fs::write(&lock, "").unwrap();
    let scan = |max_age: &str| {
        run(
            cache.path(),
            &[
                "scan",
                cache.path().to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
                "--db-max-age",
                max_age,
            ],
        )
    };
    let (code, _, err) = scan("2s");
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = scan("1h");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_hanging_or_always_busy_mirror_ends_within_the_timeout_and_deadline() {
    let cache = tempfile::tempdir().unwrap();
    let (db, digest) = npm_db(cache.path());
    let zip = std::fs::read(osv("npm")).unwrap();
    let hanging = Server::start(move |_| Response {
        stall: true,
        ..Response::ok(zip.clone())
    });
    let busy = Server::start(|_| Response::status(503).header("Retry-After", "8"));
    for (server, flags, said, within) in [
        (&hanging, ["--timeout", "2"], "--timeout", 15),
        (&busy, ["--deadline", "3"], "--deadline 3", 15),
    ] {
        let started = std::time::Instant::now();
        let mut args = vec!["update", "--mirror", &server.base, "--ecosystem", "npm"];
        args.extend(flags);
        let (code, _, err) = run(cache.path(), &db_args(&db, &args));
        let took = started.elapsed();
        assert_eq!(code, 3, "{err}");
        assert!(err.contains(said), "{err}");
        assert!(
            took < std::time::Duration::from_secs(within),
            "took {took:?}: {err}"
        );
        assert_eq!(status(cache.path(), &db).1, digest, "the DB stays");
    }
}
