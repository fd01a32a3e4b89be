//! `github upload-sarif`: gzip and base64 the log, post it to
//! `/repos/OWNER/REPO/code-scanning/sarifs` with the commit and ref, then
//! poll its processing status until GitHub says `complete` or `failed`.

use std::io::Write as _;
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{Client, Error};

/// How to wait for processing.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    pub interval: Duration,
    /// Give up after this long; zero does not wait at all.
    pub timeout: Duration,
}

/// What GitHub made of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOutcome {
    pub id: String,
    /// `complete`, or `pending` when not waited for.
    pub status: String,
    pub analyses_url: Option<String>,
}

#[derive(Serialize)]
struct UploadRequest<'a> {
    commit_sha: &'a str,
    #[serde(rename = "ref")]
    git_ref: &'a str,
    sarif: String,
    tool_name: &'a str,
}

#[derive(Deserialize)]
struct UploadResponse {
    id: String,
}

#[derive(Deserialize)]
struct StatusResponse {
    processing_status: String,
    #[serde(default)]
    analyses_url: Option<String>,
    #[serde(default)]
    errors: Option<Vec<String>>,
}

/// Reads the log and, with `category`, sets every run's category
/// (`runAutomationDetails.id`, which is how code scanning takes it).
fn prepare(path: &std::path::Path, category: Option<&str>) -> Result<Vec<u8>, Error> {
    let shown = path.display().to_string();
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        path: shown.clone(),
        source,
    })?;
    let not_sarif = |why: String| Error::NotSarif {
        path: shown.clone(),
        why,
    };
    let mut log: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| not_sarif(format!("not JSON ({e})")))?;
    if log.get("version").and_then(serde_json::Value::as_str) != Some("2.1.0") {
        return Err(not_sarif("`version` is not \"2.1.0\"".to_owned()));
    }
    let runs = log
        .get_mut("runs")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or_else(|| not_sarif("it has no `runs` array".to_owned()))?;
    let Some(category) = category else {
        return Ok(bytes);
    };
    let id = if category.ends_with('/') {
        category.to_owned()
    } else {
        format!("{category}/")
    };
    for run in runs {
        if let Some(run) = run.as_object_mut() {
            run.insert(
                "automationDetails".to_owned(),
                serde_json::json!({ "id": id }),
            );
        }
    }
    serde_json::to_vec(&log).map_err(|e| not_sarif(e.to_string()))
}

fn gzip_base64(bytes: &[u8]) -> Result<String, std::io::Error> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(encoder.finish()?))
}

/// Uploads the SARIF log at `path` for the context's commit and ref.
pub fn upload_sarif(
    client: &Client,
    path: &std::path::Path,
    category: Option<&str>,
    polling: Polling,
) -> Result<UploadOutcome, Error> {
    let bytes = prepare(path, category)?;
    let sarif = gzip_base64(&bytes).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let request = UploadRequest {
        commit_sha: &client.context.sha,
        git_ref: &client.context.git_ref,
        sarif,
        tool_name: "Portcullis",
    };
    let route = format!("{}/code-scanning/sarifs", client.repo_route());
    let uploaded: UploadResponse = client.send(
        Method::POST,
        &route,
        &request,
        &format!("take the SARIF upload (POST {route})"),
    )?;
    tracing::info!("uploaded SARIF as {}", uploaded.id);
    let status_route = format!("{route}/{}", uploaded.id);
    let started = Instant::now();
    loop {
        if polling.timeout.is_zero() {
            return Ok(UploadOutcome {
                id: uploaded.id,
                status: "pending".to_owned(),
                analyses_url: None,
            });
        }
        let status: StatusResponse = client.get(
            &status_route,
            &format!("report the processing status (GET {status_route})"),
        )?;
        match status.processing_status.as_str() {
            "complete" => {
                return Ok(UploadOutcome {
                    id: uploaded.id,
                    status: status.processing_status,
                    analyses_url: status.analyses_url,
                })
            }
            "failed" => {
                return Err(Error::ProcessingFailed {
                    id: uploaded.id,
                    errors: status.errors.unwrap_or_default(),
                })
            }
            other => tracing::info!("SARIF upload {} is {other}", uploaded.id),
        }
        if started.elapsed() >= polling.timeout {
            return Err(Error::StillProcessing {
                id: uploaded.id,
                seconds: polling.timeout.as_secs(),
            });
        }
        std::thread::sleep(polling.interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn gzip_base64_round_trips() {
        let encoded = gzip_base64(b"{\"version\":\"2.1.0\",\"runs\":[]}").expect("encodes");
        let gz = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64");
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .expect("gzip");
        assert_eq!(text, "{\"version\":\"2.1.0\",\"runs\":[]}");
    }
}
