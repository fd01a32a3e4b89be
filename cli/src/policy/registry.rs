//! Policies in an OCI registry: one layer of media type `application/wasm`,
//! pushed with `portcullis policy push` (or any OCI artifact tool) and pulled
//! only by digest (`host/repo@sha256:…`), so the module that decides cannot
//! change under a tag.
//!
//! See <https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage>.

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::OciImageManifest;

use super::Error;
use crate::source::{self, RegistryConnection, SourceConfig};

pub(crate) const WASM_MEDIA_TYPE: &str = "application/wasm";
const ARTIFACT_TYPE: &str = "application/vnd.portcullis.policy.v1";
const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";

fn connect(reference: &str, config: &SourceConfig) -> Result<RegistryConnection, Error> {
    source::connect_registry(reference, config).map_err(|error| Error::Registry {
        reference: reference.to_owned(),
        message: error.to_string(),
    })
}

/// Whether `spec` names a registry artifact pinned by digest.
pub(crate) fn is_pinned_reference(spec: &str) -> bool {
    spec.contains("@sha256:") && !std::path::Path::new(spec).exists()
}

/// Pulls the wasm layer of `reference`, which must be pinned by digest.
pub(crate) fn pull(reference: &str, config: &SourceConfig) -> Result<Vec<u8>, Error> {
    if !reference.contains("@sha256:") {
        return Err(Error::Registry {
            reference: reference.to_owned(),
            message: "policies from a registry must be pinned by digest (`repo@sha256:…`)"
                .to_owned(),
        });
    }
    let RegistryConnection {
        client,
        auth,
        reference: parsed,
        runtime,
    } = connect(reference, config)?;
    let image = runtime
        .block_on(client.pull(&parsed, &auth, vec![WASM_MEDIA_TYPE]))
        .map_err(|error| Error::Registry {
            reference: reference.to_owned(),
            message: error.to_string(),
        })?;
    match image.layers.as_slice() {
        [layer] => Ok(layer.data.to_vec()),
        layers => Err(Error::Registry {
            reference: reference.to_owned(),
            message: format!(
                "it has {} `{WASM_MEDIA_TYPE}` layers, not one",
                layers.len()
            ),
        }),
    }
}

/// Pushes a module to `reference`; returns the manifest digest to pin.
pub(crate) fn push(wasm: Vec<u8>, reference: &str, config: &SourceConfig) -> Result<String, Error> {
    let RegistryConnection {
        client,
        auth,
        reference: parsed,
        runtime,
    } = connect(reference, config)?;
    let failed = |error: oci_client::errors::OciDistributionError| Error::Registry {
        reference: reference.to_owned(),
        message: error.to_string(),
    };
    let layers = [ImageLayer::new(wasm, WASM_MEDIA_TYPE.to_owned(), None)];
    let empty = Config::new(b"{}".to_vec(), EMPTY_CONFIG_MEDIA_TYPE.to_owned(), None);
    let mut manifest = OciImageManifest::build(&layers, &empty, None);
    manifest.artifact_type = Some(ARTIFACT_TYPE.to_owned());
    runtime
        .block_on(client.push(&parsed, &layers, empty, &auth, Some(manifest)))
        .map_err(failed)?;
    runtime
        .block_on(client.fetch_manifest_digest(&parsed, &auth))
        .map_err(failed)
}
