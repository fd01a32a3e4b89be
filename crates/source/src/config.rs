//! The parts of an image config that later stages use: user, ports, env,
//! labels, the layers' diff_ids and the history steps that made them.
//!
//! Parsed with `oci-spec`'s `ImageConfiguration`, which also reads Docker's
//! config JSON (the same shape). See
//! <https://github.com/opencontainers/image-spec/blob/main/config.md>.

use oci_spec::image::ImageConfiguration;

use super::Error;
use portcullis_model::{Digest, Platform};

/// What later stages need from an image config.
#[derive(Debug, Clone, Default)]
pub struct ImageConfig {
    pub platform: Option<Platform>,
    pub user: Option<String>,
    pub exposed_ports: Vec<String>,
    pub env: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub diff_ids: Vec<Digest>,
    /// The `created_by` of the history step that made each layer, aligned with `diff_ids`.
    pub layer_commands: Vec<Option<String>>,
    /// Every history step's `created_by`, empty layers included (ENV, ARG, USER…).
    pub history: Vec<String>,
    /// Docker's `Healthcheck.Test` (`["NONE"]` turns it off); `None` when absent.
    pub healthcheck: Option<Vec<String>>,
    /// The image manifest's annotations (`org.opencontainers.image.base.name`…),
    /// kept here beside the labels; empty where there is no manifest.
    pub annotations: Vec<(String, String)>,
}

/// Docker's config keeps the health check, which the OCI spec does not model.
#[derive(serde::Deserialize, Default)]
struct DockerExtras {
    #[serde(default)]
    config: Option<DockerRuntime>,
}

#[derive(serde::Deserialize, Default)]
struct DockerRuntime {
    #[serde(rename = "Healthcheck", default)]
    healthcheck: Option<Healthcheck>,
}

#[derive(serde::Deserialize, Default)]
struct Healthcheck {
    #[serde(rename = "Test", default)]
    test: Option<Vec<String>>,
}

impl ImageConfig {
    /// Parses config JSON read from `location`.
    pub fn from_json(bytes: &[u8], location: &str) -> Result<ImageConfig, Error> {
        let raw: ImageConfiguration =
            serde_json::from_slice(bytes).map_err(|source| Error::Malformed {
                location: location.to_owned(),
                what: "the image config".to_owned(),
                source,
            })?;
        let mut diff_ids = Vec::new();
        for diff_id in raw.rootfs().diff_ids() {
            diff_ids.push(diff_id.parse().map_err(|source| Error::BadDigest {
                location: location.to_owned(),
                what: "a diff_id of the image config".to_owned(),
                source,
            })?);
        }
        let platform = Platform::new(
            &raw.os().to_string(),
            &raw.architecture().to_string(),
            raw.variant().as_deref(),
        );
        let mut config = ImageConfig {
            platform: Some(platform),
            diff_ids,
            ..ImageConfig::default()
        };
        if let Some(runtime) = raw.config() {
            config.user = runtime.user().clone().filter(|u| !u.is_empty());
            let mut ports: Vec<String> = runtime.exposed_ports().clone().unwrap_or_default();
            ports.sort();
            config.exposed_ports = ports;
            config.env = runtime.env().clone().unwrap_or_default();
            let mut labels: Vec<(String, String)> = runtime
                .labels()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect();
            labels.sort();
            config.labels = labels;
        }
        config.history = raw
            .history()
            .as_ref()
            .map(|steps| {
                steps
                    .iter()
                    .filter_map(|s| s.created_by().clone())
                    .collect()
            })
            .unwrap_or_default();
        let extras: DockerExtras = serde_json::from_slice(bytes).unwrap_or_default();
        config.healthcheck = extras
            .config
            .and_then(|c| c.healthcheck)
            .and_then(|h| h.test);
        config.layer_commands = raw
            .history()
            .as_ref()
            .map(|steps| {
                steps
                    .iter()
                    .filter(|step| !step.empty_layer().unwrap_or(false))
                    .map(|step| step.created_by().clone())
                    .collect()
            })
            .unwrap_or_default();
        Ok(config)
    }
}
