//! Walk an OCI image index (nested indexes and multi-platform lists too) down to
//! one image manifest, then read its config and layer list.
//!
//! Shared by the OCI layout, OCI archive and registry sources, which differ only
//! in how they fetch a blob. See
//! <https://github.com/opencontainers/image-spec/blob/main/image-index.md>.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

use super::{Error, ImageConfig, LayerBlob};
use portcullis_model::{Digest, Platform};

/// Manifests, indexes and configs above this size are refused (4 MiB, as registries do).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const MANIFEST_TYPES: [&str; 2] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];
const CONFIG_TYPES: [&str; 2] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];
/// The layer media types a scan reads (the layer stream sniffs gzip, zstd or
/// plain tar); any other layer is refused rather than skipped, so an image is
/// never passed on a part that was not read.
const LAYER_TYPES: [&str; 9] = [
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar",
];
const LAYER_TYPES_TEXT: &str = "a layer type portcullis reads (application/vnd.oci.image.layer.v1.tar, +gzip or +zstd, their nondistributable forms, or Docker's rootfs.diff.tar.gzip)";
/// Nested indexes deeper than this are refused, so a cycle cannot loop forever.
const MAX_INDEX_DEPTH: usize = 8;

/// Fetches a blob's bytes by descriptor; the caller checks the digest.
pub(crate) trait BlobFetch {
    /// Where blobs come from, for messages.
    fn location(&self) -> &str;
    fn fetch(&self, digest: &Digest, what: &str) -> Result<Vec<u8>, Error>;
    /// Fetches a manifest or index; registries serve these apart from blobs.
    fn fetch_manifest(&self, digest: &Digest, what: &str) -> Result<Vec<u8>, Error> {
        self.fetch(digest, what)
    }
}

/// The image manifest picked from an index, with what was learnt on the way.
pub(crate) struct Resolved {
    pub manifest_digest: Digest,
    pub platform: Option<Platform>,
    pub config: ImageConfig,
    pub layers: Vec<LayerBlob>,
}

/// What a fetch reads: registries serve manifests and blobs at different endpoints.
#[derive(Clone, Copy)]
enum Fetched {
    Manifest,
    Blob,
}

/// Fetches a blob and checks that its bytes have the digest that named it.
fn fetch_verified(
    fetch: &dyn BlobFetch,
    digest: &Digest,
    what: &str,
    kind: Fetched,
) -> Result<Vec<u8>, Error> {
    let bytes = match kind {
        Fetched::Manifest => fetch.fetch_manifest(digest, what)?,
        Fetched::Blob => fetch.fetch(digest, what)?,
    };
    let mut hasher = digest.hasher();
    hasher.update(&bytes);
    let actual = hasher.finish();
    if &actual != digest {
        return Err(Error::DigestMismatch {
            location: fetch.location().to_owned(),
            what: what.to_owned(),
            expected: digest.clone(),
            actual,
        });
    }
    Ok(bytes)
}

fn parse_digest(descriptor: &Descriptor, location: &str, what: &str) -> Result<Digest, Error> {
    descriptor
        .digest()
        .to_string()
        .parse()
        .map_err(|source| Error::BadDigest {
            location: location.to_owned(),
            what: what.to_owned(),
            source,
        })
}

fn descriptor_platform(descriptor: &Descriptor) -> Option<Platform> {
    descriptor.platform().as_ref().map(|p| {
        Platform::new(
            &p.os().to_string(),
            &p.architecture().to_string(),
            p.variant().as_deref(),
        )
    })
}

/// Whether a descriptor is a BuildKit attestation rather than an image.
fn is_attestation(descriptor: &Descriptor) -> bool {
    let unknown = descriptor
        .platform()
        .as_ref()
        .is_some_and(|p| p.os().to_string() == "unknown");
    let annotated = descriptor.annotations().as_ref().is_some_and(|a| {
        a.get("vnd.docker.reference.type")
            .is_some_and(|v| v == "attestation-manifest")
    });
    unknown || annotated
}

/// A manifest found under an index, with the platform its descriptor names.
struct Candidate {
    digest: Digest,
    platform: Option<Platform>,
}

/// Collects the image manifests under `index`, recursing into nested indexes.
fn collect_candidates(
    fetch: &dyn BlobFetch,
    index: &ImageIndex,
    depth: usize,
    candidates: &mut Vec<Candidate>,
) -> Result<(), Error> {
    let location = fetch.location();
    for descriptor in index.manifests() {
        if is_attestation(descriptor) {
            continue;
        }
        let media_type = descriptor.media_type().to_string();
        let digest = parse_digest(descriptor, location, "a manifest descriptor")?;
        if INDEX_TYPES.contains(&media_type.as_str()) {
            if depth >= MAX_INDEX_DEPTH {
                return Err(Error::NotAnImage {
                    path: location.into(),
                    why: "its image indexes nest too deep",
                });
            }
            let what = format!("nested index {}", digest.short());
            let bytes = fetch_verified(fetch, &digest, &what, Fetched::Manifest)?;
            let nested = parse_index(&bytes, location, &what)?;
            collect_candidates(fetch, &nested, depth + 1, candidates)?;
        } else if MANIFEST_TYPES.contains(&media_type.as_str()) {
            candidates.push(Candidate {
                digest,
                platform: descriptor_platform(descriptor),
            });
        }
    }
    Ok(())
}

pub(crate) fn parse_index(bytes: &[u8], location: &str, what: &str) -> Result<ImageIndex, Error> {
    let index: ImageIndex = serde_json::from_slice(bytes).map_err(|source| Error::Malformed {
        location: location.to_owned(),
        what: what.to_owned(),
        source,
    })?;
    if let Some(media_type) = index.media_type() {
        let media_type = media_type.to_string();
        if !INDEX_TYPES.contains(&media_type.as_str()) {
            return Err(Error::MediaType {
                location: location.to_owned(),
                what: what.to_owned(),
                expected: "an image index",
                actual: media_type,
            });
        }
    }
    Ok(index)
}

/// Picks one image manifest under `index` for `wanted` (the host when `None`).
pub(crate) fn resolve_index(
    fetch: &dyn BlobFetch,
    index: &ImageIndex,
    wanted: Option<&Platform>,
) -> Result<Resolved, Error> {
    let mut candidates = Vec::new();
    collect_candidates(fetch, index, 0, &mut candidates)?;
    let chosen = choose(fetch.location(), &candidates, wanted)?;
    resolve_manifest(fetch, &chosen.digest, chosen.platform.clone(), wanted)
}

fn choose<'a>(
    location: &str,
    candidates: &'a [Candidate],
    wanted: Option<&Platform>,
) -> Result<&'a Candidate, Error> {
    let first = candidates.first().ok_or_else(|| Error::NoManifest {
        location: location.to_owned(),
    })?;
    // One manifest with no platform of its own is the image, whatever the host.
    if candidates.len() == 1 && first.platform.is_none() {
        return Ok(first);
    }
    let target = wanted.cloned().unwrap_or_else(Platform::host);
    let matching = candidates.iter().find(|c| match &c.platform {
        Some(platform) => target.accepts(platform),
        None => false,
    });
    match matching {
        Some(candidate) => Ok(candidate),
        None if candidates.len() == 1 && wanted.is_none() => Ok(first),
        None => Err(Error::NoMatchingPlatform {
            location: location.to_owned(),
            wanted: target.to_string(),
            available: candidates
                .iter()
                .map(|c| {
                    c.platform
                        .as_ref()
                        .map_or("unknown".to_owned(), Platform::to_string)
                })
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Reads the image manifest `digest`, its config and its layer descriptors.
pub(crate) fn resolve_manifest(
    fetch: &dyn BlobFetch,
    digest: &Digest,
    platform: Option<Platform>,
    wanted: Option<&Platform>,
) -> Result<Resolved, Error> {
    let location = fetch.location();
    let what = format!("manifest {}", digest.short());
    let bytes = fetch_verified(fetch, digest, &what, Fetched::Manifest)?;
    let manifest: ImageManifest =
        serde_json::from_slice(&bytes).map_err(|source| Error::Malformed {
            location: location.to_owned(),
            what: what.clone(),
            source,
        })?;
    if let Some(media_type) = manifest.media_type() {
        let media_type = media_type.to_string();
        if !MANIFEST_TYPES.contains(&media_type.as_str()) {
            return Err(Error::MediaType {
                location: location.to_owned(),
                what,
                expected: "an image manifest",
                actual: media_type,
            });
        }
    }
    let config_descriptor = manifest.config();
    let config_type = config_descriptor.media_type().to_string();
    if !CONFIG_TYPES.contains(&config_type.as_str()) {
        return Err(Error::MediaType {
            location: location.to_owned(),
            what: "the image config".to_owned(),
            expected: "an image config",
            actual: config_type,
        });
    }
    let config_digest = parse_digest(config_descriptor, location, "the config descriptor")?;
    let config_what = format!("config {}", config_digest.short());
    let config_bytes = fetch_verified(fetch, &config_digest, &config_what, Fetched::Blob)?;
    let mut config = ImageConfig::from_json(&config_bytes, location)?;
    config.annotations = manifest
        .annotations()
        .iter()
        .flatten()
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    config.annotations.sort();
    let platform = platform.or_else(|| config.platform.clone());
    if let (Some(wanted), Some(actual)) = (wanted, &platform) {
        if !wanted.accepts(actual) {
            return Err(Error::NoMatchingPlatform {
                location: location.to_owned(),
                wanted: wanted.to_string(),
                available: actual.to_string(),
            });
        }
    }
    let mut layers = Vec::new();
    for descriptor in manifest.layers() {
        let expected = parse_digest(descriptor, location, "a layer descriptor")?;
        let media_type = descriptor.media_type().to_string();
        if !LAYER_TYPES.contains(&media_type.as_str()) {
            return Err(Error::MediaType {
                location: location.to_owned(),
                what: format!("layer {}", expected.short()),
                expected: LAYER_TYPES_TEXT,
                actual: portcullis_model::quote(&media_type),
            });
        }
        layers.push(LayerBlob {
            locator: expected.to_string(),
            expected,
            expected_is_uncompressed: false,
            size: Some(descriptor.size()),
        });
    }
    if config.diff_ids.len() != layers.len() {
        return Err(Error::LayerCountMismatch {
            location: location.to_owned(),
            diff_ids: config.diff_ids.len(),
            layers: layers.len(),
        });
    }
    Ok(Resolved {
        manifest_digest: digest.clone(),
        platform,
        config,
        layers,
    })
}
