//! A `docker save` archive read once as a local engine streams it. Members
//! come in the archive's order (Docker writes it sorted by name, so the
//! layers come before `manifest.json`, which orders them): each layer tar is
//! walked as it arrives and hashed, and put in its place at the end. The
//! config must have the image ID the engine gave, every layer the diff_id the
//! config lists, and every layer the manifest names must have arrived.
//!
//! The layouts Docker and others write are read: `<id>/layer.tar` with
//! `<id>.json` (Docker ≤ 24, Podman), `<hex>.tar` (skopeo) and
//! `blobs/sha256/<hex>` (Docker 25+).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::AtomicU64;

use portcullis_model::Digest;
use portcullis_source::{digest_in_name, export_manifest, ExportStream, ImageConfig};

use super::walk::{normalise, read_tar_member, Caps, LayerContents};
use super::{Error, LayerConfig, LayerName, ReadStats, Selection};

/// The largest config or manifest member read (4 MiB, as for archives).
const MAX_SMALL_MEMBER: u64 = portcullis_source::MAX_MANIFEST_BYTES;

/// What the stream held, by member name.
#[derive(Default)]
struct Seen {
    layers: HashMap<String, (Digest, LayerContents)>,
    config: Option<Vec<u8>>,
    manifest: Option<Vec<u8>>,
}

/// Reads `export` whole: the layers bottom first, the config they belong to,
/// and how many layers were read.
pub(crate) fn read_export(
    export: &mut ExportStream,
    selection: &Selection,
    config: &LayerConfig,
) -> Result<(Vec<LayerContents>, ImageConfig, ReadStats), Error> {
    let location = export.location.clone();
    let broken = |source: io::Error| Error::Export {
        location: location.clone(),
        source,
    };
    let progress = super::progress_bar(
        config.progress,
        indicatif::ProgressBar::new_spinner(),
        format!("reading {location}"),
        "{spinner} {msg}: {bytes} ({bytes_per_sec})",
    );
    let image_total = AtomicU64::new(0);
    let caps = Caps {
        layer_bytes: config.max_layer_bytes,
        image_bytes: config.max_image_bytes,
        image_total: &image_total,
    };
    let mut seen = Seen::default();
    let failure = Rc::new(RefCell::new(None));
    let transport = Transport {
        inner: progress.wrap_read(&mut export.reader),
        failure: Rc::clone(&failure),
    };
    let mut archive = tar::Archive::new(transport);
    let walked = (|| {
        for (ordinal, entry) in archive.entries().map_err(broken)?.enumerate() {
            let entry = entry.map_err(broken)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Ok(name) = normalise(&raw) else {
                continue;
            };
            read_member(
                &name,
                ordinal,
                entry,
                &location,
                &export.config_digest,
                selection,
                &caps,
                &mut seen,
            )?;
        }
        Ok(())
    })();
    progress.finish_and_clear();
    // The engine or the socket failed, whatever the walk made of it: the
    // gate could not read the image (not a bad image).
    if let Some(source) = failure.borrow_mut().take() {
        return Err(Error::Export {
            location: location.clone(),
            source,
        });
    }
    walked?;
    place(seen, &location, &export.config_digest)
}

/// The engine's stream, remembering the first error it gave, so a dropped
/// connection is told from a corrupt layer.
struct Transport<R> {
    inner: R,
    failure: Rc<RefCell<Option<io::Error>>>,
}

impl<R: Read> Read for Transport<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|error| {
            let mut failure = self.failure.borrow_mut();
            if failure.is_none() && error.kind() != io::ErrorKind::Interrupted {
                *failure = Some(io::Error::new(error.kind(), error.to_string()));
            }
        })
    }
}

/// Keeps one member: the manifest, the config, or a layer walked now.
#[allow(clippy::too_many_arguments)]
fn read_member(
    name: &str,
    ordinal: usize,
    entry: impl Read,
    location: &str,
    config_digest: &Digest,
    selection: &Selection,
    caps: &Caps<'_>,
    seen: &mut Seen,
) -> Result<(), Error> {
    let broken = |source: io::Error| Error::Export {
        location: location.to_owned(),
        source,
    };
    let claimed = digest_in_name(name);
    let is_blob = name.starts_with("blobs/");
    if name == "manifest.json" {
        seen.manifest = Some(read_small(entry, name).map_err(broken)?);
        return Ok(());
    }
    let is_config_name = is_blob || (!name.contains('/') && name.ends_with(".json"));
    if is_config_name && claimed.as_ref() == Some(config_digest) {
        seen.config = Some(read_small(entry, name).map_err(broken)?);
        return Ok(());
    }
    let mut entry = BufReader::with_capacity(64 << 10, entry);
    // A blob that is JSON is a manifest or an index, not a layer.
    if !(name.ends_with(".tar") || is_blob)
        || (is_blob && entry.fill_buf().map_err(broken)?.first() == Some(&b'{'))
    {
        return Ok(());
    }
    let layer = LayerName {
        index: ordinal,
        digest: Digest::sha256_of(b""),
        file: Some(PathBuf::from(format!("{location}: {name}"))),
    };
    let (contents, digest) = read_tar_member(&layer, entry, selection, caps)?;
    if let Some(claimed) = claimed.filter(|_| is_blob) {
        if claimed != digest {
            return Err(Error::DigestMismatch {
                layer,
                digests: Box::new((claimed, digest)),
            });
        }
    }
    tracing::debug!("{layer}: {digest}");
    seen.layers.insert(name.to_owned(), (digest, contents));
    Ok(())
}

fn read_small(entry: impl Read, name: &str) -> io::Result<Vec<u8>> {
    portcullis_io::read_bounded(entry, MAX_SMALL_MEMBER)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("`{name}` is over {MAX_SMALL_MEMBER} bytes"),
        )
    })
}

/// Checks what arrived against the config and puts the layers in order.
fn place(
    mut seen: Seen,
    location: &str,
    config_digest: &Digest,
) -> Result<(Vec<LayerContents>, ImageConfig, ReadStats), Error> {
    let incomplete = |why: String| Error::ExportIncomplete {
        location: location.to_owned(),
        why,
    };
    let source_error = |source| Error::ExportSource {
        location: location.to_owned(),
        source: Box::new(source),
    };
    let config_bytes = seen.config.take().ok_or_else(|| {
        incomplete(format!(
            "it holds no config with the image ID {config_digest}"
        ))
    })?;
    let actual = Digest::sha256_of(&config_bytes);
    if &actual != config_digest {
        return Err(incomplete(format!(
            "its config has digest {actual}, not the image ID {config_digest}"
        )));
    }
    let image_config = ImageConfig::from_json(&config_bytes, location).map_err(source_error)?;
    let manifest = seen
        .manifest
        .take()
        .ok_or_else(|| incomplete("it ended before `manifest.json`".to_owned()))?;
    let (config_member, members) = export_manifest(&manifest, location).map_err(source_error)?;
    if digest_in_name(&config_member).as_ref() != Some(config_digest) {
        return Err(incomplete(format!(
            "`manifest.json` names the config `{config_member}`, not the image ID {config_digest}"
        )));
    }
    if members.len() != image_config.diff_ids.len() {
        return Err(incomplete(format!(
            "`manifest.json` names {} layers, the config {}",
            members.len(),
            image_config.diff_ids.len()
        )));
    }
    let mut layers = Vec::with_capacity(members.len());
    for (index, (member, diff_id)) in members.iter().zip(&image_config.diff_ids).enumerate() {
        let name = normalise(member).unwrap_or_else(|_| member.clone());
        let Some((digest, contents)) = seen.layers.get(&name) else {
            return Err(incomplete(format!(
                "layer {} (`{member}`) named by `manifest.json` never arrived",
                index + 1
            )));
        };
        if digest != diff_id {
            return Err(Error::DigestMismatch {
                layer: LayerName {
                    index,
                    digest: diff_id.clone(),
                    file: None,
                },
                digests: Box::new((diff_id.clone(), digest.clone())),
            });
        }
        layers.push(contents.clone());
    }
    let stats = ReadStats {
        layers_read: layers.len(),
        layers_cached: 0,
    };
    Ok((layers, image_config, stats))
}
