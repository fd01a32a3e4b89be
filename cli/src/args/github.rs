//! `portcullis github` flags.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub(crate) struct GithubArgs {
    #[command(subcommand)]
    pub(crate) command: GithubCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum GithubCommand {
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
