//! OCI image layouts, as a directory (`oci-dir:`) or a tarball of one
//! (`oci-archive:`, the buildx default): `oci-layout`, `index.json`, `blobs/`.
//!
//! See <https://github.com/opencontainers/image-spec/blob/main/image-layout.md>.

use std::io::Read;
use std::path::{Path, PathBuf};

use fs_err::File;

use super::archive::TarIndex;
use super::manifest::{self, BlobFetch, MAX_MANIFEST_BYTES};
use super::{BlobStore, Contents, Error, Image, LayerBlob, SourceConfig, TargetKind};
use portcullis_model::Digest;

fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm().name(), digest.hex())
}

/// Blobs in a layout directory.
struct DirBlobs {
    root: PathBuf,
    location: String,
}

impl DirBlobs {
    /// The blob's file, refused when it resolves (by a symlink or `..`)
    /// outside the layout: nothing from outside the input is ever read.
    fn path_of(&self, digest: &Digest) -> Result<PathBuf, Error> {
        let path = self.root.join(blob_path(digest));
        if !path.is_file() {
            return Err(Error::MissingBlob {
                location: self.location.clone(),
                digest: digest.clone(),
            });
        }
        let io_error = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let real = path.canonicalize().map_err(io_error(&path))?;
        let root = self.root.canonicalize().map_err(io_error(&self.root))?;
        if !real.starts_with(&root) {
            return Err(Error::OutsideInput {
                location: self.location.clone(),
                digest: digest.short(),
            });
        }
        Ok(real)
    }
}

impl BlobFetch for DirBlobs {
    fn location(&self) -> &str {
        &self.location
    }

    fn fetch(&self, digest: &Digest, what: &str) -> Result<Vec<u8>, Error> {
        let path = self.path_of(digest)?;
        let io_error = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let file = File::open(&path).map_err(io_error)?;
        portcullis_io::read_bounded(file, MAX_MANIFEST_BYTES)
            .map_err(io_error)?
            .ok_or_else(|| Error::TooLarge {
                location: self.location.clone(),
                what: what.to_owned(),
                limit: MAX_MANIFEST_BYTES,
            })
    }
}

impl BlobStore for DirBlobs {
    fn open(&self, layer: &LayerBlob) -> Result<Box<dyn Read + Send + '_>, Error> {
        let path = self.path_of(&layer.expected)?;
        let file = File::open(&path).map_err(|source| Error::Io { path, source })?;
        Ok(Box::new(std::io::BufReader::with_capacity(256 << 10, file)))
    }
}

/// Blobs in a layout tarball.
struct ArchiveBlobs {
    index: TarIndex,
    location: String,
}

impl BlobFetch for ArchiveBlobs {
    fn location(&self) -> &str {
        &self.location
    }

    fn fetch(&self, digest: &Digest, what: &str) -> Result<Vec<u8>, Error> {
        let name = blob_path(digest);
        if !self.index.contains(&name) {
            return Err(Error::MissingBlob {
                location: self.location.clone(),
                digest: digest.clone(),
            });
        }
        self.index.read_small(&name, MAX_MANIFEST_BYTES, what)
    }
}

impl BlobStore for ArchiveBlobs {
    fn open(&self, layer: &LayerBlob) -> Result<Box<dyn Read + Send + '_>, Error> {
        let name = blob_path(&layer.expected);
        if !self.index.contains(&name) {
            return Err(Error::MissingBlob {
                location: self.location.clone(),
                digest: layer.expected.clone(),
            });
        }
        Ok(Box::new(self.index.open_member(&name)?))
    }
}

fn read_index_json(bytes: &[u8], location: &str) -> Result<oci_spec::image::ImageIndex, Error> {
    manifest::parse_index(bytes, location, "index.json")
}

pub(super) fn open_dir(root: &Path, config: &SourceConfig) -> Result<Image, Error> {
    let location = root.display().to_string();
    let index_path = root.join("index.json");
    if !index_path.is_file() {
        return Err(Error::NotAnImage {
            path: root.to_owned(),
            why: "it has no `index.json`, so it is no OCI image layout",
        });
    }
    let bytes = fs_err::read(&index_path).map_err(|source| Error::Io {
        path: index_path.clone(),
        source,
    })?;
    let index = read_index_json(&bytes, &location)?;
    let blobs = DirBlobs {
        root: root.to_owned(),
        location,
    };
    let resolved = manifest::resolve_index(&blobs, &index, config.platform.as_ref())?;
    Ok(layered(TargetKind::OciDir, root, resolved, Box::new(blobs)))
}

/// An image from a resolved manifest and the store that holds its blobs.
fn layered(
    kind: TargetKind,
    path: &Path,
    resolved: manifest::Resolved,
    store: Box<dyn BlobStore>,
) -> Image {
    Image {
        kind,
        reference: path.display().to_string(),
        manifest_digest: Some(resolved.manifest_digest),
        platform: resolved.platform,
        config: resolved.config,
        contents: Contents::Layers {
            layers: resolved.layers,
            store,
        },
    }
}

pub(super) fn open_archive(path: &Path, config: &SourceConfig) -> Result<Image, Error> {
    let index = TarIndex::open(path)?;
    let location = path.display().to_string();
    if !index.contains("index.json") {
        return Err(Error::NotAnImage {
            path: path.to_owned(),
            why: "it has no `index.json`, so it is no OCI archive",
        });
    }
    let bytes = index.read_small("index.json", MAX_MANIFEST_BYTES, "index.json")?;
    let image_index = read_index_json(&bytes, &location)?;
    let blobs = ArchiveBlobs { index, location };
    let resolved = manifest::resolve_index(&blobs, &image_index, config.platform.as_ref())?;
    Ok(layered(
        TargetKind::OciArchive,
        path,
        resolved,
        Box::new(blobs),
    ))
}
