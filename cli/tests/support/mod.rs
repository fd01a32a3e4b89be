//! The shared harness: the built binary, the fixture images, temp dirs, and a
//! builder for small hand-made images (OCI layouts and docker-archives).

pub(crate) mod daemon;
pub(crate) mod fault_proxy;
pub(crate) mod http;
pub(crate) mod image;
pub(crate) mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture corpus built by `shared/fixtures/build-images.sh` (see `.ci/run`).
pub(crate) fn fixtures() -> PathBuf {
    let dir = std::env::var_os("PORTCULLIS_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fixture-images"));
    assert!(
        dir.join("debian-app.oci/index.json").is_file(),
        "fixture images missing in {}: run `bash ../shared/fixtures/build-images.sh target/fixture-images` (as .ci/run does)",
        dir.display()
    );
    dir
}

/// A `portcullis` command with its own empty cache dir.
pub(crate) fn portcullis(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
    command
        .env("PORTCULLIS_CACHE_DIR", cache)
        .env("SOURCE_DATE_EPOCH", "1704067200")
        .env_remove("DOCKER_CONFIG")
        // No local engine answers unless a test starts one: a bare `NAME:TAG`
        // goes to its registry whatever this machine runs.
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("CONTAINER_HOST", "unix:///nonexistent/podman.sock")
        .env("NO_COLOR", "1");
    command
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `portcullis sbom` and parses the CycloneDX document it prints.
pub(crate) fn sbom(cache: &Path, target: &str, extra: &[&str]) -> serde_json::Value {
    let output = portcullis(cache)
        .args(["sbom", target])
        .args(extra)
        .output()
        .expect("run portcullis");
    assert!(
        output.status.success(),
        "sbom {target} failed: {}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("sbom is JSON")
}

/// (type, name, version) of each library component, read with our own view of the schema.
pub(crate) fn packages(
    bom: &serde_json::Value,
) -> std::collections::BTreeSet<(String, String, String)> {
    bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter(|c| c["type"] == "library")
        .map(|c| {
            let kind = c["properties"]
                .as_array()
                .and_then(|p| p.iter().find(|p| p["name"] == "portcullis:package:type"))
                .map(|p| p["value"].as_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            (
                kind,
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["version"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The shared folder beside the repository (`../shared`), or `PORTCULLIS_SHARED`.
pub(crate) fn shared() -> PathBuf {
    std::env::var_os("PORTCULLIS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// Runs `portcullis` with `args`; returns (exit code, stdout, stderr).
pub(crate) fn run(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let output = portcullis(cache)
        .args(args)
        .output()
        .expect("run portcullis");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr(&output),
    )
}
