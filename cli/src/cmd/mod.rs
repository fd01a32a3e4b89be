//! The commands: each turns resolved settings (`settings/`) into engine
//! calls and writes what they return. No logic lives here.

mod db;
mod exit;
mod github;
mod hook;
mod policy;
mod sbom;
mod scan;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::settings::EnvVar;

pub(crate) use exit::{exit_code, render_error};

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
            tracing_subscriber::EnvFilter::try_from_env(EnvVar::Log.name())
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
