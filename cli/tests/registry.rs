//! Scans by registry reference against a real registry on loopback.

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
