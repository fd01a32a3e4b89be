//! The command line: clap definitions, flags > environment > defaults resolved
//! into frozen configs, and calls into the engine. No logic lives here.

mod config_file;
mod db;
mod exit;
mod github;
mod hook;
mod options;
mod policy;
mod sbom;
mod scan;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub(crate) use exit::{exit_code, render_error};

/// Portcullis: a vulnerability gate for CI/CD pipelines.
#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about)]
struct Cli {
    /// Log more (-v debug, -vv trace); logs go to stderr.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a target for known vulnerabilities and decide whether it may ship.
    Scan(Box<scan::ScanArgs>),
    /// Write a software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON) for a target.
    Sbom(sbom::SbomArgs),
    /// Build, update, inspect and move the offline vulnerability DB.
    Db(db::DbArgs),
    /// Inspect and try policy modules.
    Policy(policy::PolicyArgs),
    /// Upload SARIF to GitHub code scanning, or comment on a pull request.
    Github(github::GithubArgs),
    /// Install and run the git pre-push hook.
    Hook(hook::HookArgs),
}

/// Parses the command line and runs the command.
pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PORTCULLIS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .init();
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Sbom(args) => sbom::run(&args),
        Command::Db(args) => db::run(&args),
        Command::Policy(args) => policy::run(&args),
        Command::Github(args) => github::run(&args),
        Command::Hook(args) => hook::run(&args),
    }
}
