//! `hook pre-push`: which folders to scan, from git's stdin.
//!
//! git gives one line per ref: `<local ref> <local sha> <remote ref> <remote
//! sha>`. The commits a push adds are `remote..local` (or, for a new branch,
//! those no remote-tracking ref has); a folder is scanned when one of those
//! commits changed a file the catalog reads there (a lock file, a manifest)
//! or a Dockerfile. Folders are exported from the pushed commit with `git
//! archive`, so what is scanned is what is pushed, not the work tree.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::git::{git, git_lines};
use super::Error;

/// One ref being pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub local_ref: String,
    pub local_sha: String,
    pub remote_ref: String,
    pub remote_sha: String,
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

/// Parses git's pre-push stdin.
pub fn parse_updates(input: &str) -> Result<Vec<Update>, Error> {
    input
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [local_ref, local_sha, remote_ref, remote_sha] => Ok(Update {
                    local_ref: (*local_ref).to_owned(),
                    local_sha: (*local_sha).to_owned(),
                    remote_ref: (*remote_ref).to_owned(),
                    remote_sha: (*remote_sha).to_owned(),
                }),
                _ => Err(Error::BadInput {
                    line: index + 1,
                    text: line.to_owned(),
                }),
            }
        })
        .collect()
}

/// Whether `path` (relative to the repository) is a Dockerfile.
fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
}

/// What a push asks to scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// `(commit, folder)` pairs, folder relative to the repository root
    /// (`.` for the root), sorted and without repeats.
    pub folders: Vec<(String, String)>,
    /// A pushed commit changed a Dockerfile.
    pub dockerfile_changed: bool,
}

/// Works out what to scan for `updates`.
pub fn folders_to_scan(
    repo: &Path,
    remote: &str,
    updates: &[Update],
    is_manifest: &dyn Fn(&str) -> bool,
) -> Result<Plan, Error> {
    let mut folders = BTreeSet::new();
    let mut dockerfile_changed = false;
    for update in updates {
        if is_zero(&update.local_sha) {
            continue; // a deleted ref pushes nothing
        }
        let mut args = vec!["log", "--name-only", "--format=", "--no-renames"];
        let range;
        let not_remote;
        if is_zero(&update.remote_sha) {
            not_remote = format!("--remotes={remote}");
            args.extend([update.local_sha.as_str(), "--not", not_remote.as_str()]);
        } else {
            range = format!("{}..{}", update.remote_sha, update.local_sha);
            args.push(range.as_str());
        }
        for path in git_lines(repo, &args)? {
            let dockerfile = is_dockerfile(&path);
            dockerfile_changed |= dockerfile;
            if is_manifest(&path) || dockerfile {
                let folder = match path.rsplit_once('/') {
                    Some((folder, _)) => folder.to_owned(),
                    None => ".".to_owned(),
                };
                folders.insert((update.local_sha.clone(), folder));
            }
        }
    }
    Ok(Plan {
        folders: folders.into_iter().collect(),
        dockerfile_changed,
    })
}

/// Writes `folder` as it is in `commit` below `dest`; returns its path there.
pub fn export_folder(
    repo: &Path,
    commit: &str,
    folder: &str,
    dest: &Path,
) -> Result<PathBuf, Error> {
    let tar = git(repo, &["archive", "--format=tar", commit, "--", folder])?;
    tar::Archive::new(tar.as_slice())
        .unpack(dest)
        .map_err(|source| Error::Write {
            path: dest.display().to_string(),
            source,
        })?;
    Ok(dest.join(folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_input_and_refuses_garbage() {
        let updates = parse_updates(
            "refs/heads/main 1111111111111111111111111111111111111111 refs/heads/main 0000000000000000000000000000000000000000\n",
        )
        .expect("parses");
        assert_eq!(updates.len(), 1);
        assert!(is_zero(&updates[0].remote_sha));
        let error = parse_updates("refs/heads/main abc\n").unwrap_err();
        assert!(error.to_string().contains("line 1"), "{error}");
    }

    #[test]
    fn dockerfiles_by_name() {
        assert!(is_dockerfile("Dockerfile"));
        assert!(is_dockerfile("svc/Dockerfile.prod"));
        assert!(is_dockerfile("svc/api.Dockerfile"));
        assert!(!is_dockerfile("docs/Dockerfiles.md"));
    }
}
