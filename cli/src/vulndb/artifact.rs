//! The DB as an OCI artifact, so fleets without internet pull it from their
//! own registry: one layer (the bundle, `application/vnd.portcullis.db.v1+zstd`)
//! under an empty config, pushed and pulled with `oci-client`, by tag or digest.
//!
//! See <https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage>.

use std::path::Path;

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::OciImageManifest;

use super::bundle;
use super::Error;
use crate::source::{self, RegistryConnection, SourceConfig};

pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.portcullis.db.v1";
pub(crate) const LAYER_MEDIA_TYPE: &str = "application/vnd.portcullis.db.v1+zstd";
const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";

fn connect(reference: &str, config: &SourceConfig) -> Result<RegistryConnection, Error> {
    source::connect_registry(reference, config).map_err(|error| Error::NotAnArtifact {
        reference: reference.to_owned(),
        why: error.to_string(),
    })
}

/// Pushes the DB at `db_path` to `reference`; returns the manifest digest.
pub(crate) fn push(
    db_path: &Path,
    reference: &str,
    config: &SourceConfig,
) -> Result<String, Error> {
    let scratch = tempfile::NamedTempFile::new_in(db_path.parent().unwrap_or(Path::new(".")))
        .map_err(|source| Error::Io {
            path: db_path.to_owned(),
            source,
        })?;
    bundle::export(db_path, scratch.path())?;
    let bytes = fs_err::read(scratch.path()).map_err(|source| Error::Io {
        path: scratch.path().to_owned(),
        source,
    })?;
    let connection = connect(reference, config)?;
    let registry_error = |source| Error::Registry {
        reference: reference.to_owned(),
        source,
    };
    let layers = [ImageLayer::new(bytes, LAYER_MEDIA_TYPE.to_owned(), None)];
    let empty = Config::new(b"{}".to_vec(), EMPTY_CONFIG_MEDIA_TYPE.to_owned(), None);
    let mut manifest = OciImageManifest::build(&layers, &empty, None);
    manifest.artifact_type = Some(ARTIFACT_TYPE.to_owned());
    let RegistryConnection {
        client,
        auth,
        reference: parsed,
        runtime,
    } = connection;
    runtime
        .block_on(client.push(&parsed, &layers, empty, &auth, Some(manifest)))
        .map_err(registry_error)?;
    runtime
        .block_on(client.fetch_manifest_digest(&parsed, &auth))
        .map_err(registry_error)
}

/// Pulls the DB artifact at `reference` (a tag or `@sha256:…`) and installs it at `db_path`.
pub(crate) fn pull(reference: &str, db_path: &Path, config: &SourceConfig) -> Result<(), Error> {
    let RegistryConnection {
        client,
        auth,
        reference: parsed,
        runtime,
    } = connect(reference, config)?;
    let image = runtime
        .block_on(client.pull(&parsed, &auth, vec![LAYER_MEDIA_TYPE]))
        .map_err(|source| Error::Registry {
            reference: reference.to_owned(),
            source,
        })?;
    let [layer] = image.layers.as_slice() else {
        return Err(Error::NotAnArtifact {
            reference: reference.to_owned(),
            why: format!(
                "it has {} layers of type `{LAYER_MEDIA_TYPE}`, not one",
                image.layers.len()
            ),
        });
    };
    bundle::install(layer.data.as_ref(), Path::new(reference), db_path)
}
