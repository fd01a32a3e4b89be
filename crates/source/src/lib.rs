//! Open a TARGET into an [`Image`]: its config, its ordered layers and a way to
//! read each layer blob, or a root filesystem directory.
//!
//! Targets are detected by content (see [`detect`]); a prefix such as
//! `oci-dir:` forces the kind. Registry access and auth live in [`registry`].

mod archive;
mod artifact;
mod base;
mod blob_pull;
mod config;
mod daemon;
mod detect;
mod docker_archive;
mod dockerfile;
mod error;
pub mod http;
mod manifest;
mod oci;
mod registry;
mod summary;

use std::io::Read;
use std::path::PathBuf;

use portcullis_model::{Digest, Platform};

pub use artifact::{pull_artifact, push_artifact, ArtifactKind};
pub use base::{
    base_from_dockerfile, base_from_metadata, BaseFoundBy, BaseName, BASE_DIGEST, BASE_NAME,
};
pub use blob_pull::DEFAULT_READ_TIMEOUT as DEFAULT_REGISTRY_TIMEOUT;
pub use config::ImageConfig;
pub use daemon::Engine;
pub use docker_archive::{digest_in_name, export_manifest};
pub use dockerfile::{attribute_layers, DockerfileError, DockerfileStep};
pub use error::Error;
pub use manifest::MAX_MANIFEST_BYTES;
pub use summary::TargetSummary;

/// The kinds of target this stage can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    DockerArchive,
    OciDir,
    OciArchive,
    Registry,
    /// The local Docker Engine's store, through its API socket.
    Docker,
    /// The local Podman store, through its Docker-compatible API socket.
    Podman,
    Rootfs,
    /// A project folder: lock files and manifests.
    Dir,
    /// One or more zip files, such as a Lambda function and its layers.
    Zip,
    /// A CycloneDX or SPDX JSON document.
    Sbom,
}

impl TargetKind {
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::DockerArchive => "docker-archive",
            TargetKind::OciDir => "oci-dir",
            TargetKind::OciArchive => "oci-archive",
            TargetKind::Registry => "registry",
            TargetKind::Docker => "docker",
            TargetKind::Podman => "podman",
            TargetKind::Rootfs => "rootfs",
            TargetKind::Dir => "dir",
            TargetKind::Zip => "zip",
            TargetKind::Sbom => "sbom",
        }
    }
}

/// Frozen settings for opening a target.
#[derive(Debug, Clone, Default)]
pub struct SourceConfig {
    /// The platform to pick from a multi-platform index; `None` means the host's.
    pub platform: Option<Platform>,
    /// Registries (`host:port`) that may be reached over plain HTTP besides loopback.
    pub insecure_registries: Vec<String>,
    /// The folder holding `config.json` with registry credentials.
    pub docker_config_dir: Option<PathBuf>,
    /// Where downloaded layer blobs wait while they are read.
    pub scratch_dir: Option<PathBuf>,
    /// Folder names a `dir:` scan skips (besides `.git`).
    pub skip_dirs: Vec<String>,
    /// How long a registry download or a local engine's answer may make no
    /// progress (default 60 s).
    pub registry_timeout: Option<std::time::Duration>,
    /// Whether a bare `NAME:TAG` is looked for in the local Docker and Podman
    /// stores before the registry.
    pub try_local_engines: bool,
    /// Where the local engines answer (from `DOCKER_HOST`, `CONTAINER_HOST`
    /// and `XDG_RUNTIME_DIR`; the defaults otherwise).
    pub engine_hosts: EngineHosts,
}

/// The local engines' sockets as the environment names them.
#[derive(Debug, Clone, Default)]
pub struct EngineHosts {
    /// `DOCKER_HOST`.
    pub docker: Option<String>,
    /// `CONTAINER_HOST`.
    pub podman: Option<String>,
    /// `XDG_RUNTIME_DIR`, where a user's Podman socket is by default.
    pub runtime_dir: Option<PathBuf>,
}

/// An opened target.
pub struct Image {
    pub kind: TargetKind,
    /// What the user named, without the kind prefix.
    pub reference: String,
    /// The digest of the image manifest, when there is one.
    pub manifest_digest: Option<Digest>,
    pub platform: Option<Platform>,
    pub config: ImageConfig,
    pub contents: Contents,
}

/// What holds the files of an image.
pub enum Contents {
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
    /// A `docker save` archive streaming from a local engine, read once in order.
    Export(ExportStream),
}

/// A `docker save` archive as a local engine streams it: layers arrive in the
/// archive's order, and the manifest that orders them comes last.
pub struct ExportStream {
    pub reader: Box<dyn Read + Send>,
    /// The image ID the engine gave: the digest the config in the stream must have.
    pub config_digest: Digest,
    /// Where it comes from, for messages: `docker:NAME (/var/run/docker.sock)`.
    pub location: String,
}

/// One layer blob and how to check it.
#[derive(Debug, Clone)]
pub struct LayerBlob {
    /// Where the store finds the blob (an archive member or a blob path).
    pub locator: String,
    /// The digest the bytes must have.
    pub expected: Digest,
    /// Whether `expected` is over the decompressed tar (a docker-archive's
    /// diff_id) rather than over the blob as stored (an OCI descriptor digest).
    pub expected_is_uncompressed: bool,
    /// The size the descriptor claims, when it claims one.
    pub size: Option<u64>,
}

/// Opens layer blobs for reading. Shared by the threads that read layers.
pub trait BlobStore: Send + Sync {
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
pub fn kind_of(target: &str) -> Result<TargetKind, Error> {
    detect::detect(target).map(|(kind, _)| kind)
}

/// Opens `target` (with or without a kind prefix).
pub fn open(target: &str, config: &SourceConfig) -> Result<Image, Error> {
    let (kind, location) = detect::detect(target)?;
    let mut image = match kind {
        TargetKind::DockerArchive => docker_archive::open(&PathBuf::from(&location))?,
        TargetKind::OciDir => oci::open_dir(&PathBuf::from(&location), config)?,
        TargetKind::OciArchive => oci::open_archive(&PathBuf::from(&location), config)?,
        TargetKind::Registry => {
            let timeout = config
                .registry_timeout
                .unwrap_or(blob_pull::DEFAULT_READ_TIMEOUT);
            let local = if config.try_local_engines && !target.starts_with("registry:") {
                daemon::find_local(&location, &config.engine_hosts, timeout)?
            } else {
                None
            };
            match local {
                Some(image) => image,
                None => registry::open(&location, config)?,
            }
        }
        TargetKind::Docker | TargetKind::Podman => {
            let engine = if kind == TargetKind::Docker {
                Engine::Docker
            } else {
                Engine::Podman
            };
            let timeout = config
                .registry_timeout
                .unwrap_or(blob_pull::DEFAULT_READ_TIMEOUT);
            daemon::open(&location, engine, &config.engine_hosts, timeout)?
        }
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
