//! Flags shared by the commands that read a target.

use std::path::PathBuf;

use clap::Args;

use portcullis_engine::layer::{DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_LAYER_BYTES};
use portcullis_engine::model::Platform;

/// How a target is read.
#[derive(Debug, Args)]
pub(crate) struct TargetArgs {
    /// What to read: a docker-archive or OCI archive tar, an OCI layout
    /// directory, a root filesystem, a project folder, zip files (comma-separated),
    /// a CycloneDX or SPDX JSON SBOM, or an image name: a bare `NAME:TAG` is read
    /// from the local Docker or Podman store when it is there, else from its
    /// registry. A prefix forces the kind: docker:, podman: (the local engine's
    /// store, through `DOCKER_HOST`/`CONTAINER_HOST`), docker-archive:,
    /// oci-archive:, oci-dir:, rootfs:, dir:, zip:, sbom:, registry:.
    pub(crate) target: String,
    /// Platform to pick from a multi-platform image (default: this host's), e.g. linux/arm64.
    #[arg(long)]
    pub(crate) platform: Option<Platform>,
    /// Layer cache directory [env: PORTCULLIS_CACHE_DIR] (default: the user cache dir).
    #[arg(long)]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Neither read nor write the layer cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Folder names a `dir:` scan does not enter (`.git` never is); repeatable.
    #[arg(long, value_name = "NAME")]
    pub(crate) skip_dir: Vec<String>,
    /// Allow plain HTTP to this registry (host:port); loopback registries always may.
    #[arg(long, value_name = "HOST:PORT")]
    pub(crate) insecure_registry: Vec<String>,
    /// Seconds a registry download may go without a byte before the attempt
    /// ends (each blob is tried 5 times, resuming where it stopped).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) registry_timeout: u64,
    /// Refuse a layer that unpacks past this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_LAYER_BYTES)]
    pub(crate) max_layer_bytes: u64,
    /// Refuse an image whose layers unpack past this many bytes in all.
    #[arg(long, default_value_t = DEFAULT_MAX_IMAGE_BYTES)]
    pub(crate) max_image_bytes: u64,
    /// Known-fake secret values and paths (default: `.portcullis-secrets.toml`
    /// when present, on top of the built-in list); repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) secrets_allow: Vec<PathBuf>,
    /// Skip the hygiene and secret checks (packages only).
    #[arg(long)]
    pub(crate) no_checks: bool,
    /// Draw no progress bar (none is drawn when stderr is not a terminal either).
    #[arg(long)]
    pub(crate) no_progress: bool,
}
