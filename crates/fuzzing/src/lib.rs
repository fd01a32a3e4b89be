//! The entry points of the fuzz targets under `fuzz/`: each takes the
//! fuzzer's bytes to one reader through Portcullis's public API, exactly as
//! a scan or a `db import` would, and returns whatever that reader said.
//! An error is a fine answer; a panic, a hang or a sanitizer report is not.
//!
//! The same functions replay the committed corpus and every crash input in
//! `tests/replay.rs`, so `cargo test` keeps what the fuzzers found fixed.

// The harness writes its scratch files with std::fs on purpose: a failure to
// write one is the harness's own fault, not the input's.
#![allow(clippy::disallowed_methods)]

use std::cmp::Ordering;
use std::io::Write;

use portcullis_layer::LayerConfig;
use portcullis_source::SourceConfig;
use portcullis_version::{Scheme, Version};

/// What one input led to, for the replay test's messages.
pub type Outcome = Result<String, String>;

/// One target's entry point.
pub type Target = fn(&[u8]) -> Outcome;

/// The targets, by the name of their `fuzz/fuzz_targets/<name>.rs` and corpus folder.
pub const TARGETS: &[(&str, Target)] = &[
    ("target_file", target_file),
    ("layer_tar", layer_tar),
    ("dpkg_status", |b| file_in_layer("var/lib/dpkg/status", b)),
    ("apk_installed", |b| {
        file_in_layer("lib/apk/db/installed", b)
    }),
    ("rpm_sqlite", |b| {
        file_in_layer("var/lib/rpm/rpmdb.sqlite", b)
    }),
    ("rpm_ndb", |b| file_in_layer("var/lib/rpm/Packages.db", b)),
    ("rpm_bdb", |b| file_in_layer("var/lib/rpm/Packages", b)),
    ("npm_package_lock", |b| {
        file_in_layer("app/package-lock.json", b)
    }),
    ("npm_package_json", |b| {
        file_in_layer("app/node_modules/x/package.json", b)
    }),
    ("yarn_lock", |b| file_in_layer("app/yarn.lock", b)),
    ("pnpm_lock", |b| file_in_layer("app/pnpm-lock.yaml", b)),
    ("python_metadata", |b| {
        file_in_layer("usr/lib/python3/site-packages/x-1.0.dist-info/METADATA", b)
    }),
    ("requirements_txt", |b| {
        file_in_layer("app/requirements.txt", b)
    }),
    ("poetry_lock", |b| file_in_layer("app/poetry.lock", b)),
    ("pipfile_lock", |b| file_in_layer("app/Pipfile.lock", b)),
    ("uv_lock", |b| file_in_layer("app/uv.lock", b)),
    ("go_mod", |b| file_in_layer("app/go.mod", b)),
    ("go_binary", |b| file_in_layer("usr/local/bin/app", b)),
    ("cargo_lock", |b| file_in_layer("app/Cargo.lock", b)),
    ("gemspec", |b| {
        file_in_layer("usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec", b)
    }),
    ("gemfile_lock", |b| file_in_layer("app/Gemfile.lock", b)),
    ("composer_lock", |b| file_in_layer("app/composer.lock", b)),
    ("deps_json", |b| file_in_layer("app/x.deps.json", b)),
    ("jar", |b| file_in_layer("app/lib/x.jar", b)),
    ("sbom", sbom),
    ("osv_record", osv_record),
    ("ignore_file", ignore_file),
    ("openvex", openvex),
    ("dockerfile", dockerfile),
    ("version_order", version_order),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

fn scratch() -> tempfile::TempDir {
    // TMPDIR=/dev/shm keeps the fuzzers off the disk (tests/fuzz.sh sets it).
    tempfile::tempdir().expect("a scratch dir")
}

fn layer_config() -> LayerConfig {
    LayerConfig {
        cache: None,
        // Small caps: the fuzzer should reach them, not the machine's memory.
        max_layer_bytes: 64 << 20,
        max_image_bytes: 256 << 20,
        threads: 1,
        progress: false,
    }
}

/// Opens `target` as a scan does and catalogs what it holds.
fn scan(target: &str) -> Outcome {
    let mut image =
        portcullis_source::open(target, &SourceConfig::default()).map_err(|e| e.to_string())?;
    let selection = portcullis_catalog::selection().map_err(|e| e.to_string())?;
    let (view, _) = portcullis_layer::read_image(&mut image, &selection, &layer_config())
        .map_err(|e| e.to_string())?;
    let inventory = portcullis_catalog::catalog(&view).map_err(|e| e.to_string())?;
    Ok(format!(
        "{} packages, {} diagnostics",
        inventory.packages().len(),
        inventory.diagnostics.len()
    ))
}

/// The bytes as a file given to `portcullis scan`: a docker-archive, an OCI
/// archive, a zip, an SBOM, whatever detection makes of them.
pub fn target_file(bytes: &[u8]) -> Outcome {
    let dir = scratch();
    let path = dir.path().join("input");
    std::fs::write(&path, bytes).expect("write the input");
    scan(&path.to_string_lossy())
}

/// The bytes as the tar of an OCI layout's one layer, gzip-compressed when
/// the first byte is odd (the diff_id is right, so the walk goes deep).
pub fn layer_tar(bytes: &[u8]) -> Outcome {
    let (gzip, tar) = match bytes.split_first() {
        Some((flag, rest)) => (flag & 1 == 1, rest),
        None => (false, bytes),
    };
    oci_layout(tar, gzip)
}

/// `bytes` as the file at `path` in a one-layer image.
pub fn file_in_layer(path: &str, bytes: &[u8]) -> Outcome {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, path, bytes)
        .expect("a tar in memory");
    let tar = builder.into_inner().expect("a tar in memory");
    oci_layout(&tar, false)
}

fn sha256(bytes: &[u8]) -> String {
    portcullis_model::Digest::sha256_of(bytes).to_string()
}

fn oci_layout(tar: &[u8], gzip: bool) -> Outcome {
    let dir = scratch();
    let blobs = dir.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).expect("blobs dir");
    let put = |bytes: &[u8]| -> String {
        let digest = sha256(bytes);
        std::fs::write(blobs.join(&digest["sha256:".len()..]), bytes).expect("write a blob");
        digest
    };
    let (blob, media_type) = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(tar).expect("gzip in memory");
        (
            encoder.finish().expect("gzip in memory"),
            "application/vnd.oci.image.layer.v1.tar+gzip",
        )
    } else {
        (tar.to_vec(), "application/vnd.oci.image.layer.v1.tar")
    };
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [sha256(tar)]},
    }))
    .expect("json");
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(&config), "size": config.len()},
        "layers": [{"mediaType": media_type, "digest": put(&blob), "size": blob.len()}],
    }))
    .expect("json");
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(&manifest), "size": manifest.len()}],
    }))
    .expect("json");
    std::fs::write(dir.path().join("index.json"), index).expect("index");
    std::fs::write(
        dir.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .expect("oci-layout");
    scan(&format!("oci-dir:{}", dir.path().display()))
}

/// The bytes as an SBOM (CycloneDX or SPDX JSON).
pub fn sbom(bytes: &[u8]) -> Outcome {
    portcullis_catalog::read_sbom(bytes, "fuzz.json")
        .map(|inventory| format!("{} packages", inventory.packages().len()))
        .map_err(|e| e.to_string())
}

/// The bytes as one OSV record in a folder given to `db import`.
pub fn osv_record(bytes: &[u8]) -> Outcome {
    let dir = scratch();
    let osv = dir.path().join("osv");
    std::fs::create_dir(&osv).expect("osv dir");
    std::fs::write(osv.join("RECORD-1.json"), bytes).expect("write the record");
    portcullis_vulndb::import(
        &dir.path().join("db"),
        &[osv],
        portcullis_model::Timestamp::from_unix(1_700_000_000),
    )
    .map(|report| format!("{report:?}"))
    .map_err(|e| e.to_string())
}

fn suppressions(bytes: &[u8], name: &str, vex: bool) -> Outcome {
    let dir = scratch();
    let path = dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(&path, bytes).expect("write the file");
    let files = [path];
    let (ignore, vex) = if vex {
        (&[][..], &files[..])
    } else {
        (&files[..], &[][..])
    };
    portcullis_assess::suppress::Suppressions::load(ignore, vex)
        .map(|s| format!("{} vex statements", s.vex.len()))
        .map_err(|e| e.to_string())
}

/// The bytes as `.portcullis-ignore.toml`.
pub fn ignore_file(bytes: &[u8]) -> Outcome {
    suppressions(bytes, ".portcullis-ignore.toml", false)
}

/// The bytes as an OpenVEX document given to `--vex`.
pub fn openvex(bytes: &[u8]) -> Outcome {
    suppressions(bytes, "statements.openvex.json", true)
}

/// The bytes as the Dockerfile given to `--dockerfile`, against three layers.
pub fn dockerfile(bytes: &[u8]) -> Outcome {
    let dir = scratch();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, bytes).expect("write the Dockerfile");
    let commands = [
        Some("/bin/sh -c #(nop) ADD file:abc in / ".to_owned()),
        Some("RUN /bin/sh -c apt-get update # buildkit".to_owned()),
        None,
    ];
    portcullis_source::attribute_layers(&path, &commands)
        .map(|steps| format!("{} steps", steps.len()))
        .map_err(|e| e.to_string())
}

const SCHEMES: [Scheme; 10] = [
    Scheme::Dpkg,
    Scheme::Rpm,
    Scheme::Apk,
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::NuGet,
    Scheme::Packagist,
];

/// A property target: the first byte picks a scheme, the rest is three
/// versions split by newlines. Every scheme's order must be total (but
/// apk's past invalid syntax, where it refuses to order) and
/// antisymmetric on the ones that parse, and transitive but for Maven's,
/// whose reference (maven-artifact's `ComparableVersion`) is not for some
/// strings (`crates/version/src/maven.rs`, the test
/// `the_reference_order_is_not_transitive_here`; callers sort with
/// `sort_versions`, which does not rely on it); a violation panics.
pub fn version_order(bytes: &[u8]) -> Outcome {
    let Some((pick, rest)) = bytes.split_first() else {
        return Err("empty".to_owned());
    };
    let scheme = SCHEMES[usize::from(*pick) % SCHEMES.len()];
    let text = String::from_utf8_lossy(rest);
    let versions: Vec<Version> = text
        .split('\n')
        .take(3)
        .filter_map(|t| Version::parse(scheme, t).ok())
        .collect();
    let name = scheme.name();
    // apk alone refuses to order past invalid syntax (`5.1p1` against
    // itself), as apk-tools stops reading there; every other order is total.
    let partial = scheme == Scheme::Apk;
    for a in &versions {
        let aa = a.partial_cmp(a);
        assert!(
            aa == Some(Ordering::Equal) || (partial && aa.is_none()),
            "{name}: reflexive"
        );
        for b in &versions {
            let ab = a.partial_cmp(b);
            assert!(ab.is_some() || partial, "{name}: total");
            assert_eq!(
                ab,
                b.partial_cmp(a).map(Ordering::reverse),
                "{name}: antisymmetric"
            );
            for c in &versions {
                if scheme != Scheme::Maven && a <= b && b <= c {
                    assert!(a <= c, "{name}: transitive");
                }
            }
        }
    }
    Ok(format!("{} versions in {}", versions.len(), scheme.name()))
}
