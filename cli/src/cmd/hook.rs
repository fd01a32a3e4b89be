//! `portcullis hook install|pre-push`: wiring only. The pre-push hook runs
//! this same binary's `scan` on each folder the push changes.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::{catalog, hook};

#[derive(Debug, Args)]
pub(crate) struct HookArgs {
    #[command(subcommand)]
    command: HookCommand,
}

#[derive(Debug, Subcommand)]
enum HookCommand {
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

pub(crate) fn run(args: &HookArgs) -> anyhow::Result<ExitCode> {
    let binary = std::env::current_exe().context("could not find this binary's path")?;
    match &args.command {
        HookCommand::Install { repo } => {
            let installed = hook::install(repo, &binary)?;
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
            crate::report::write_stdout(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        HookCommand::PrePush {
            remote, scan_args, ..
        } => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("could not read git's input")?;
            let updates = hook::parse_updates(&input)?;
            let selection = catalog::selection()?;
            let is_manifest = |path: &str| selection.want_for(path, &mut Vec::new()).is_some();
            let repo = std::env::current_dir()?;
            let plan = hook::folders_to_scan(
                &repo,
                remote.as_deref().unwrap_or("origin"),
                &updates,
                &is_manifest,
            )?;
            let mut worst = 0u8;
            for (commit, folder) in &plan.folders {
                let temp = tempfile::tempdir()?;
                let exported = hook::export_folder(&repo, commit, folder, temp.path())?;
                let status = Command::new(&binary)
                    .arg("scan")
                    .arg(format!("dir:{}", exported.display()))
                    .args(scan_args)
                    .status()
                    .context("could not run `portcullis scan`")?;
                let code = u8::try_from(status.code().unwrap_or(3)).unwrap_or(3);
                if code != 0 {
                    tracing::error!(
                        "`{folder}` at {} did not pass (exit {code})",
                        commit.get(..12).unwrap_or(commit)
                    );
                }
                worst = worst.max(code);
            }
            let settings = super::config_file::load(None)?.hook;
            if let (true, Some(image), Some(build)) =
                (plan.dockerfile_changed, &settings.image, &settings.build)
            {
                let built = Command::new("sh")
                    .args(["-c", build])
                    .status()
                    .with_context(|| format!("could not run the hook's build command `{build}`"))?;
                let code = if built.success() {
                    let status = Command::new(&binary)
                        .args(["scan", image])
                        .args(scan_args)
                        .status()
                        .context("could not run `portcullis scan`")?;
                    u8::try_from(status.code().unwrap_or(3)).unwrap_or(3)
                } else {
                    tracing::error!("the hook's build command `{build}` failed");
                    2
                };
                worst = worst.max(code);
            }
            if worst != 0 {
                eprintln_block(&plan.folders, worst)?;
            }
            Ok(ExitCode::from(worst))
        }
    }
}

/// Tells the pusher why the push stopped and how to get past it.
fn eprintln_block(folders: &[(String, String)], code: u8) -> std::io::Result<()> {
    use std::io::Write as _;
    let names: Vec<&str> = folders.iter().map(|(_, f)| f.as_str()).collect();
    let why = match code {
        1 => "a policy failed",
        2 => "the input could not be read",
        _ => "the gate could not decide",
    };
    writeln!(
        std::io::stderr(),
        "portcullis: push blocked: {why} for {} (see above). Fix it, add a reasoned entry to \
         .portcullis-ignore.toml, or skip the check once with `git push --no-verify`.",
        names.join(", ")
    )
}
