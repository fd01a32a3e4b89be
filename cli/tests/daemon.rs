//! Local images: `docker:NAME`, and a bare `NAME:TAG` that is in the local
//! store, read from a real `dockerd` through its API socket as the export
//! streams; an engine whose export is not the image it named is refused.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;

use crate::scan::corpus_db;
use crate::support::daemon::{Engine, Kind};
use crate::support::{fixtures, packages, portcullis, stderr};

/// (id, package) of each finding in a JSON report.
fn findings(report: &serde_json::Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or_default().to_owned(),
                f["package"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `scan TARGET` with a JSON report on stdout, against `engine`.
fn scan_json(cache: &Path, engine: &Engine, target: &str) -> (i32, serde_json::Value, String) {
    let output = portcullis(cache)
        .env(engine.host_variable(), engine.host())
        .args(["scan", "--no-progress", "-f", "json", "--db"])
        .arg(corpus_db())
        .arg(target)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{target}: no JSON report ({e}): {}", stderr(&output)));
    (output.status.code().unwrap_or(-1), report, stderr(&output))
}

/// Loads debian-app into `kind`'s store, builds an image on it, scans it by
/// its bare name and by `PREFIX:NAME`, then stops the engine.
fn build_then_scan_by_name(kind: Kind) {
    let cache = tempfile::tempdir().unwrap();
    let mut engine = Engine::start(kind);
    let (prefix, store) = match kind {
        Kind::Docker => ("docker", "Docker"),
        Kind::Podman => ("podman", "Podman"),
    };
    let archive = fixtures().join("debian-app.docker.tar");
    engine.run(&["load", "-i", archive.to_str().unwrap()]);

    // The engine's copy is the archive's image: the same packages.
    let from_engine = portcullis(cache.path())
        .env(engine.host_variable(), engine.host())
        .args(["sbom", "--no-progress"])
        .arg(format!("{prefix}:fixtures/debian-app:latest"))
        .output()
        .unwrap();
    assert!(from_engine.status.success(), "{}", stderr(&from_engine));
    let from_engine: serde_json::Value = serde_json::from_slice(&from_engine.stdout).unwrap();
    let from_archive = crate::support::sbom(cache.path(), archive.to_str().unwrap(), &[]);
    assert_eq!(packages(&from_engine), packages(&from_archive));
    assert!(packages(&from_engine).len() > 200);

    // A build on top of it, then a scan by the bare name.
    let context = tempfile::tempdir().unwrap();
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM fixtures/debian-app:latest\nCOPY package-lock.json /srv/web/package-lock.json\n",
    )
    .unwrap();
    std::fs::write(
        context.path().join("package-lock.json"),
        r#"{"name":"web","lockfileVersion":3,"requires":true,"packages":{"":{"name":"web","dependencies":{"lodash":"4.17.4"}},"node_modules/lodash":{"version":"4.17.4","resolved":"https://registry.npmjs.org/lodash/-/lodash-4.17.4.tgz"}}}"#,
    )
    .unwrap();
    engine.build("localhost/portcullis-test/web:1", context.path());
    let (code, built, log) = scan_json(cache.path(), &engine, "localhost/portcullis-test/web:1");
    assert_eq!(code, 1, "the default gate fails debian-app: {log}");
    assert_eq!(built["target"]["kind"], prefix, "{}", built["target"]);
    assert_eq!(
        built["target"]["reference"],
        "localhost/portcullis-test/web:1"
    );
    let (_, base, _) = scan_json(cache.path(), &engine, archive.to_str().unwrap());
    let (built, base) = (findings(&built), findings(&base));
    assert!(base.len() > 100, "{}", base.len());
    let added: Vec<_> = built.difference(&base).collect();
    assert!(
        base.is_subset(&built),
        "lost: {:?}",
        base.difference(&built)
    );
    assert!(
        !added.is_empty() && added.iter().all(|(_, package)| package == "lodash"),
        "the layer the build added brings lodash's findings only: {added:?}"
    );

    // The prefix names only the local store: a missing image is bad input.
    let output = portcullis(cache.path())
        .env(engine.host_variable(), engine.host())
        .arg("sbom")
        .arg(format!("{prefix}:localhost/portcullis-test/none:1"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let says = format!("is not in the local {store} store");
    assert!(stderr(&output).contains(&says), "{}", stderr(&output));

    // An engine that does not answer: the gate cannot decide.
    engine.stop();
    let output = portcullis(cache.path())
        .env(engine.host_variable(), engine.host())
        .args(["scan", "--db"])
        .arg(corpus_db())
        .arg(format!("{prefix}:localhost/portcullis-test/web:1"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("does not answer"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn docker_build_then_scan_by_name_reads_the_local_docker_engine() {
    build_then_scan_by_name(Kind::Docker);
}

#[test]
fn podman_build_then_scan_by_name_reads_the_podman_service() {
    build_then_scan_by_name(Kind::Podman);
}

/// A fake engine on a Unix socket: answers the inspect call with `id` and
/// the export with `body`, then closes (after `cut` bytes, when set).
fn fake_engine(socket: &Path, id: String, body: Vec<u8>, cut: Option<usize>) {
    let listener = UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                request.push_str(&line);
            }
            let inspect = format!(r#"{{"Id":"{id}","Os":"linux","Architecture":"amd64"}}"#);
            let payload: &[u8] = if request.contains("/json ") {
                inspect.as_bytes()
            } else {
                &body
            };
            let sent = cut
                .filter(|_| !request.contains("/json "))
                .unwrap_or(payload.len());
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: {}\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(&payload[..sent.min(payload.len())]);
        }
    });
}

#[test]
fn an_export_that_is_not_the_image_the_engine_named_is_refused() {
    let archive = std::fs::read(fixtures().join("rpm-min.docker.tar")).unwrap();
    let manifest: serde_json::Value = {
        let mut tar = tar::Archive::new(&archive[..]);
        let mut found = None;
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_str() == Some("manifest.json") {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                found = Some(serde_json::from_str(&text).unwrap());
            }
        }
        found.expect("manifest.json")
    };
    let config = manifest[0]["Config"].as_str().unwrap();
    let id = format!("sha256:{}", config.trim_end_matches(".json"));
    // Where the first layer's bytes end, and where manifest.json's header is.
    let (mut layer_data, mut manifest_header) = (None, None);
    let mut tar = tar::Archive::new(&archive[..]);
    for entry in tar.entries().unwrap() {
        let entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if name == manifest[0]["Layers"][0].as_str().unwrap() {
            layer_data = Some((entry.raw_file_position() + entry.size()) as usize);
        }
        if name == "manifest.json" {
            manifest_header = Some(entry.raw_header_position() as usize);
        }
    }
    let (layer_data, manifest_header) = (layer_data.unwrap(), manifest_header.unwrap());
    let mut flipped = archive.clone();
    // The last byte of the layer tar's end-of-archive blocks: no tar reader
    // looks at it, only the digest sees it.
    flipped[layer_data - 1] ^= 0x01;
    let mut other = id.clone();
    other.replace_range(other.len() - 4.., "0000");

    // (what, the image ID served, the export served, where it is cut, exit, message)
    type Case<'a> = (&'a str, String, Vec<u8>, Option<usize>, i32, &'a str);
    let cases: [Case; 5] = [
        ("intact", id.clone(), archive.clone(), None, 0, ""),
        (
            "a flipped byte in a layer",
            id.clone(),
            flipped,
            None,
            2,
            "has digest",
        ),
        (
            "the stream ends cleanly before manifest.json",
            id.clone(),
            archive[..manifest_header].to_vec(),
            None,
            2,
            "ended before `manifest.json`",
        ),
        (
            "the connection drops halfway",
            id.clone(),
            archive.clone(),
            Some(archive.len() / 2),
            3,
            "broke off",
        ),
        (
            "the engine names another image",
            other,
            archive.clone(),
            None,
            2,
            "holds no config with the image ID",
        ),
    ];
    for (what, id, body, cut, want, says) in cases {
        let dir = tempfile::Builder::new()
            .prefix("pf")
            .tempdir_in("/tmp")
            .unwrap();
        let socket = dir.path().join("engine.sock");
        fake_engine(&socket, id, body, cut);
        let output = portcullis(dir.path())
            .env("DOCKER_HOST", format!("unix://{}", socket.display()))
            .args(["sbom", "--no-cache", "-o"])
            .arg(dir.path().join("sbom.json"))
            .arg("docker:rpm-min:1")
            .output()
            .unwrap();
        let log = stderr(&output);
        assert_eq!(output.status.code(), Some(want), "{what}: {log}");
        assert!(log.contains(says), "{what}: {log}");
        assert_eq!(dir.path().join("sbom.json").exists(), want == 0, "{what}");
    }
}
