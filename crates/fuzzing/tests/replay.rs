//! Replays every committed fuzz input (`fuzz/corpus/<target>`, minimised by
//! tests/fuzz.sh, and `fuzz/regressions/<target>`, each input that once
//! crashed a target) through the same entry points the fuzz targets call.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_a_fuzz_binary_and_each_binary_a_target() {
    let mut binaries: Vec<String> = inputs(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    binaries.sort();
    let mut targets: Vec<String> = portcullis_fuzzing::TARGETS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    targets.sort();
    assert_eq!(binaries, targets);
}

#[test]
fn the_committed_corpus_and_regressions_replay_without_a_panic() {
    let mut replayed = 0;
    for (name, target) in portcullis_fuzzing::TARGETS {
        for kind in ["corpus", "regressions"] {
            for input in inputs(&fuzz_dir().join(kind).join(name)) {
                let bytes = std::fs::read(&input).unwrap();
                let result = std::panic::catch_unwind(|| target(&bytes));
                assert!(result.is_ok(), "{name} panicked on {}", input.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed > 0, "no fuzz inputs are committed");
}
