//! The DB as an OCI artifact, so fleets without internet pull it from their
//! own registry: one layer (the bundle, `application/vnd.portcullis.db.v1+zstd`),
//! pushed and pulled by tag or digest through `source::artifact`.

use std::path::Path;

use super::bundle;
use super::Error;
use portcullis_source::{self as source, ArtifactKind, SourceConfig};

const DB_ARTIFACT: ArtifactKind = ArtifactKind {
    artifact_type: "application/vnd.portcullis.db.v1",
    layer_media_type: "application/vnd.portcullis.db.v1+zstd",
};

fn artifact_error(reference: &str) -> impl Fn(source::Error) -> Error + '_ {
    move |source| Error::Artifact {
        reference: reference.to_owned(),
        source: Box::new(source),
    }
}

/// Pushes the DB at `db_path` to `reference`; returns the manifest digest.
pub fn push(db_path: &Path, reference: &str, config: &SourceConfig) -> Result<String, Error> {
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
    source::push_artifact(DB_ARTIFACT, bytes, reference, config).map_err(artifact_error(reference))
}

/// Pulls the DB artifact at `reference` (a tag or `@sha256:…`) and installs it at `db_path`.
pub fn pull(reference: &str, db_path: &Path, config: &SourceConfig) -> Result<(), Error> {
    let bytes =
        source::pull_artifact(DB_ARTIFACT, reference, config).map_err(artifact_error(reference))?;
    bundle::install(bytes.as_slice(), Path::new(reference), db_path)
}
