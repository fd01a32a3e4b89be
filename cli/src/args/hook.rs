//! `portcullis hook` flags.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub(crate) struct HookArgs {
    #[command(subcommand)]
    pub(crate) command: HookCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HookCommand {
    /// Write `.git/hooks/pre-push` (an existing hook is kept and run first).
    Install {
        /// The repository (default: the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Run by git before a push: reads git's ref lines on stdin and scans
    /// what the pushed commits change; exits 1 to block the push.
    PrePush {
        /// The remote's name, as git passes it.
        remote: Option<String>,
        /// The remote's URL, as git passes it.
        url: Option<String>,
        /// Extra arguments for each `portcullis scan` (e.g. `--fail-on high`).
        #[arg(last = true)]
        scan_args: Vec<String>,
    },
}
