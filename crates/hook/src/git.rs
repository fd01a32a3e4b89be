//! Running git: its output, or its error with stderr.

use std::path::Path;
use std::process::{Command, Stdio};

use super::Error;

/// Runs `git ARGS` in `dir` and returns stdout.
pub(super) fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(Error::Spawn)?;
    if !output.status.success() {
        return Err(Error::Git {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output.stdout)
}

/// `git ARGS` as text lines.
pub(super) fn git_lines(dir: &Path, args: &[&str]) -> Result<Vec<String>, Error> {
    Ok(String::from_utf8_lossy(&git(dir, args)?)
        .lines()
        .map(str::to_owned)
        .filter(|line| !line.is_empty())
        .collect())
}
