//! Blob downloads from a registry that survive a flaky network: a dropped
//! connection resumes with a `Range` request (or restarts when the registry
//! answers with the whole blob), 5xx and 429 are retried after the
//! `Retry-After` the registry asks for (seconds or an HTTP-date, capped) or a
//! doubling backoff, and a body that makes no progress for the read timeout
//! ends the attempt. Every byte is hashed as it lands; a blob whose digest is
//! not the one asked for is refused, never retried into acceptance.
//!
//! oci-client performs the token exchange (`Client::auth`); the GETs are
//! reqwest's, so the status, headers and body of each answer can be read.
//! Redirects (to a storage backend) are followed without the registry's
//! credentials (reqwest drops `Authorization` when the host changes).

use std::io::{Seek as _, Write as _};
use std::time::{Duration, SystemTime};

use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use portcullis_io::retry::{self, error_chain};
use portcullis_model::Digest;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_RANGE, RANGE, RETRY_AFTER};
use reqwest::StatusCode;

use super::Error;

/// Attempts per blob.
pub(crate) const ATTEMPTS: u32 = 5;
/// First backoff, doubled per attempt (0.5 s, 1 s, 2 s, 4 s).
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between attempts, whatever `Retry-After` asks (30 s).
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Connect timeout per request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// The default read timeout: this long without a byte ends an attempt.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a blob's bytes go: a scratch file, or memory (configs) with a cap.
pub(crate) enum Sink<'a> {
    File(&'a mut std::fs::File),
    Memory { bytes: &'a mut Vec<u8>, limit: u64 },
}

impl Sink<'_> {
    fn reset(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(file) => {
                file.set_len(0)?;
                file.rewind()
            }
            Sink::Memory { bytes, .. } => {
                bytes.clear();
                Ok(())
            }
        }
    }

    /// `Ok(false)` when a memory sink would pass its cap.
    fn write(&mut self, chunk: &[u8]) -> std::io::Result<bool> {
        match self {
            Sink::File(file) => file.write_all(chunk).map(|()| true),
            Sink::Memory { bytes, limit } => {
                if (bytes.len() + chunk.len()) as u64 > *limit {
                    return Ok(false);
                }
                bytes.extend_from_slice(chunk);
                Ok(true)
            }
        }
    }
}

/// What one attempt came to.
enum Attempt {
    Done,
    /// Worth another attempt, after the wait the registry asked for, if any.
    Again {
        why: String,
        wait: Option<Duration>,
    },
}

/// Downloads the blobs of one repository.
pub(crate) struct BlobPuller<'a> {
    pub(crate) client: &'a Client,
    pub(crate) auth: &'a RegistryAuth,
    pub(crate) reference: &'a Reference,
    pub(crate) http: &'a reqwest::Client,
    pub(crate) scheme: &'a str,
    pub(crate) location: &'a str,
    pub(crate) read_timeout: Duration,
}

/// The HTTP client blob pulls use: connect and read timeouts, no overall
/// one (a large blob that keeps flowing may take its time).
pub(crate) fn http_client(read_timeout: Duration) -> Result<reqwest::Client, Error> {
    super::http::client_builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(read_timeout)
        .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|source| Error::Http(Box::new(source)))
}

impl BlobPuller<'_> {
    fn failed(&self, digest: &Digest, why: String) -> Error {
        Error::BlobPull {
            location: self.location.to_owned(),
            digest: digest.clone(),
            why,
        }
    }

    /// Downloads `digest` into `sink`, checking it against the digest.
    pub(crate) async fn pull(&self, digest: &Digest, mut sink: Sink<'_>) -> Result<(), Error> {
        let registry = self.reference.resolve_registry();
        let url = format!(
            "{}://{registry}/v2/{}/blobs/{digest}",
            self.scheme,
            self.reference.repository()
        );
        let mut authorization = self.authorize(digest).await?;
        let mut reauthorized = false;
        let mut progress = Progress {
            hasher: digest.hasher(),
            received: 0,
        };
        let mut attempt = 0;
        loop {
            match self
                .attempt(
                    &url,
                    digest,
                    authorization.as_deref(),
                    &mut sink,
                    &mut progress,
                )
                .await?
            {
                Attempt::Done => break,
                Attempt::Again { why, .. } if why == UNAUTHORIZED && !reauthorized => {
                    // A token that expired mid-pull: one fresh exchange.
                    reauthorized = true;
                    authorization = self.authorize(digest).await?;
                }
                Attempt::Again { why, wait } => {
                    attempt += 1;
                    if attempt >= ATTEMPTS {
                        return Err(self
                            .failed(digest, format!("{why} (gave up after {ATTEMPTS} attempts)")));
                    }
                    let wait = wait
                        .unwrap_or_else(|| retry::backoff(attempt - 1, FIRST_BACKOFF, MAX_WAIT));
                    tracing::info!(
                        "`{}`: blob {digest}: {why}; attempt {} in {} ms",
                        self.location,
                        attempt + 1,
                        wait.as_millis()
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
        let actual = std::mem::replace(&mut progress.hasher, digest.hasher()).finish();
        if &actual != digest {
            return Err(Error::DigestMismatch {
                location: self.location.to_owned(),
                what: format!("blob {digest}"),
                expected: digest.clone(),
                actual,
            });
        }
        Ok(())
    }

    /// The `Authorization` value for this repository, when it needs one.
    async fn authorize(&self, digest: &Digest) -> Result<Option<String>, Error> {
        if let RegistryAuth::Bearer(token) = self.auth {
            return Ok(Some(format!("Bearer {token}")));
        }
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            match self
                .client
                .auth(self.reference, self.auth, RegistryOperation::Pull)
                .await
            {
                Ok(Some(token)) => return Ok(Some(format!("Bearer {token}"))),
                Ok(None) => {
                    return Ok(match self.auth {
                        RegistryAuth::Basic(user, password) => Some(basic(user, password)),
                        _ => None,
                    })
                }
                Err(error) if super::registry::is_transient(&error) => {
                    last = error_chain(&error);
                    tokio::time::sleep(retry::backoff(attempt, FIRST_BACKOFF, MAX_WAIT)).await;
                }
                Err(error) => {
                    return Err(
                        self.failed(digest, format!("authentication: {}", error_chain(&error)))
                    )
                }
            }
        }
        Err(self.failed(
            digest,
            format!("authentication: {last} (gave up after {ATTEMPTS} attempts)"),
        ))
    }

    async fn attempt(
        &self,
        url: &str,
        digest: &Digest,
        authorization: Option<&str>,
        sink: &mut Sink<'_>,
        progress: &mut Progress,
    ) -> Result<Attempt, Error> {
        let mut request = self.http.get(url);
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        if progress.received > 0 {
            request = request.header(RANGE, format!("bytes={}-", progress.received));
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Ok(again(transfer_error(&error, self.read_timeout))),
        };
        let status = response.status();
        match status {
            StatusCode::PARTIAL_CONTENT if resumes_at(response.headers(), progress.received) => {}
            StatusCode::OK | StatusCode::PARTIAL_CONTENT => {
                // The whole blob (or a range we did not ask for): start over.
                if progress.received > 0 {
                    tracing::debug!("`{}`: blob {digest}: restarting from byte 0", self.location);
                    sink.reset()
                        .map_err(|e| self.failed(digest, format!("scratch file: {e}")))?;
                    *progress = Progress {
                        hasher: digest.hasher(),
                        received: 0,
                    };
                }
                if status == StatusCode::PARTIAL_CONTENT {
                    return Ok(again("the registry answered another range".to_owned()));
                }
            }
            StatusCode::UNAUTHORIZED => return Ok(again(UNAUTHORIZED.to_owned())),
            StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => {
                return Ok(retry_later(&response, status))
            }
            status if status.is_server_error() => return Ok(retry_later(&response, status)),
            status => {
                let body = response.bytes().await.unwrap_or_default();
                return Err(self.failed(digest, registry_says(status, &body)));
            }
        }
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let fits = sink
                        .write(&chunk)
                        .map_err(|e| self.failed(digest, format!("scratch file: {e}")))?;
                    if !fits {
                        return Err(self.failed(
                            digest,
                            "it is larger than any manifest or config this program reads"
                                .to_owned(),
                        ));
                    }
                    progress.hasher.update(&chunk);
                    progress.received += chunk.len() as u64;
                }
                Ok(None) => return Ok(Attempt::Done),
                Err(error) => {
                    return Ok(again(format!(
                        "{} after {} bytes",
                        transfer_error(&error, self.read_timeout),
                        progress.received
                    )))
                }
            }
        }
    }
}

const UNAUTHORIZED: &str = "the registry refused the credentials (401)";

struct Progress {
    hasher: portcullis_model::Hasher,
    received: u64,
}

fn again(why: String) -> Attempt {
    Attempt::Again { why, wait: None }
}

fn retry_later(response: &reqwest::Response, status: StatusCode) -> Attempt {
    let wait = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| retry::retry_after(value, SystemTime::now(), MAX_WAIT));
    Attempt::Again {
        why: format!("the registry answered {status}"),
        wait,
    }
}

/// Whether a 206 answer starts where the download stopped.
fn resumes_at(headers: &HeaderMap, received: u64) -> bool {
    let Some(range) = headers.get(CONTENT_RANGE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    // `bytes 100-199/200`
    range
        .strip_prefix("bytes ")
        .and_then(|rest| rest.split_once('-'))
        .and_then(|(start, _)| start.trim().parse::<u64>().ok())
        == Some(received)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// What went wrong with a request or a body, in a user's words.
fn transfer_error(error: &reqwest::Error, read_timeout: Duration) -> String {
    if error.is_timeout() {
        format!(
            "no data for {} s (the read timeout)",
            read_timeout.as_secs()
        )
    } else if error.is_connect() {
        format!("cannot connect: {}", error_chain(error))
    } else {
        format!("the connection broke: {}", error_chain(error))
    }
}

/// What a registry said when it refused: the OCI error envelope's codes and
/// messages, else the start of the body.
pub(crate) fn registry_says(status: StatusCode, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Envelope {
        errors: Vec<OciError>,
    }
    #[derive(serde::Deserialize)]
    struct OciError {
        code: String,
        #[serde(default)]
        message: String,
    }
    let said = match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) if !envelope.errors.is_empty() => envelope
            .errors
            .iter()
            .map(|e| {
                if e.message.is_empty() {
                    e.code.clone()
                } else {
                    format!("{}: {}", e.code, e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::from_utf8_lossy(body)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect(),
    };
    if said.trim().is_empty() {
        format!("the registry answered {status}")
    } else {
        format!("the registry answered {status}: {}", said.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_answer_resumes_only_where_the_download_stopped() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_RANGE, "bytes 100-199/200".parse().unwrap());
        assert!(resumes_at(&headers, 100));
        assert!(!resumes_at(&headers, 50));
        assert!(!resumes_at(&HeaderMap::new(), 100));
    }

    #[test]
    fn registry_errors_say_what_the_registry_said() {
        let body = br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#;
        assert_eq!(
            registry_says(StatusCode::TOO_MANY_REQUESTS, body),
            "the registry answered 429 Too Many Requests: TOOMANYREQUESTS: slow down"
        );
        assert_eq!(
            registry_says(StatusCode::FORBIDDEN, b""),
            "the registry answered 403 Forbidden"
        );
    }
}
