//! `docker save` tarballs: the classic layout (`manifest.json`, `<id>.json`,
//! `<id>/layer.tar`) and the OCI-flavoured one Docker 25+ writes (the same
//! `manifest.json`, naming `blobs/sha256/…` members).
//!
//! Layers are checked against the config's diff_ids, which digest the
//! uncompressed tar. See
//! <https://github.com/moby/moby/blob/master/image/spec/v1.2.md#combined-image-json--filesystem-changeset-format>.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::archive::TarIndex;
use super::manifest::MAX_MANIFEST_BYTES;
use super::{BlobStore, Contents, Error, Image, ImageConfig, LayerBlob, TargetKind};
use portcullis_model::Digest;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawEntry {
    config: String,
    #[serde(default)]
    layers: Vec<String>,
}

struct ArchiveLayers {
    index: TarIndex,
}

impl BlobStore for ArchiveLayers {
    fn open(&self, layer: &LayerBlob) -> Result<Box<dyn Read + Send + '_>, Error> {
        Ok(Box::new(self.index.open_member(&layer.locator)?))
    }
}

/// The digest a member's name claims: `<hex>.json` or `blobs/sha256/<hex>`.
pub fn digest_in_name(name: &str) -> Option<Digest> {
    let file = name.rsplit('/').next()?;
    let hex = file.strip_suffix(".json").unwrap_or(file);
    format!("sha256:{hex}").parse().ok()
}

/// The first image of a `manifest.json` read from `location`: its config
/// member and its layer members, bottom first.
pub fn export_manifest(bytes: &[u8], location: &str) -> Result<(String, Vec<String>), Error> {
    let entries: Vec<RawEntry> =
        serde_json::from_slice(bytes).map_err(|source| Error::Malformed {
            location: location.to_owned(),
            what: "manifest.json".to_owned(),
            source,
        })?;
    let entry = entries
        .into_iter()
        .next()
        .ok_or_else(|| Error::NoManifest {
            location: location.to_owned(),
        })?;
    Ok((entry.config, entry.layers))
}

pub(super) fn open(path: &Path) -> Result<Image, Error> {
    let index = TarIndex::open(path)?;
    let location = path.display().to_string();
    if !index.contains("manifest.json") {
        return Err(Error::NotAnImage {
            path: path.to_owned(),
            why: "it has no `manifest.json`, so it is no docker-archive",
        });
    }
    let bytes = index.read_small("manifest.json", MAX_MANIFEST_BYTES, "manifest.json")?;
    let (config_member, layer_members) = export_manifest(&bytes, &location)?;
    let entry = RawEntry {
        config: config_member,
        layers: layer_members,
    };
    let config_bytes = index.read_small(&entry.config, MAX_MANIFEST_BYTES, "the image config")?;
    if let Some(expected) = digest_in_name(&entry.config) {
        let actual = Digest::sha256_of(&config_bytes);
        if actual != expected {
            return Err(Error::DigestMismatch {
                location,
                what: format!("config `{}`", entry.config),
                expected,
                actual,
            });
        }
    }
    let config = ImageConfig::from_json(&config_bytes, &location)?;
    if config.diff_ids.len() != entry.layers.len() {
        return Err(Error::LayerCountMismatch {
            location,
            diff_ids: config.diff_ids.len(),
            layers: entry.layers.len(),
        });
    }
    let layers = entry
        .layers
        .iter()
        .zip(&config.diff_ids)
        .map(|(member, diff_id)| LayerBlob {
            locator: member.clone(),
            expected: diff_id.clone(),
            expected_is_uncompressed: true,
            size: None,
        })
        .collect();
    Ok(Image {
        kind: TargetKind::DockerArchive,
        reference: location,
        manifest_digest: None,
        platform: config.platform.clone(),
        config,
        contents: Contents::Layers {
            layers,
            store: Box::new(ArchiveLayers { index }),
        },
    })
}
