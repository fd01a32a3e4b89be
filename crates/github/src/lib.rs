//! GitHub's REST API over reqwest (the one HTTP client the registry and DB
//! downloads use too): upload a SARIF log to code scanning and wait for it
//! to be processed, and keep one pull-request comment with the summary.
//! Settings come from the variables GitHub Actions sets; `GITHUB_API_URL`
//! points everything at GitHub Enterprise Server or at a test server.

mod api;
mod comment;
mod context;
mod error;
mod sarif_upload;

pub use api::Client;
pub use comment::{comment, CommentOutcome};
pub use context::Context;
pub use error::{ApiError, Error};
pub use sarif_upload::{upload_sarif, Polling};
