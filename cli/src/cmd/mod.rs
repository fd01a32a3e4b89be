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
    // Portcullis's own events (crates `portcullis*`) at -v and -vv; the
    // dependencies' (wasmtime, cranelift, hyper…) only at -vvv, or as
    // PORTCULLIS_LOG or RUST_LOG say.
    crate::settings::set_quiet(cli.quiet);
    let level = match cli.verbose {
        0 if cli.quiet => "error",
        0 => "warn",
        1 => "warn,portcullis=debug",
        2 => "warn,portcullis=trace",
        _ => "trace",
    };
    let filter = [EnvVar::Log.name(), "RUST_LOG"]
        .into_iter()
        .find_map(|var| tracing_subscriber::EnvFilter::try_from_env(var).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        // A closed stderr (`2>&1 | head`) loses log lines, never panics:
        // the subscriber's own report of a failed write would `eprintln!`.
        .log_internal_errors(false)
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
