//! `portcullis github upload-sarif|comment`: wiring only.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::github::{self, Client, CommentOutcome, Context, Polling};

#[derive(Debug, Args)]
pub(crate) struct GithubArgs {
    #[command(subcommand)]
    command: GithubCommand,
}

#[derive(Debug, Subcommand)]
enum GithubCommand {
    /// Upload a SARIF log to code scanning for GITHUB_SHA and GITHUB_REF, and
    /// wait until GitHub has processed it (fails when processing fails).
    UploadSarif {
        /// The SARIF file (`scan --output sarif=FILE`).
        file: PathBuf,
        /// The code-scanning category (default: the one the log carries, per image and platform).
        #[arg(long)]
        category: Option<String>,
        /// Seconds to wait for processing; 0 returns right after the upload.
        #[arg(long, default_value_t = 120)]
        wait: u64,
        /// Seconds between status checks.
        #[arg(long, default_value_t = 5.0)]
        poll_interval: f64,
    },
    /// Create or update this image's comment on the pull request with the
    /// Markdown summary (`scan --output markdown=FILE`).
    Comment {
        /// The Markdown summary file.
        report: PathBuf,
        /// The pull request (default: from GITHUB_REF `refs/pull/N/merge`).
        #[arg(long)]
        pr: Option<u64>,
    },
}

pub(crate) fn run(args: &GithubArgs) -> anyhow::Result<ExitCode> {
    let context = Context::from_env(|name| std::env::var(name).ok())?;
    match &args.command {
        GithubCommand::UploadSarif {
            file,
            category,
            wait,
            poll_interval,
        } => {
            let client = Client::new(context)?;
            let polling = Polling {
                interval: Duration::try_from_secs_f64(*poll_interval)
                    .context("`--poll-interval` must be a positive number of seconds")?,
                timeout: Duration::from_secs(*wait),
            };
            let outcome = github::upload_sarif(&client, file, category.as_deref(), polling)?;
            tracing::info!("SARIF upload {}: {}", outcome.id, outcome.status);
            crate::report::write_stdout(&format!(
                "uploaded {} as {} ({}){}\n",
                file.display(),
                outcome.id,
                outcome.status,
                outcome
                    .analyses_url
                    .map(|url| format!(": {url}"))
                    .unwrap_or_default()
            ))?;
        }
        GithubCommand::Comment { report, pr } => {
            let number = match pr.or_else(|| context.pull_request()) {
                Some(number) => number,
                None => return Err(github::Error::NotAPullRequest(context.git_ref).into()),
            };
            let summary = fs_err::read_to_string(report)?;
            let client = Client::new(context)?;
            let text = match github::comment(&client, &summary, number)? {
                CommentOutcome::Created(id) => format!("created comment {id} on #{number}\n"),
                CommentOutcome::Updated(id) => format!("updated comment {id} on #{number}\n"),
            };
            crate::report::write_stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
