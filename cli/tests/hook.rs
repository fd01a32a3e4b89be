//! The pre-push hook with a real `git push` to a local bare repository:
//! blocked for a lock file that pins a vulnerable version, allowed after the
//! fix, bypassed with `--no-verify`; an existing hook is kept and chained.

use std::path::Path;
use std::process::{Command, Output};

use crate::scan::corpus_db;
use crate::support::stderr;

fn git(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("PORTCULLIS_DB", corpus_db())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    output
}

fn ok(output: Output) -> Output {
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

fn lock(version: &str) -> String {
    format!("version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"{version}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n")
}

fn commit(work: &Path, path: &str, text: &str, message: &str) {
    let file = work.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
    ok(git(work, &["add", "."]));
    ok(git(work, &["commit", "-qm", message]));
}

fn install(work: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .current_dir(work)
        .args(["hook", "install"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&ok(output).stdout).into_owned()
}

/// A bare `remote.git` and a `work` repository whose `origin` it is; returns `work`.
fn repository_with_remote(dir: &Path) -> std::path::PathBuf {
    let remote = dir.join("remote.git");
    let work = dir.join("work");
    ok(git(
        dir,
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    ));
    ok(git(
        dir,
        &["init", "-q", "-b", "main", work.to_str().unwrap()],
    ));
    ok(git(
        &work,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    ));
    work
}

#[test]
fn pre_push_blocks_a_vulnerable_lock_file_and_allows_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let work = repository_with_remote(dir.path());
    commit(&work, "README.md", "hello\n", "docs");
    // An existing hook is kept and runs first, with the same input.
    let hooks = work.join(".git/hooks");
    std::fs::write(
        hooks.join("pre-push"),
        "#!/bin/sh\ncat > \"$(dirname \"$0\")/../chained-saw\"\n",
    )
    .unwrap();
    ok(Command::new("chmod")
        .args(["+x", hooks.join("pre-push").to_str().unwrap()])
        .output()
        .unwrap());
    assert!(install(&work).contains("the previous hook runs first"));
    assert!(install(&work).contains("already installed"), "idempotent");
    ok(git(&work, &["push", "-q", "origin", "main"]));
    assert!(std::fs::read_to_string(work.join(".git/chained-saw"))
        .unwrap()
        .starts_with("refs/heads/main "));

    commit(&work, "svc/Cargo.lock", &lock("1.6.0"), "pin smallvec");
    let blocked = git(&work, &["push", "origin", "main"]);
    assert!(
        !blocked.status.success(),
        "a critical finding must block the push"
    );
    let said = stderr(&blocked);
    assert!(
        said.contains("push blocked: a policy failed for svc"),
        "{said}"
    );
    assert!(said.contains("--no-verify"), "{said}");
    // The report names the folder in the repository, not the hook's export of it.
    let named = format!("{} (dir,", work.join("svc").display());
    let table = String::from_utf8_lossy(&blocked.stdout);
    assert!(table.contains(&named), "{table}");
    let remote_head = |work: &Path| {
        String::from_utf8_lossy(&ok(git(work, &["ls-remote", "origin", "main"])).stdout)
            .into_owned()
    };
    let before = remote_head(&work);

    // --no-verify bypasses the hook.
    ok(git(&work, &["push", "-q", "--no-verify", "origin", "main"]));
    assert_ne!(remote_head(&work), before);

    // The fix passes; a change elsewhere scans nothing.
    commit(&work, "svc/Cargo.lock", &lock("1.6.1"), "upgrade smallvec");
    ok(git(&work, &["push", "-q", "origin", "main"]));
    commit(&work, "README.md", "hello again\n", "docs");
    ok(git(&work, &["push", "-q", "origin", "main"]));

    // A new branch that brings the vulnerable pin back is blocked too.
    ok(git(&work, &["checkout", "-q", "-b", "topic"]));
    commit(&work, "svc/Cargo.lock", &lock("1.6.0"), "downgrade");
    let blocked = git(&work, &["push", "origin", "topic"]);
    assert!(!blocked.status.success(), "{}", stderr(&blocked));
}

/// With `[hook] image` and `build` in portcullis.toml, a pushed Dockerfile
/// change builds that image and scans it.
#[test]
fn pre_push_builds_and_scans_the_configured_image_when_a_dockerfile_changes() {
    let dir = tempfile::tempdir().unwrap();
    let work = repository_with_remote(dir.path());
    let image = dir.path().join("built.oci.tar");
    let config = format!(
        "[hook]\nimage = \"{}\"\nbuild = \"cp '{}' '{}' && echo built > build.log\"\n",
        image.display(),
        crate::support::fixtures()
            .join("debian-app.oci.tar")
            .display(),
        image.display()
    );
    commit(&work, "portcullis.toml", &config, "config");
    install(&work);
    ok(git(&work, &["push", "-q", "origin", "main"]));
    assert!(
        !work.join("build.log").exists(),
        "no Dockerfile changed: nothing built"
    );
    commit(
        &work,
        "Dockerfile",
        "FROM debian:12\nCOPY app /app\n",
        "dockerfile",
    );
    let blocked = git(&work, &["push", "origin", "main"]);
    assert!(work.join("build.log").exists(), "the build command ran");
    assert!(
        !blocked.status.success(),
        "debian-app fails the gate: {}",
        stderr(&blocked)
    );
    assert!(
        String::from_utf8_lossy(&blocked.stdout).contains("smallvec")
            || stderr(&blocked).contains("smallvec")
    );
}
