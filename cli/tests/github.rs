//! `portcullis github upload-sarif|comment` against a local HTTP server that
//! plays GitHub's REST API and records each request: method, path, headers
//! and the decoded body are checked.

use std::io::Read as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::Engine as _;

use crate::support::http::{Response, Server};
use crate::support::{portcullis, stderr};

fn github_env(command: &mut std::process::Command, api: &str, git_ref: &str) {
    command
        .env("GITHUB_TOKEN", "ghs_test-token")
        .env("GITHUB_API_URL", api)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_REF", git_ref);
}

/// Runs `portcullis github ARGS` as a workflow on `git_ref` would, against `api`.
fn github(dir: &std::path::Path, api: &str, git_ref: &str, args: &[&str]) -> std::process::Output {
    let mut command = portcullis(dir);
    github_env(&mut command, api, git_ref);
    command.arg("github").args(args).output().unwrap()
}

fn json(body: serde_json::Value) -> Response {
    Response::ok(serde_json::to_vec(&body).unwrap()).header("Content-Type", "application/json")
}

const SARIF: &str = r#"{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"Portcullis"}},"results":[]}]}"#;

#[test]
fn upload_sarif_posts_gzip_base64_and_waits_for_processing() {
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    let server = Server::start(move |request| {
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/repos/acme/shop/code-scanning/sarifs") => {
                let mut response = json(
                    serde_json::json!({"id": "47177e22-5596-11eb-80a1-c1e54ef945c6", "url": "x"}),
                );
                response.status = 202;
                response
            }
            (
                "GET",
                "/repos/acme/shop/code-scanning/sarifs/47177e22-5596-11eb-80a1-c1e54ef945c6",
            ) => {
                let status = if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    "pending"
                } else {
                    "complete"
                };
                json(
                    serde_json::json!({"processing_status": status, "analyses_url": "https://api.github.com/repos/acme/shop/code-scanning/analyses?sarif_id=47177e22"}),
                )
            }
            _ => Response::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gate.sarif");
    std::fs::write(&file, SARIF).unwrap();
    let output = github(
        dir.path(),
        &server.base,
        "refs/heads/main",
        &[
            "upload-sarif",
            file.to_str().unwrap(),
            "--category",
            "portcullis/app",
            "--poll-interval",
            "0.05",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("complete"));
    let requests = server.requests();
    let upload = &requests[0];
    assert_eq!(
        (upload.method.as_str(), upload.path.as_str()),
        ("POST", "/repos/acme/shop/code-scanning/sarifs")
    );
    assert_eq!(
        upload.header("authorization"),
        Some("Bearer ghs_test-token")
    );
    assert_eq!(upload.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(upload.header("x-github-api-version"), Some("2022-11-28"));
    let body: serde_json::Value = serde_json::from_slice(&upload.body).unwrap();
    assert_eq!(
        body["commit_sha"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(body["ref"], "refs/heads/main");
    let gz = base64::engine::general_purpose::STANDARD
        .decode(body["sarif"].as_str().unwrap())
        .unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_string(&mut text)
        .unwrap();
    let sent: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        sent["runs"][0]["automationDetails"]["id"],
        "portcullis/app/"
    );
    assert_eq!(
        requests.iter().filter(|r| r.method == "GET").count(),
        2,
        "polled until complete"
    );
}

#[test]
fn upload_sarif_fails_when_github_cannot_process_it() {
    let server = Server::start(|request| match request.method.as_str() {
        "POST" => json(serde_json::json!({"id": "abc", "url": "x"})),
        _ => json(
            serde_json::json!({"processing_status": "failed", "errors": ["locationFromSarifResult: expected artifact location"]}),
        ),
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gate.sarif");
    std::fs::write(&file, SARIF).unwrap();
    let output = github(
        dir.path(),
        &server.base,
        "refs/heads/main",
        &[
            "upload-sarif",
            file.to_str().unwrap(),
            "--poll-interval",
            "0.05",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("could not process SARIF upload abc: locationFromSarifResult"),
        "{}",
        stderr(&output)
    );
    // Not SARIF: refused before anything is sent.
    std::fs::write(&file, "{\"runs\": []}").unwrap();
    let output = github(
        dir.path(),
        &server.base,
        "refs/heads/main",
        &["upload-sarif", file.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a SARIF log"),
        "{}",
        stderr(&output)
    );
    let mut command = portcullis(dir.path());
    command
        .env_remove("GITHUB_TOKEN")
        .env("GITHUB_REPOSITORY", "acme/shop");
    let output = command
        .args(["github", "upload-sarif", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("`GITHUB_TOKEN` is not set"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn comment_is_created_once_then_updated() {
    let comments = Arc::new(std::sync::Mutex::new(Vec::<(u64, String)>::new()));
    let state = comments.clone();
    let server = Server::start(move |request| {
        let mut list = state.lock().unwrap();
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", path) if path.starts_with("/repos/acme/shop/issues/7/comments") => {
                let mut page = vec![serde_json::json!({"id": 1, "body": "LGTM"})];
                page.extend(
                    list.iter()
                        .map(|(id, body)| serde_json::json!({"id": id, "body": body})),
                );
                json(serde_json::Value::Array(page))
            }
            ("POST", "/repos/acme/shop/issues/7/comments") => {
                let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                list.push((100, body["body"].as_str().unwrap().to_owned()));
                let mut response = json(serde_json::json!({"id": 100, "body": body["body"]}));
                response.status = 201;
                response
            }
            ("PATCH", "/repos/acme/shop/issues/comments/100") => {
                let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                list[0].1 = body["body"].as_str().unwrap().to_owned();
                json(serde_json::json!({"id": 100, "body": body["body"]}))
            }
            _ => Response::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let post = |text: &str| {
        std::fs::write(&summary, text).unwrap();
        let output = github(
            dir.path(),
            &server.base,
            "refs/pull/7/merge",
            &["comment", summary.to_str().unwrap()],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let marker = "<!-- portcullis-summary: portcullis/app/linux-amd64/ -->";
    assert_eq!(
        post(&format!("{marker}\n## ❌ Portcullis failed\n")),
        "created comment 100 on #7\n"
    );
    assert_eq!(
        post(&format!("{marker}\n## ✅ Portcullis passed\n")),
        "updated comment 100 on #7\n"
    );
    let list = comments.lock().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert!(list[0].1.contains("Portcullis passed"));
    let methods: Vec<String> = server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        methods,
        [
            "GET /repos/acme/shop/issues/7/comments?per_page=100&page=1",
            "POST /repos/acme/shop/issues/7/comments",
            "GET /repos/acme/shop/issues/7/comments?per_page=100&page=1",
            "PATCH /repos/acme/shop/issues/comments/100",
        ]
    );
    // A push build has no pull request to comment on.
    let output = github(
        dir.path(),
        &server.base,
        "refs/heads/main",
        &["comment", summary.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no pull request to comment on"),
        "{}",
        stderr(&output)
    );
}
