//! Caches someone else can write (`actions/cache`, a shared runner disk): the
//! layer cache and the compiled-policy cache. Every entry is sealed; swapped,
//! flipped, truncated, or sealed under another secret, it is a miss, so the
//! findings and the verdict stay those of a clean scan and nothing crashes.

use std::path::{Path, PathBuf};

use crate::scan::corpus_db;
use crate::support::{fixtures, portcullis, stderr};

const KEY: &str = "the test suite's cache key (not a secret)";
const ATTACKER_KEY: &str = "someone else's key, sealing their entries";

/// (exit code, verdict and findings, stderr) of a `-v` scan of debian-app.
fn scan(cache: &Path, key: &str, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let output = portcullis(cache)
        .env("PORTCULLIS_CACHE_KEY", key)
        .args(["-v", "scan"])
        .arg(fixtures().join("debian-app.oci"))
        .arg("--db")
        .arg(corpus_db())
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let text = stderr(&output);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("no JSON report (exit {:?}): {text}", output.status));
    let result = serde_json::json!({
        "verdict": report["verdict"],
        "findings": report["findings"],
        "policies": report["policies"],
    });
    (output.status.code().unwrap_or(-1), result, text)
}

fn entries(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    found.sort();
    found
}

/// Each way an entry is damaged: what becomes of entry `index` of `all`.
fn tampered(kind: &str, index: usize, all: &[Vec<u8>], foreign: &[Vec<u8>]) -> Vec<u8> {
    let mine = &all[index];
    let flipped = |at: usize| {
        let mut bytes = mine.clone();
        bytes[at] ^= 0x40;
        bytes
    };
    match kind {
        "swapped" => all[(index + 1) % all.len()].clone(),
        "flipped in the header" => flipped(8),
        "flipped in the middle" => flipped(mine.len() / 2),
        "flipped in the tag" => flipped(mine.len() - 5),
        "truncated" => mine[..mine.len() / 2].to_vec(),
        "sealed with another key" => foreign[index % foreign.len()].clone(),
        other => unreachable!("{other}"),
    }
}

const KINDS: [&str; 6] = [
    "swapped",
    "flipped in the header",
    "flipped in the middle",
    "flipped in the tag",
    "truncated",
    "sealed with another key",
];

/// Damages every entry of `dir` each way in turn and checks the scan
/// against a clean one.
fn check_tampering(cache: &Path, dir: &Path, extension: &str, said: &str, extra: &[&str]) {
    let (clean_code, clean, _) = scan(cache, KEY, extra);
    let paths = entries(dir, extension);
    assert!(
        !paths.is_empty(),
        "no `{extension}` entries in {}",
        dir.display()
    );
    let originals: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    // The same entries, sealed by someone without our secret.
    let elsewhere = tempfile::tempdir().unwrap();
    scan(elsewhere.path(), ATTACKER_KEY, extra);
    let foreign_dir = elsewhere.path().join(dir.strip_prefix(cache).unwrap());
    let foreign: Vec<Vec<u8>> = entries(&foreign_dir, extension)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(foreign.len(), originals.len());
    assert_ne!(foreign, originals, "another key seals differently");
    for kind in KINDS {
        for (index, path) in paths.iter().enumerate() {
            std::fs::write(path, tampered(kind, index, &originals, &foreign)).unwrap();
        }
        let (code, result, text) = scan(cache, KEY, extra);
        assert_eq!(code, clean_code, "{kind}: {text}");
        assert!(result == clean, "{kind}: the result changed");
        assert!(text.contains(said), "{kind}: nothing said at -v: {text}");
    }
    for (path, original) in paths.iter().zip(&originals) {
        std::fs::write(path, original).unwrap();
    }
    let (_, result, text) = scan(cache, KEY, extra);
    assert_eq!(result, clean);
    assert!(!text.contains(said), "good entries are used: {text}");
}

#[test]
fn tampered_layer_cache_entries_never_change_the_result() {
    let cache = tempfile::tempdir().unwrap();
    let (code, _, _) = scan(cache.path(), KEY, &[]);
    assert_eq!(code, 1, "debian-app fails the default gate");
    check_tampering(
        cache.path(),
        &cache.path().join("layers"),
        "bin",
        "layer cache: ignoring",
        &[],
    );
}

#[test]
fn tampered_compiled_policies_are_recompiled_not_run() {
    let cache = tempfile::tempdir().unwrap();
    // Two built-ins, so a swap puts one module's native code under the other's name.
    let policies = [
        "--policy",
        "builtin:severity-gate",
        "--policy",
        "builtin:known-exploited",
    ];
    let (code, _, _) = scan(cache.path(), KEY, &policies);
    assert_eq!(code, 1);
    check_tampering(
        cache.path(),
        &cache.path().join("policies"),
        "cwasm",
        "is not used",
        &policies,
    );
}

#[test]
fn a_short_cache_key_is_an_error_not_ignored() {
    let cache = tempfile::tempdir().unwrap();
    let output = portcullis(cache.path())
        .env("PORTCULLIS_CACHE_KEY", "short")
        .args(["sbom"])
        .arg(fixtures().join("debian-app.oci"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("PORTCULLIS_CACHE_KEY"), "{text}");
    assert!(text.contains("at least 16"), "{text}");
    assert!(output.stdout.is_empty());
}
