//! Flags shared by the commands that read a target, and their resolution
//! (flag > environment > default) into the engine's frozen configs.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::checks::{AllowList, AllowListError};
use crate::layer::{LayerCache, LayerConfig, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_LAYER_BYTES};
use crate::model::Platform;
use crate::scan::ScanConfig;
use crate::source::SourceConfig;

/// How a target is read.
#[derive(Debug, Args)]
pub(crate) struct TargetArgs {
    /// What to read: a docker-archive or OCI archive tar, an OCI layout
    /// directory, a root filesystem, a project folder, zip files (comma-separated),
    /// a CycloneDX or SPDX JSON SBOM, or a registry reference. A prefix forces the
    /// kind: docker-archive:, oci-archive:, oci-dir:, rootfs:, dir:, zip:, sbom:, registry:.
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
}

/// The secrets allow-list read when none is named.
const DEFAULT_SECRETS_ALLOW: &str = ".portcullis-secrets.toml";

impl TargetArgs {
    /// Whether the target names a registry image (which needs the network).
    pub(crate) fn is_registry_reference(&self) -> bool {
        matches!(
            crate::source::kind_of(&self.target),
            Ok(crate::source::TargetKind::Registry)
        )
    }

    /// The cache directory (also for compiled policies), unless `--no-cache`.
    pub(crate) fn cache_root(&self) -> Option<PathBuf> {
        self.cache_dir()
    }

    /// The cache directory after flag > environment > default.
    fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        self.cache_dir
            .clone()
            .or_else(|| std::env::var_os("PORTCULLIS_CACHE_DIR").map(PathBuf::from))
            .or_else(|| dirs::cache_dir().map(|dir| dir.join("portcullis")))
    }

    pub(crate) fn scan_config(&self) -> Result<ScanConfig, AllowListError> {
        let cache_dir = self.cache_dir();
        let docker_config_dir = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| dirs::home_dir().map(|home| home.join(".docker")));
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        let mut allow_files = self.secrets_allow.clone();
        if allow_files.is_empty() && std::path::Path::new(DEFAULT_SECRETS_ALLOW).is_file() {
            allow_files.push(PathBuf::from(DEFAULT_SECRETS_ALLOW));
        }
        Ok(ScanConfig {
            allow: AllowList::load(&allow_files)?,
            checks: !self.no_checks,
            source: SourceConfig {
                platform: self.platform.clone(),
                insecure_registries: self.insecure_registry.clone(),
                docker_config_dir,
                scratch_dir: cache_dir.as_ref().map(|dir| dir.join("tmp")),
                skip_dirs: self.skip_dir.clone(),
            },
            layers: LayerConfig {
                cache: cache_dir.as_deref().map(LayerCache::new),
                max_layer_bytes: self.max_layer_bytes,
                max_image_bytes: self.max_image_bytes,
                threads,
                progress: std::io::stderr().is_terminal(),
            },
        })
    }
}
