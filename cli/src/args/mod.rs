//! The command line's flags, as clap reads them: raw values only. `settings/`
//! turns them into the engine's frozen configs; `cmd/` runs the commands.

mod db;
mod format;
mod github;
mod hook;
mod policy;
mod sbom;
mod scan;
mod target;

use clap::{Parser, Subcommand};

pub(crate) use db::{DbArgs, DbCommand};
pub(crate) use github::{GithubArgs, GithubCommand};
pub(crate) use hook::{HookArgs, HookCommand};
pub(crate) use policy::{PolicyArgs, PolicyCommand};
pub(crate) use sbom::SbomArgs;
pub(crate) use scan::ScanArgs;
pub(crate) use target::TargetArgs;

/// Portcullis: a vulnerability gate for CI/CD pipelines.
#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about)]
pub(crate) struct Cli {
    /// Log more (-v debug, -vv trace); logs go to stderr.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,
    /// Print only errors and the report: no warnings, no progress bar.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan a target for known vulnerabilities and decide whether it may ship.
    Scan(Box<ScanArgs>),
    /// Write a software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON) for a target.
    Sbom(SbomArgs),
    /// Build, update, inspect and move the offline vulnerability DB.
    Db(DbArgs),
    /// Inspect and try policy modules.
    Policy(PolicyArgs),
    /// Upload SARIF to GitHub code scanning, or comment on a pull request.
    Github(GithubArgs),
    /// Install and run the git pre-push hook.
    Hook(HookArgs),
}
