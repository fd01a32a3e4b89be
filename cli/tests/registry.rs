//! Scans by registry reference against a real registry on loopback.

use crate::support::fault_proxy::{Fault, FaultProxy, Seen};
use crate::support::registry::Registry;
use crate::support::{fixtures, packages, portcullis, sbom, stderr};

#[test]
fn image_pulled_from_a_registry_equals_the_oci_layout() {
    let registry = Registry::start(None);
    let layout = fixtures().join("debian-app.oci");
    let reference = registry.push(&layout, "fixtures/debian-app", None);
    let cache = tempfile::tempdir().unwrap();
    let pulled = sbom(cache.path(), &reference, &[]);
    let local = sbom(cache.path(), layout.to_str().unwrap(), &["--no-cache"]);
    assert_eq!(packages(&pulled), packages(&local));
    assert_eq!(
        packages(&pulled)
            .iter()
            .filter(|(kind, _, _)| kind == "deb")
            .count(),
        140
    );
    assert_eq!(
        pulled["metadata"]["component"]["version"], local["metadata"]["component"]["version"],
        "the manifest digest differs"
    );
    // The registry prefix forces the kind.
    let forced = sbom(cache.path(), &format!("registry:{reference}"), &[]);
    assert_eq!(packages(&forced), packages(&local));
}

#[test]
fn basic_auth_comes_from_the_docker_config() {
    // htpasswd -Bbn portcullis s3cret (bcrypt, as docker-registry requires).
    let output = std::process::Command::new("htpasswd")
        .args(["-Bbn", "portcullis", "s3cret"])
        .output()
        .expect("htpasswd (apt-get install apache2-utils)");
    let registry = Registry::start(Some(&String::from_utf8(output.stdout).unwrap()));
    let layout = fixtures().join("rpm-min.oci");
    let reference = registry.push(&layout, "fixtures/rpm-min", Some("portcullis:s3cret"));
    let cache = tempfile::tempdir().unwrap();

    let anonymous = portcullis(cache.path())
        .args(["sbom", &reference])
        .output()
        .unwrap();
    assert_eq!(anonymous.status.code(), Some(3), "{}", stderr(&anonymous));
    assert!(
        stderr(&anonymous).contains("registry request"),
        "{}",
        stderr(&anonymous)
    );

    let config = tempfile::tempdir().unwrap();
    let auth = "cG9ydGN1bGxpczpzM2NyZXQ="; // base64("portcullis:s3cret")
    std::fs::write(
        config.path().join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
            registry.address
        ),
    )
    .unwrap();
    let output = portcullis(cache.path())
        .env("DOCKER_CONFIG", config.path())
        .args(["sbom", &reference])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let bom: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(packages(&bom).len(), 3);
}

#[test]
fn unreachable_registry_means_the_gate_cannot_decide() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .args(["sbom", &format!("127.0.0.1:{port}/nothing/here:latest")])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}

/// (exit code, findings, stderr) of a JSON scan of `target`.
fn scan_findings(
    cache: &std::path::Path,
    target: &str,
    extra: &[&str],
) -> (i32, serde_json::Value, String) {
    let output = portcullis(cache)
        .args(["scan", target, "--format", "json", "--db"])
        .arg(crate::scan::corpus_db())
        .args(extra)
        .output()
        .unwrap();
    let text = stderr(&output);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    (
        output.status.code().unwrap_or(-1),
        report["findings"].clone(),
        text,
    )
}

fn is_blob(seen: &Seen) -> bool {
    seen.method == "GET" && seen.path.contains("/blobs/sha256:")
}

#[test]
fn one_dropped_connection_503_or_429_per_blob_gives_the_findings_of_a_clean_pull() {
    let registry = Registry::start(None);
    let layout = fixtures().join("debian-app.oci");
    registry.push(&layout, "fixtures/debian-app", None);
    // Each blob's first GET fails, by turns: cut after 1000 bytes (then a
    // resume), a 503 with `Retry-After: 1`, a 429 with an HTTP-date and the
    // OCI error body; the first manifest GET gets a 503 too.
    let blobs = std::sync::Mutex::new(Vec::<String>::new());
    let proxy = FaultProxy::start(&registry.address, move |seen, earlier| {
        if earlier > 0 {
            return Fault::Pass;
        }
        if seen.path.contains("/manifests/") {
            return Fault::Status(503, vec![], "busy".into());
        }
        if !is_blob(seen) {
            return Fault::Pass;
        }
        let mut blobs = blobs.lock().unwrap();
        blobs.push(seen.path.clone());
        match blobs.len() % 3 {
            0 => Fault::DropAfter(1000),
            1 => Fault::Status(503, vec![("Retry-After".into(), "1".into())], String::new()),
            _ => {
                let soon = httpdate::fmt_http_date(
                    std::time::SystemTime::now() + std::time::Duration::from_secs(1),
                );
                Fault::Status(
                    429,
                    vec![("Retry-After".into(), soon), ("Content-Type".into(), "application/json".into())],
                    r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down","detail":null}]}"#.into(),
                )
            }
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/fixtures/debian-app:latest", proxy.address);
    let (code, pulled, text) = scan_findings(cache.path(), &reference, &["-v"]);
    let (clean_code, local, _) =
        scan_findings(cache.path(), layout.to_str().unwrap(), &["--no-cache"]);
    assert_eq!(code, clean_code, "{text}");
    assert!(pulled.as_array().is_some_and(|f| f.len() > 100), "{text}");
    assert_eq!(pulled, local, "the flaky pull lost or changed findings");
    let seen = proxy.seen();
    let blob_gets = seen.iter().filter(|s| is_blob(s)).count();
    assert!(blob_gets >= 6, "each blob was tried again: {seen:?}");
    assert!(
        seen.iter().any(|s| is_blob(s)
            && s.range
                .as_deref()
                .is_some_and(|r| r.starts_with("bytes=") && !r.starts_with("bytes=0-"))),
        "a cut download resumes with a Range request: {seen:?}"
    );
    assert!(text.contains("503"), "{text}");
}

#[test]
fn a_stalled_blob_ends_within_the_timeout_naming_the_registry_and_the_blob() {
    let registry = Registry::start(None);
    registry.push(
        &fixtures().join("debian-app.oci"),
        "fixtures/debian-app",
        None,
    );
    // The largest blob is a layer; every GET of any layer stalls mid-body.
    let proxy = FaultProxy::start(&registry.address, |seen, _| {
        if is_blob(seen) {
            Fault::Stall
        } else {
            Fault::Pass
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let output = portcullis(cache.path())
        .args([
            "sbom",
            &format!("{}/fixtures/debian-app:latest", proxy.address),
            "--registry-timeout",
            "1",
        ])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(output.stdout.is_empty());
    assert!(text.contains(&proxy.address), "names the registry: {text}");
    assert!(text.contains("blob sha256:"), "names the blob: {text}");
    assert!(text.contains("no data for 1 s"), "says it stalled: {text}");
    // 5 attempts of 1 s plus 7.5 s of backoff, with room for a slow machine.
    assert!(
        elapsed < std::time::Duration::from_secs(45),
        "took {elapsed:?}"
    );
}
