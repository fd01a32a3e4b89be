//! Tell what kind of target a TARGET is: by its prefix when it has one, else by
//! content (a tarball's members, a directory's files), else as a registry reference.

use std::io::Read;
use std::path::Path;

use fs_err::File;

use super::{Error, TargetKind};

const PREFIXES: [(&str, TargetKind); 10] = [
    ("docker-archive:", TargetKind::DockerArchive),
    ("oci-dir:", TargetKind::OciDir),
    ("oci-archive:", TargetKind::OciArchive),
    ("registry:", TargetKind::Registry),
    ("docker:", TargetKind::Docker),
    ("podman:", TargetKind::Podman),
    ("rootfs:", TargetKind::Rootfs),
    ("dir:", TargetKind::Dir),
    ("zip:", TargetKind::Zip),
    ("sbom:", TargetKind::Sbom),
];

/// Files that make a folder a root filesystem rather than a project.
const ROOTFS_MARKERS: [&str; 5] = [
    "etc/os-release",
    "usr/lib/os-release",
    "var/lib/dpkg/status",
    "lib/apk/db/installed",
    "var/lib/rpm",
];

/// Returns the kind of `target` and its location without the prefix.
pub(super) fn detect(target: &str) -> Result<(TargetKind, String), Error> {
    for (prefix, kind) in PREFIXES {
        if let Some(rest) = target.strip_prefix(prefix) {
            return Ok((kind, rest.to_owned()));
        }
    }
    let path = Path::new(target);
    if path.is_dir() {
        let kind = if path.join("oci-layout").is_file() && path.join("index.json").is_file() {
            TargetKind::OciDir
        } else if ROOTFS_MARKERS
            .iter()
            .any(|marker| path.join(marker).exists())
        {
            TargetKind::Rootfs
        } else {
            TargetKind::Dir
        };
        return Ok((kind, target.to_owned()));
    }
    if path.is_file() {
        return Ok((sniff_tarball(path)?, target.to_owned()));
    }
    if let Some(error) = unknown_prefix(target) {
        return Err(error);
    }
    if looks_like_reference(target) {
        return Ok((TargetKind::Registry, target.to_owned()));
    }
    Err(Error::UnknownTarget(target.to_owned()))
}

/// Words shorter than this are never taken for a mistyped prefix when what
/// follows could be a tag: `app:1.2` stays a reference though it is two
/// typos from `zip:`.
const MIN_TYPO_WORD_CHARS: usize = 5;

/// Whether `text` can be a tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`), so
/// that `word:text` may be an image on Docker Hub.
fn is_tag(text: &str) -> bool {
    text.len() <= 128
        && text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `oci-dri:PATH`: a word and a colon that cannot start a reference, because
/// what follows looks like a path (where a tag or a port would be) or is a
/// file or folder that exists; the nearest known prefix (a typo or two away)
/// is suggested. `oci-dri:x`, where `x` could be a tag, is taken for the
/// typo too when the word is at least `MIN_TYPO_WORD_CHARS` long and a typo
/// or two from a prefix (`registry:NAME:TAG` forces the image); `app:1.2`
/// and `myregistry:5000/app` stay references.
fn unknown_prefix(target: &str) -> Option<Error> {
    let (word, rest) = target.split_once(':')?;
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return None;
    }
    let names = PREFIXES.map(|(prefix, _)| prefix.trim_end_matches(':'));
    let nearest = names
        .iter()
        .map(|name| (strsim::damerau_levenshtein(word, name), *name))
        .min()
        .filter(|(distance, _)| *distance <= 2);
    let path_like = rest.starts_with(['/', '.', '~']) || Path::new(rest).exists();
    let typo = nearest.is_some() && word.chars().count() >= MIN_TYPO_WORD_CHARS && is_tag(rest);
    if !path_like && !typo {
        return None;
    }
    Some(Error::UnknownPrefix {
        target: target.to_owned(),
        prefix: word.to_owned(),
        suggestion: nearest.map(|(_, name)| format!("{name}:{rest}")),
        known: names.map(|n| format!("{n}:")).join(", "),
    })
}

/// Whether `text` can be a `host/repo[:tag|@digest]` reference.
fn looks_like_reference(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(['.', '/'])
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b))
}

/// A docker-archive has `manifest.json`; an OCI archive has `index.json`
/// without it. Only the headers of the first members are read.
fn sniff_tarball(path: &Path) -> Result<TargetKind, Error> {
    let io_error = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let mut head = Vec::with_capacity(4096);
    (&mut file)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    if head.starts_with(b"PK\x03\x04") {
        return Ok(TargetKind::Zip);
    }
    let text = String::from_utf8_lossy(&head);
    if text.trim_start().starts_with('{')
        && (text.contains("\"bomFormat\"") || text.contains("\"spdxVersion\""))
    {
        return Ok(TargetKind::Sbom);
    }
    let is_tar = head.get(257..262) == Some(&b"ustar"[..]);
    if !is_tar {
        return Err(Error::NotAnImage {
            path: path.to_owned(),
            why: "it is a file but neither a tar archive (docker-archive, oci-archive), a zip nor an SBOM",
        });
    }
    let file = File::open(path).map_err(io_error)?;
    let mut archive = tar::Archive::new(file);
    let mut has_index = false;
    for entry in archive.entries_with_seek().map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match name.trim_start_matches("./") {
            "manifest.json" => return Ok(TargetKind::DockerArchive),
            "index.json" => has_index = true,
            _ => {}
        }
    }
    if has_index {
        Ok(TargetKind::OciArchive)
    } else {
        Err(Error::NotAnImage {
            path: path.to_owned(),
            why: "the tar archive has neither `manifest.json` nor `index.json`",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggestion(target: &str) -> Option<String> {
        match detect(target) {
            Err(Error::UnknownPrefix { suggestion, .. }) => suggestion,
            Err(other) => panic!("{target}: {other}"),
            Ok((kind, _)) => panic!("{target} read as {kind:?}"),
        }
    }

    /// Issue 33: a mistyped kind is said before anything is opened, with the
    /// kind it was likely meant to be.
    #[test]
    fn a_mistyped_kind_is_refused_with_the_nearest_one() {
        assert_eq!(suggestion("oci-dri:x").as_deref(), Some("oci-dir:x"));
        assert_eq!(
            suggestion("oci-dri:./image").as_deref(),
            Some("oci-dir:./image")
        );
        assert_eq!(
            suggestion("dokcer-archive:/tmp/a.tar").as_deref(),
            Some("docker-archive:/tmp/a.tar")
        );
        assert_eq!(suggestion("podmn:app").as_deref(), Some("podman:app"));
    }

    #[test]
    fn references_that_resemble_a_kind_stay_references() {
        for target in [
            "app:1.2",
            "zipp:3.1",
            "myregistry:5000/app:1",
            "registry.example.com/app:1",
            "busybox:latest",
        ] {
            assert!(
                matches!(detect(target), Ok((TargetKind::Registry, _))),
                "{target}"
            );
        }
    }
}
