//! GitHub through octocrab: upload a SARIF log to code scanning and wait for
//! it to be processed, and keep one pull-request comment with the summary.
//! Settings come from the variables GitHub Actions sets; `GITHUB_API_URL`
//! points everything at GitHub Enterprise Server or at a test server.

mod comment;
mod context;
mod error;
mod sarif_upload;

pub use comment::{comment, CommentOutcome};
pub use context::Context;
pub use error::Error;
pub use sarif_upload::{upload_sarif, Polling};

/// A client for one repository.
pub struct Client {
    octocrab: octocrab::Octocrab,
    runtime: tokio::runtime::Runtime,
    context: Context,
}

impl Client {
    pub fn new(context: Context) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let octocrab = {
            let _guard = runtime.enter();
            octocrab::Octocrab::builder()
                .base_uri(context.api_url.as_str())
                .map_err(|source| Error::BadApiUrl {
                    url: context.api_url.clone(),
                    source: Box::new(source),
                })?
                .personal_token(context.token.clone())
                .add_header(
                    http::header::ACCEPT,
                    "application/vnd.github+json".to_owned(),
                )
                .add_header(
                    http::HeaderName::from_static("x-github-api-version"),
                    "2022-11-28".to_owned(),
                )
                .build()
                .map_err(|source| Error::Api {
                    what: "set up the GitHub client".to_owned(),
                    source: Box::new(source),
                })?
        };
        Ok(Client {
            octocrab,
            runtime,
            context,
        })
    }

    /// `/repos/OWNER/REPO`.
    fn repo_route(&self) -> String {
        format!("/repos/{}", self.context.repository)
    }
}
