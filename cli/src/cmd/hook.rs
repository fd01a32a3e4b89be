//! `portcullis hook install|pre-push`: wiring only. The pre-push hook scans
//! each folder the push changes with the engine, in this process, as
//! `portcullis scan dir:FOLDER SCAN_ARGS…` would.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;

use portcullis_engine::report;
use portcullis_hook::HookImage;

use crate::args::{Cli, Command, HookArgs, HookCommand};
use crate::settings;

/// Scans `target` with `scan_args` as `portcullis scan` does, the reports
/// naming it `name`; its exit code.
fn scan(target: &str, name: &str, scan_args: &[String]) -> u8 {
    let argv = ["portcullis", "scan", target, "--target-name", name]
        .into_iter()
        .map(str::to_owned)
        .chain(scan_args.iter().cloned());
    let code = match Cli::try_parse_from(argv) {
        Ok(Cli {
            command: Command::Scan(args),
            ..
        }) => super::scan::run(&args).unwrap_or_else(|error| {
            if let Some(text) = super::render_error(&error) {
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
            super::exit_code(&error)
        }),
        Ok(_) => ExitCode::from(2),
        Err(error) => {
            let _ = error.print();
            ExitCode::from(2)
        }
    };
    super::exit::code_number(code)
}

pub(crate) fn run(args: &HookArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        HookCommand::Install { repo } => {
            let binary = std::env::current_exe().context("could not find this binary's path")?;
            let installed = portcullis_hook::install(repo, &binary)?;
            let mut text = if installed.unchanged {
                format!("{} is already installed\n", installed.path.display())
            } else {
                format!("installed {}\n", installed.path.display())
            };
            if let Some(chained) = installed.chained {
                text.push_str(&format!(
                    "the previous hook runs first: {}\n",
                    chained.display()
                ));
            }
            report::write_stdout(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        HookCommand::PrePush {
            remote, scan_args, ..
        } => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("could not read git's input")?;
            let updates = portcullis_hook::parse_updates(&input)?;
            let selection = portcullis_engine::catalog::selection()?;
            let is_manifest = |path: &str| selection.want_for(path, &mut Vec::new()).is_some();
            let repo = std::env::current_dir()?;
            let file = settings::load_file(None)?.hook;
            let image = match (file.image, file.build) {
                (Some(image), Some(build)) => Some(HookImage { image, build }),
                _ => None,
            };
            let outcome = portcullis_hook::run(
                &repo,
                remote.as_deref().unwrap_or("origin"),
                &updates,
                image.as_ref(),
                &is_manifest,
                &mut |target, name| scan(target, name, scan_args),
            )?;
            if let Some(message) = outcome.block_message() {
                std::io::stderr().write_all(message.as_bytes())?;
            }
            Ok(ExitCode::from(outcome.code))
        }
    }
}
