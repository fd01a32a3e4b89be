//! Errors from opening a target.

use std::path::PathBuf;

use portcullis_model::{Digest, DigestError};

/// Why a target could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{0}` is neither a path that exists nor a registry reference")]
    UnknownTarget(String),
    #[error("`{target}`: `{prefix}:` is not a target kind{}; the kinds are {known}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownPrefix {
        target: String,
        prefix: String,
        suggestion: Option<String>,
        known: String,
    },
    #[error("`{path}` is not an image: {why}")]
    NotAnImage { path: PathBuf, why: &'static str },
    #[error(
        "blob {digest} of `{location}` resolves outside it (a link out of the input); refused"
    )]
    OutsideInput { location: String, digest: String },
    #[error("could not read `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{member}` in `{archive}` is missing")]
    MissingMember { archive: PathBuf, member: String },
    #[error("blob {digest} is missing from `{location}`")]
    MissingBlob { location: String, digest: Digest },
    #[error("{what} in `{location}` is not valid JSON of the expected shape")]
    Malformed {
        location: String,
        what: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{what} in `{location}` has digest {actual}, but {expected} was expected")]
    DigestMismatch {
        location: String,
        what: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("{what} in `{location}` claims media type `{actual}`, which is not {expected}")]
    MediaType {
        location: String,
        what: String,
        expected: &'static str,
        actual: String,
    },
    #[error("{what} in `{location}` is larger than {limit} bytes")]
    TooLarge {
        location: String,
        what: String,
        limit: u64,
    },
    #[error("`{location}` has no image for platform `{wanted}`; it has: {available}")]
    NoMatchingPlatform {
        location: String,
        wanted: String,
        available: String,
    },
    #[error("`{location}` holds no image manifest")]
    NoManifest { location: String },
    #[error("{what} in `{location}` is not a valid digest")]
    BadDigest {
        location: String,
        what: String,
        #[source]
        source: DigestError,
    },
    #[error("the image config in `{location}` lists {diff_ids} diff_ids for {layers} layers")]
    LayerCountMismatch {
        location: String,
        diff_ids: usize,
        layers: usize,
    },
    #[error("`{0}` is not a valid image reference")]
    BadReference(String),
    #[error("could not read the registry credentials in `{path}`")]
    Credentials {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("registry request for `{reference}` failed")]
    Registry {
        reference: String,
        #[source]
        source: oci_client::errors::OciDistributionError,
    },
    #[error("`{reference}` has {count} layers of type `{media_type}`, not one")]
    ArtifactLayers {
        reference: String,
        media_type: &'static str,
        count: usize,
    },
    #[error("could not start the network runtime")]
    Runtime(#[source] std::io::Error),
    #[error("could not set up the HTTP client")]
    Http(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("`{variable}={value}` is not a Unix socket (`unix:///path/to/socket`); Portcullis reads local images only over a Unix socket")]
    DaemonHost {
        variable: &'static str,
        value: String,
    },
    #[error("the {engine} engine does not answer on `{}`", socket.display())]
    DaemonUnreachable {
        engine: &'static str,
        socket: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the {engine} engine on `{}` answered {status}: {message}", socket.display())]
    DaemonRefused {
        engine: &'static str,
        socket: PathBuf,
        status: u16,
        message: String,
    },
    #[error("`{name}` is not in the local {engine} store (`{}`): {message}", socket.display())]
    NoLocalImage {
        engine: &'static str,
        name: String,
        socket: PathBuf,
        message: String,
    },
    #[error("registry `{location}`: blob {digest}: {why}")]
    BlobPull {
        location: String,
        digest: Digest,
        why: String,
    },
}

impl Error {
    /// What to do about it, when that is known.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::NoMatchingPlatform { .. } => {
                Some("pick one of the listed platforms with `--platform`")
            }
            Error::Registry { .. } => Some(
                "check the reference and that the registry is reachable; credentials come from `$DOCKER_CONFIG/config.json`",
            ),
            Error::DaemonUnreachable { .. } => Some(
                "start the engine, or point `DOCKER_HOST` (Docker) or `CONTAINER_HOST` (Podman) at its socket as `unix:///path`",
            ),
            Error::NoLocalImage { .. } => Some(
                "check the name with `docker images`; `registry:NAME` reads it from a registry instead",
            ),
            Error::BlobPull { .. } => Some(
                "the pull was retried; `--registry-timeout SECS` sets how long a stalled download waits",
            ),
            _ => None,
        }
    }

    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::Registry { source, .. } => !matches!(
                source,
                oci_client::errors::OciDistributionError::ImageManifestNotFoundError(_)
                    | oci_client::errors::OciDistributionError::DigestError(_)
            ),
            Error::Runtime(_)
            | Error::Http(_)
            | Error::BlobPull { .. }
            | Error::DaemonUnreachable { .. }
            | Error::DaemonRefused { .. } => true,
            Error::UnknownTarget(_)
            | Error::UnknownPrefix { .. }
            | Error::NotAnImage { .. }
            | Error::OutsideInput { .. }
            | Error::Io { .. }
            | Error::MissingMember { .. }
            | Error::MissingBlob { .. }
            | Error::Malformed { .. }
            | Error::DigestMismatch { .. }
            | Error::MediaType { .. }
            | Error::TooLarge { .. }
            | Error::NoMatchingPlatform { .. }
            | Error::NoManifest { .. }
            | Error::BadDigest { .. }
            | Error::LayerCountMismatch { .. }
            | Error::BadReference(_)
            | Error::ArtifactLayers { .. }
            | Error::Credentials { .. }
            | Error::DaemonHost { .. }
            | Error::NoLocalImage { .. } => false,
        }
    }
}
