//! `hook pre-push` end to end: plan what the push changes, export each folder
//! from the pushed commit, scan it with the engine (the caller's `scan`, run
//! in this process), build and scan the configured image when a Dockerfile
//! changed, and say why the push is blocked.

use std::path::Path;
use std::process::Command;

use super::pre_push::{export_folder, folders_to_scan, Update};
use super::Error;

/// The image the hook builds and scans when a pushed commit changes a Dockerfile.
#[derive(Debug, Clone)]
pub struct HookImage {
    /// The image to scan (any TARGET).
    pub image: String,
    /// The shell command that builds it.
    pub build: String,
}

/// What a pre-push run decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The worst exit code of every scan (0 when all passed).
    pub code: u8,
    /// The folders that were scanned.
    pub folders: Vec<String>,
}

impl Outcome {
    /// Tells the pusher why the push stopped and how to get past it.
    pub fn block_message(&self) -> Option<String> {
        let why = match self.code {
            0 => return None,
            1 => "a policy failed",
            2 => "the input could not be read",
            _ => "the gate could not decide",
        };
        Some(format!(
            "portcullis: push blocked: {why} for {} (see above). Fix it, add a reasoned entry to \
             .portcullis-ignore.toml, or skip the check once with `git push --no-verify`.\n",
            self.folders.join(", ")
        ))
    }
}

/// Runs the hook for `updates`; `scan` scans one TARGET, named in its
/// reports as the second argument (the folder in the repository, or the
/// image), and gives its exit code.
pub fn run(
    repo: &Path,
    remote: &str,
    updates: &[Update],
    image: Option<&HookImage>,
    is_manifest: &dyn Fn(&str) -> bool,
    scan: &mut dyn FnMut(&str, &str) -> u8,
) -> Result<Outcome, Error> {
    let plan = folders_to_scan(repo, remote, updates, is_manifest)?;
    let mut worst = 0u8;
    for (commit, folder) in &plan.folders {
        let temp = tempfile::tempdir().map_err(|source| Error::Write {
            path: std::env::temp_dir().display().to_string(),
            source,
        })?;
        let exported = export_folder(repo, commit, folder, temp.path())?;
        let name = repo.join(folder).display().to_string();
        let code = scan(&format!("dir:{}", exported.display()), &name);
        if code != 0 {
            tracing::error!(
                "`{folder}` at {} did not pass (exit {code})",
                commit.get(..12).unwrap_or(commit)
            );
        }
        worst = worst.max(code);
    }
    if let (true, Some(image)) = (plan.dockerfile_changed, image) {
        let built = Command::new("sh")
            .args(["-c", &image.build])
            .status()
            .map_err(|source| Error::Build {
                command: image.build.clone(),
                source,
            })?;
        let code = if built.success() {
            scan(&image.image, &image.image)
        } else {
            tracing::error!("the hook's build command `{}` failed", image.build);
            2
        };
        worst = worst.max(code);
    }
    Ok(Outcome {
        code: worst,
        folders: plan.folders.into_iter().map(|(_, folder)| folder).collect(),
    })
}
