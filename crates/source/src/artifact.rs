//! OCI artifacts: one layer of a given media type under an empty config,
//! pushed and pulled with `oci-client`. The DB (`db push|pull`) and policy
//! modules (`policy push`, `--policy repo@sha256:…`) both travel this way.
//!
//! See <https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage>.

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::OciImageManifest;

use super::registry::{connect, RegistryConnection};
use super::{Error, SourceConfig};

const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";

/// What kind of artifact: its `artifactType` and its one layer's media type.
#[derive(Debug, Clone, Copy)]
pub struct ArtifactKind {
    pub artifact_type: &'static str,
    pub layer_media_type: &'static str,
}

/// Pushes `bytes` as an artifact to `reference`; returns the manifest digest.
pub fn push_artifact(
    kind: ArtifactKind,
    bytes: Vec<u8>,
    reference: &str,
    config: &SourceConfig,
) -> Result<String, Error> {
    let RegistryConnection {
        client,
        auth,
        reference: parsed,
        runtime,
        ..
    } = connect(reference, config)?;
    let failed = |source| Error::Registry {
        reference: reference.to_owned(),
        source,
    };
    let layers = [ImageLayer::new(
        bytes,
        kind.layer_media_type.to_owned(),
        None,
    )];
    let empty = Config::new(b"{}".to_vec(), EMPTY_CONFIG_MEDIA_TYPE.to_owned(), None);
    let mut manifest = OciImageManifest::build(&layers, &empty, None);
    manifest.artifact_type = Some(kind.artifact_type.to_owned());
    runtime
        .block_on(client.push(&parsed, &layers, empty, &auth, Some(manifest)))
        .map_err(failed)?;
    runtime
        .block_on(client.fetch_manifest_digest(&parsed, &auth))
        .map_err(failed)
}

/// Pulls the one layer of `kind` from the artifact at `reference` (tag or digest).
pub fn pull_artifact(
    kind: ArtifactKind,
    reference: &str,
    config: &SourceConfig,
) -> Result<Vec<u8>, Error> {
    let RegistryConnection {
        client,
        auth,
        reference: parsed,
        runtime,
        ..
    } = connect(reference, config)?;
    let image = runtime
        .block_on(client.pull(&parsed, &auth, vec![kind.layer_media_type]))
        .map_err(|source| Error::Registry {
            reference: reference.to_owned(),
            source,
        })?;
    match image.layers.as_slice() {
        [layer] => Ok(layer.data.to_vec()),
        layers => Err(Error::ArtifactLayers {
            reference: reference.to_owned(),
            media_type: kind.layer_media_type,
            count: layers.len(),
        }),
    }
}
