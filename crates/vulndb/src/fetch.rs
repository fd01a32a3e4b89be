//! Fetch feeds from mirrors: `https://` (or `http://` on loopback), `file://`
//! or a plain folder laid out like the OSV bucket (`<Ecosystem>/all.zip`).
//! HTTP requests are conditional (ETag, Last-Modified); errors and rate limits
//! are retried with backoff, then the next mirror is tried.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use portcullis_io::retry::{self, error_chain};

use super::rows::SourceInfo;
use super::Error;

/// The public OSV bucket.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// The CISA KEV catalog and FIRST's EPSS scores, fetched with the default mirror.
pub const DEFAULT_KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
pub const DEFAULT_EPSS_URL: &str = "https://epss.cyentia.com/epss_scores-current.csv.gz";
/// The CVE list (CVEProject/cvelistV5, CNA and CISA ADP containers) as one zip.
pub const DEFAULT_CVE_URL: &str =
    "https://github.com/CVEProject/cvelistV5/archive/refs/heads/main.zip";

/// The ecosystems Portcullis catalogs, as OSV names their bucket folders.
pub(crate) const KNOWN_ECOSYSTEMS: [&str; 16] = [
    "AlmaLinux",
    "Alpine",
    "Chainguard",
    "crates.io",
    "Debian",
    "Go",
    "Maven",
    "npm",
    "NuGet",
    "Packagist",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "RubyGems",
    "Ubuntu",
    "Wolfi",
];

/// Attempts per mirror for errors that may pass (5xx, 429, a dropped connection).
const ATTEMPTS_PER_MIRROR: u32 = 3;
/// First backoff; doubled per attempt (250 ms, 500 ms).
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest `Retry-After` honoured (10 s).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// Connect timeout per request (10 s).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A place feeds come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    Http(String),
    Folder(PathBuf),
}

fn is_loopback_url(rest: &str) -> bool {
    let host = rest.split('/').next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(host, _)| host);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

impl FromStr for Mirror {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim_end_matches('/');
        if trimmed.starts_with("https://") {
            return Ok(Mirror::Http(trimmed.to_owned()));
        }
        if let Some(rest) = trimmed.strip_prefix("http://") {
            return if is_loopback_url(rest) {
                Ok(Mirror::Http(trimmed.to_owned()))
            } else {
                Err(Error::BadMirror(text.to_owned()))
            };
        }
        let path = PathBuf::from(trimmed.strip_prefix("file://").unwrap_or(trimmed));
        if path.is_dir() {
            Ok(Mirror::Folder(path))
        } else {
            Err(Error::BadMirror(text.to_owned()))
        }
    }
}

impl Mirror {
    /// The ecosystems a folder mirror holds (`<name>/all.zip`); `None` for HTTP.
    pub fn listing(&self) -> Result<Option<Vec<String>>, Error> {
        let Mirror::Folder(path) = self else {
            return Ok(None);
        };
        let mut names = Vec::new();
        for entry in fs_err::read_dir(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })? {
            let entry = entry.map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            if entry.path().join("all.zip").is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(Some(names))
    }
}

/// A fetched feed.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// New content, in a file (a scratch file for HTTP, the mirror's own for folders).
    File {
        path: PathBuf,
        url: String,
        etag: Option<String>,
        last_modified: Option<String>,
        _scratch: Option<tempfile::TempPath>,
    },
    /// The server said 304: the previous import still stands.
    Unchanged,
    /// No mirror has it.
    Absent { tried: Vec<String> },
    /// No mirror that might have it answered (network errors, 5xx after retries).
    Unreachable {
        tried: Vec<String>,
        /// The last mirror's last error.
        why: String,
    },
}

/// Fetches over HTTP with one runtime and client for the whole update.
pub(crate) struct Fetcher {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    scratch_dir: PathBuf,
    progress: bool,
    request_timeout: Duration,
    /// When the whole update must have ended.
    deadline: std::time::Instant,
    deadline_seconds: u64,
}

/// What one HTTP attempt came to.
enum Attempt {
    Done(Fetched),
    NotFound,
    Retry(Option<Duration>, String),
    /// Not worth retrying on this mirror (a timeout: another would cost a whole timeout again).
    GiveUp(String),
}

impl Fetcher {
    /// `progress` draws a download bar on stderr (the caller checks it is a terminal).
    pub(crate) fn new(
        scratch_dir: &Path,
        progress: bool,
        request_timeout: Duration,
        deadline: Duration,
    ) -> Result<Fetcher, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|source| Error::Io {
                path: scratch_dir.to_owned(),
                source,
            })?;
        let client = portcullis_source::http::client_builder()
            .connect_timeout(CONNECT_TIMEOUT.min(request_timeout))
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Fetch {
                url: String::new(),
                source: Box::new(e),
            })?;
        Ok(Fetcher {
            runtime,
            client,
            scratch_dir: scratch_dir.to_owned(),
            progress,
            request_timeout,
            deadline: std::time::Instant::now() + deadline,
            deadline_seconds: deadline.as_secs(),
        })
    }

    /// Fetches `<mirror>/<ecosystem>/all.zip` from the first mirror that has it.
    pub(crate) fn ecosystem(
        &self,
        mirrors: &[Mirror],
        ecosystem: &str,
        previous: Option<&SourceInfo>,
    ) -> Result<Fetched, Error> {
        let mut tried = Vec::new();
        let mut failed: Vec<String> = Vec::new();
        let mut unreachable: Option<String> = None;
        for mirror in mirrors {
            match mirror {
                Mirror::Folder(root) => {
                    let path = root.join(ecosystem).join("all.zip");
                    tried.push(path.display().to_string());
                    if path.is_file() {
                        return Ok(Fetched::File {
                            url: format!("file://{}", path.display()),
                            path,
                            etag: None,
                            last_modified: None,
                            _scratch: None,
                        });
                    }
                }
                Mirror::Http(base) => {
                    let url = format!("{base}/{}/all.zip", ecosystem.replace(' ', "%20"));
                    tried.push(url.clone());
                    match self.url(&url, previous)? {
                        Fetched::Unreachable { why, .. } => {
                            failed.push(format!("`{url}` ({why})"));
                            unreachable = Some(why);
                        }
                        Fetched::Absent { .. } => {}
                        fetched => {
                            // Said once, and only when another mirror served it:
                            // when none does, the update's error says why.
                            if !failed.is_empty() {
                                tracing::warn!("used `{url}`: {} failed", failed.join(", "));
                            }
                            return Ok(fetched);
                        }
                    }
                }
            }
        }
        Ok(match unreachable {
            Some(why) => Fetched::Unreachable { tried, why },
            None => Fetched::Absent { tried },
        })
    }

    /// Fetches one URL with retries: [`Fetched::Absent`] when the server says
    /// it is missing, [`Fetched::Unreachable`] when it keeps failing or times out.
    pub(crate) fn url(&self, url: &str, previous: Option<&SourceInfo>) -> Result<Fetched, Error> {
        let tried = || vec![url.to_owned()];
        let previous = previous.filter(|p| p.url == url);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS_PER_MIRROR {
            match self.runtime.block_on(self.attempt(url, previous))? {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::NotFound => return Ok(Fetched::Absent { tried: tried() }),
                Attempt::GiveUp(why) => {
                    // One line per feed at most, from the caller's error;
                    // the details at -v.
                    tracing::info!("`{url}`: {why}; trying the next mirror");
                    return Ok(Fetched::Unreachable {
                        tried: tried(),
                        why,
                    });
                }
                Attempt::Retry(after, why) => {
                    let backoff = after
                        .unwrap_or_else(|| retry::backoff(attempt, FIRST_BACKOFF, MAX_RETRY_AFTER));
                    if attempt + 1 < ATTEMPTS_PER_MIRROR {
                        let Some(left) = self.remaining().filter(|left| *left > backoff) else {
                            last = format!("{why}; {}", self.past_deadline());
                            break;
                        };
                        tracing::debug!(
                            "`{url}`: {why}; retrying in {} ms",
                            backoff.min(left).as_millis()
                        );
                        std::thread::sleep(backoff);
                    }
                    last = why;
                }
            }
        }
        tracing::info!("`{url}`: giving up after {ATTEMPTS_PER_MIRROR} attempts: {last}");
        Ok(Fetched::Unreachable {
            tried: tried(),
            why: format!("{last} ({ATTEMPTS_PER_MIRROR} attempts)"),
        })
    }

    /// What is left of the update's deadline, if anything.
    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .checked_duration_since(std::time::Instant::now())
            .filter(|left| !left.is_zero())
    }

    fn past_deadline(&self) -> String {
        format!(
            "the update's deadline (`--deadline {}`) passed",
            self.deadline_seconds
        )
    }

    async fn attempt(&self, url: &str, previous: Option<&SourceInfo>) -> Result<Attempt, Error> {
        let Some(left) = self.remaining() else {
            return Ok(Attempt::GiveUp(self.past_deadline()));
        };
        let timeout = self.request_timeout.min(left);
        let timed_out = || {
            if timeout < self.request_timeout {
                self.past_deadline()
            } else {
                format!("no answer within {} s (`--timeout`)", timeout.as_secs())
            }
        };
        let mut request = self.client.get(url).timeout(timeout);
        if let Some(previous) = previous {
            if let Some(etag) = &previous.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &previous.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
            }
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) if error.is_timeout() => return Ok(Attempt::GiveUp(timed_out())),
            // A URL that cannot be requested at all is not worth a retry.
            Err(error) if error.is_builder() => return Ok(Attempt::GiveUp(error_chain(&error))),
            Err(error) => return Ok(Attempt::Retry(None, error_chain(&error))),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Attempt::Done(Fetched::Unchanged));
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(Attempt::NotFound);
        }
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry::retry_after(v, SystemTime::now(), MAX_RETRY_AFTER));
            return Ok(Attempt::Retry(after, format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Ok(Attempt::NotFound);
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let io_error = |source| Error::Io {
            path: self.scratch_dir.clone(),
            source,
        };
        fs_err::create_dir_all(&self.scratch_dir).map_err(io_error)?;
        let mut scratch = tempfile::NamedTempFile::new_in(&self.scratch_dir).map_err(io_error)?;
        let bar = if self.progress {
            indicatif::ProgressBar::new(response.content_length().unwrap_or(0))
                .with_style(
                    indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                )
                .with_message(url.to_owned())
        } else {
            indicatif::ProgressBar::hidden()
        };
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    scratch.write_all(&chunk).map_err(io_error)?;
                    bar.inc(chunk.len() as u64);
                }
                Ok(None) => break,
                Err(error) if error.is_timeout() => {
                    bar.finish_and_clear();
                    return Ok(Attempt::GiveUp(format!(
                        "the download did not finish: {}",
                        timed_out()
                    )));
                }
                Err(error) => {
                    bar.finish_and_clear();
                    return Ok(Attempt::Retry(
                        None,
                        format!("the download broke off: {}", error_chain(&error)),
                    ));
                }
            }
        }
        bar.finish_and_clear();
        let scratch = scratch.into_temp_path();
        Ok(Attempt::Done(Fetched::File {
            path: scratch.to_path_buf(),
            url: url.to_owned(),
            etag,
            last_modified,
            _scratch: Some(scratch),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_parse_by_scheme_and_plain_http_only_on_loopback() {
        assert_eq!(
            "https://example.org/osv/".parse::<Mirror>().unwrap(),
            Mirror::Http("https://example.org/osv".into())
        );
        assert!("http://127.0.0.1:8080".parse::<Mirror>().is_ok());
        assert!("http://example.org".parse::<Mirror>().is_err());
        assert!("/definitely/not/here".parse::<Mirror>().is_err());
        assert_eq!(
            "file:///tmp".parse::<Mirror>().unwrap(),
            Mirror::Folder("/tmp".into())
        );
    }
}
