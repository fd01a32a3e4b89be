//! Open a TARGET into an [`Image`]: its config, its ordered layers and a way to
//! read each layer blob, or a root filesystem directory.
//!
//! Targets are detected by content (see [`detect`]); a prefix such as
//! `oci-dir:` forces the kind. Registry access and auth live in [`registry`].

mod archive;
mod artifact;
mod config;
mod detect;
mod docker_archive;
mod dockerfile;
mod error;
mod manifest;
mod oci;
mod registry;

use std::io::Read;
use std::path::PathBuf;

use crate::model::{Digest, Platform};

pub(crate) use artifact::{pull_artifact, push_artifact, ArtifactKind};
pub(crate) use config::ImageConfig;
pub(crate) use dockerfile::{attribute_layers, DockerfileStep};
pub(crate) use error::Error;

/// The kinds of target this stage can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetKind {
    DockerArchive,
    OciDir,
    OciArchive,
    Registry,
    Rootfs,
    /// A project folder: lock files and manifests.
    Dir,
    /// One or more zip files, such as a Lambda function and its layers.
    Zip,
    /// A CycloneDX or SPDX JSON document.
    Sbom,
}

impl TargetKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            TargetKind::DockerArchive => "docker-archive",
            TargetKind::OciDir => "oci-dir",
            TargetKind::OciArchive => "oci-archive",
            TargetKind::Registry => "registry",
            TargetKind::Rootfs => "rootfs",
            TargetKind::Dir => "dir",
            TargetKind::Zip => "zip",
            TargetKind::Sbom => "sbom",
        }
    }
}

/// Frozen settings for opening a target.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceConfig {
    /// The platform to pick from a multi-platform index; `None` means the host's.
    pub(crate) platform: Option<Platform>,
    /// Registries (`host:port`) that may be reached over plain HTTP besides loopback.
    pub(crate) insecure_registries: Vec<String>,
    /// The folder holding `config.json` with registry credentials.
    pub(crate) docker_config_dir: Option<PathBuf>,
    /// Where downloaded layer blobs wait while they are read.
    pub(crate) scratch_dir: Option<PathBuf>,
    /// Folder names a `dir:` scan skips (besides `.git`).
    pub(crate) skip_dirs: Vec<String>,
}

/// An opened target.
pub(crate) struct Image {
    pub(crate) kind: TargetKind,
    /// What the user named, without the kind prefix.
    pub(crate) reference: String,
    /// The digest of the image manifest, when there is one.
    pub(crate) manifest_digest: Option<Digest>,
    pub(crate) platform: Option<Platform>,
    pub(crate) config: ImageConfig,
    pub(crate) contents: Contents,
}

/// What holds the files of an image.
pub(crate) enum Contents {
    /// Layer blobs, bottom first, and the store that opens them.
    Layers {
        layers: Vec<LayerBlob>,
        store: Box<dyn BlobStore>,
    },
    /// An unpacked root filesystem or project folder: one view, no layers.
    Directory {
        root: PathBuf,
        /// Folder names never entered.
        skip_dirs: Vec<String>,
    },
    /// Zip files, each read as one layer.
    Zips(Vec<PathBuf>),
    /// An SBOM: packages come from the document, not from files.
    Sbom(PathBuf),
}

/// One layer blob and how to check it.
#[derive(Debug, Clone)]
pub(crate) struct LayerBlob {
    /// Where the store finds the blob (an archive member or a blob path).
    pub(crate) locator: String,
    /// The digest the bytes must have.
    pub(crate) expected: Digest,
    /// Whether `expected` is over the decompressed tar (a docker-archive's
    /// diff_id) rather than over the blob as stored (an OCI descriptor digest).
    pub(crate) expected_is_uncompressed: bool,
    /// The size the descriptor claims, when it claims one.
    pub(crate) size: Option<u64>,
}

/// Opens layer blobs for reading. Shared by the threads that read layers.
pub(crate) trait BlobStore: Send + Sync {
    fn open(&self, layer: &LayerBlob) -> Result<Box<dyn Read + Send + '_>, Error>;
}

fn unlayered(kind: TargetKind, location: &str, contents: Contents) -> Image {
    Image {
        kind,
        reference: location.to_owned(),
        manifest_digest: None,
        platform: None,
        config: ImageConfig::default(),
        contents,
    }
}

/// The kind `target` names, by prefix or content.
pub(crate) fn kind_of(target: &str) -> Result<TargetKind, Error> {
    detect::detect(target).map(|(kind, _)| kind)
}

/// Opens `target` (with or without a kind prefix).
pub(crate) fn open(target: &str, config: &SourceConfig) -> Result<Image, Error> {
    let (kind, location) = detect::detect(target)?;
    let mut image = match kind {
        TargetKind::DockerArchive => docker_archive::open(&PathBuf::from(&location))?,
        TargetKind::OciDir => oci::open_dir(&PathBuf::from(&location), config)?,
        TargetKind::OciArchive => oci::open_archive(&PathBuf::from(&location), config)?,
        TargetKind::Registry => registry::open(&location, config)?,
        TargetKind::Rootfs | TargetKind::Dir => {
            let root = PathBuf::from(&location);
            if !root.is_dir() {
                return Err(Error::NotAnImage {
                    path: root,
                    why: "it is not a directory",
                });
            }
            let mut skip_dirs = Vec::new();
            if kind == TargetKind::Dir {
                skip_dirs.push(".git".to_owned());
                skip_dirs.extend(config.skip_dirs.iter().cloned());
            }
            unlayered(kind, &location, Contents::Directory { root, skip_dirs })
        }
        TargetKind::Zip => {
            let paths: Vec<PathBuf> = location.split(',').map(PathBuf::from).collect();
            for path in &paths {
                if !path.is_file() {
                    return Err(Error::NotAnImage {
                        path: path.clone(),
                        why: "it is not a file",
                    });
                }
            }
            unlayered(kind, &location, Contents::Zips(paths))
        }
        TargetKind::Sbom => unlayered(kind, &location, Contents::Sbom(PathBuf::from(&location))),
    };
    image.reference = location;
    Ok(image)
}
