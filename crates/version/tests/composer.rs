//! Composer versions against Composer itself: every vector of
//! `tests/composer/vectors.txt` through `VersionParser::normalize` and
//! ranked by `Comparator` on the normalized forms (`oracle.php`, Debian's
//! `composer` package). With PHP and Composer installed the oracle is run
//! and must give the committed `answers.tsv`; without them the committed
//! table is the answer key.
//!
//! Kept different on purpose: a branch (`dev-master`, `master`), which
//! Composer names `dev-…`, is refused: no advisory range holds a branch.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use portcullis_version::{ComposerVersion, Scheme, Version};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/composer")
}

const COMPOSER: &str = "/usr/share/php/Composer/Semver/autoload.php";

/// The oracle's answers for the vectors, when PHP and Composer are here.
fn run_oracle() -> Option<String> {
    if !Path::new(COMPOSER).is_file() {
        return None;
    }
    let vectors = std::fs::File::open(data().join("vectors.txt")).unwrap();
    let output = Command::new("php")
        .arg(data().join("oracle.php"))
        .stdin(Stdio::from(vectors))
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "oracle.php: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn composer_versions_normalize_and_order_as_composer_does() {
    let answers = std::fs::read_to_string(data().join("answers.tsv")).unwrap();
    match run_oracle() {
        Some(fresh) => assert!(
            fresh == answers,
            "Composer's answers differ from the committed answers.tsv: regenerate it (see oracle.php)"
        ),
        None => eprintln!("no PHP with {COMPOSER}: the committed answers.tsv is the answer key"),
    }
    let vectors = std::fs::read_to_string(data().join("vectors.txt")).unwrap();
    let mut ranked: BTreeMap<String, (u32, ComposerVersion)> = BTreeMap::new();
    let mut rows = 0;
    for (line, vector) in answers.lines().zip(vectors.lines()) {
        let mut cells = line.split('\t');
        let (raw, normalized, rank) = (
            cells.next().unwrap(),
            cells.next().unwrap(),
            cells.next().unwrap(),
        );
        assert_eq!(raw, vector, "answers.tsv is not of vectors.txt");
        rows += 1;
        let ours = Version::parse(Scheme::Packagist, raw);
        if normalized == "!invalid" || normalized.starts_with("dev-") {
            assert!(
                ours.is_err(),
                "{raw:?}: Composer reads {normalized:?}, Portcullis must refuse it"
            );
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("{raw:?}: Composer reads {normalized:?}: {e}"));
        let Version::Packagist(composer) = &ours else {
            panic!("{raw:?}: not a Composer version");
        };
        assert_eq!(composer.normalized(), normalized, "{raw:?}");
        ranked.insert(
            normalized.to_owned(),
            (rank.parse().unwrap(), composer.clone()),
        );
    }
    assert_eq!(rows, vectors.lines().count());
    assert!(ranked.len() >= 150, "{} distinct versions", ranked.len());
    for (a, (rank_a, version_a)) in &ranked {
        for (b, (rank_b, version_b)) in &ranked {
            assert_eq!(
                version_a.cmp(version_b),
                rank_a.cmp(rank_b),
                "{a} vs {b}: Composer's Comparator orders them {:?}",
                rank_a.cmp(rank_b)
            );
        }
    }
}
