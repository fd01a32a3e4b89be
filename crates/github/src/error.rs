//! Why a GitHub call failed.

/// Errors of the GitHub client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{0}` is not set; GitHub Actions sets it (outside Actions, export it)")]
    MissingEnv(&'static str),
    #[error("`GITHUB_REPOSITORY` is `{0}`, not OWNER/REPO")]
    BadRepository(String),
    #[error("`GITHUB_API_URL` `{url}` is not a usable URL: {why}")]
    BadApiUrl { url: String, why: &'static str },
    #[error("`GITHUB_TOKEN` holds characters an HTTP header cannot carry")]
    BadToken,
    #[error("could not start the HTTP runtime")]
    Runtime(#[source] std::io::Error),
    #[error("GitHub refused to {what}")]
    Api {
        what: String,
        #[source]
        source: ApiError,
    },
    #[error("could not read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a SARIF log: {why}")]
    NotSarif { path: String, why: String },
    #[error("GitHub could not process SARIF upload {id}: {}", errors.join("; "))]
    ProcessingFailed { id: String, errors: Vec<String> },
    #[error("SARIF upload {id} was still being processed after {seconds} s")]
    StillProcessing { id: String, seconds: u64 },
    #[error("no pull request to comment on: `GITHUB_REF` is `{0}` (give `--pr NUMBER`)")]
    NotAPullRequest(String),
}

/// What went wrong with one API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request did not go through")]
    Transport(#[source] reqwest::Error),
    #[error("HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("its request could not be written as JSON")]
    Request(#[source] serde_json::Error),
    #[error("its answer is not the JSON expected")]
    Answer(#[source] serde_json::Error),
}
