//! Policies in an OCI registry: one layer of media type `application/wasm`,
//! pushed with `portcullis policy push` (or any OCI artifact tool) and pulled
//! only by digest (`host/repo@sha256:…`), so the module that decides cannot
//! change under a tag.
//!
//! See <https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage>.

use super::Error;
use portcullis_source::{self as source, ArtifactKind, SourceConfig};

const POLICY_ARTIFACT: ArtifactKind = ArtifactKind {
    artifact_type: "application/vnd.portcullis.policy.v1",
    layer_media_type: "application/wasm",
};

fn registry_error(reference: &str) -> impl Fn(source::Error) -> Error + '_ {
    move |error| Error::Registry {
        reference: reference.to_owned(),
        message: error.to_string(),
    }
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
    source::pull_artifact(POLICY_ARTIFACT, reference, config).map_err(registry_error(reference))
}

/// Pushes a module to `reference`; returns the manifest digest to pin.
pub fn push(wasm: Vec<u8>, reference: &str, config: &SourceConfig) -> Result<String, Error> {
    source::push_artifact(POLICY_ARTIFACT, wasm, reference, config)
        .map_err(registry_error(reference))
}
