//! Walk one layer's tar stream once: normalise each path, refuse entries that
//! escape the root, record whiteouts, keep the files a collector wants and
//! every symlink (so later lookups can follow directory links).
//!
//! Whiteouts follow the OCI layer spec:
//! <https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts>.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::sync::atomic::AtomicU64;

use super::select::{Keep, NoteData};
use super::stream::{Decoded, Meter, Overflow};
use super::{Error, LayerName, Selection};
use portcullis_model::Digest;

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_WHITEOUT: &str = ".wh..wh..opq";
/// Decompressed bytes asked for at once: large reads keep inflate in its fast loop (1 MiB).
const TAR_BUFFER_BYTES: usize = 1 << 20;

/// A kept entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    /// What an extractor derived from the file (the file itself is not kept).
    Extracted(Vec<u8>),
    /// A symlink and its target as written in the tar.
    Symlink(String),
}

/// What one layer contributes: kept entries, deletions and skipped files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerContents {
    pub entries: BTreeMap<String, Entry>,
    /// Paths a plain whiteout (`.wh.NAME`) deletes from lower layers.
    pub whiteouts: BTreeSet<String>,
    /// Directories an opaque whiteout (`.wh..wh..opq`) empties of lower layers' files.
    pub opaque_dirs: BTreeSet<String>,
    /// Wanted files that were not kept, and why (too large, a dangling hard link).
    pub skipped: Vec<(String, String)>,
    /// Files the inspector noted.
    pub notes: Vec<Note>,
}

/// A file the inspector noted: its path and mode, and what the inspector kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub path: String,
    pub mode: u32,
    pub note: NoteData,
}

/// Limits on what one layer may unpack to.
pub(crate) struct Caps<'a> {
    pub layer_bytes: u64,
    pub image_bytes: u64,
    pub image_total: &'a AtomicU64,
}

/// Normalises a tar path: drops `./` and trailing `/`; refuses absolute paths and `..`.
pub(crate) fn normalise(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.strip_prefix("./").unwrap_or(raw);
    if trimmed.starts_with('/') {
        return Err("is an absolute path");
    }
    let mut parts = Vec::new();
    for part in trimmed.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("climbs out of the image with `..`"),
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

/// A PAX header the tar reader would pass over rather than refuse: a `size`
/// record that is no size (2^64+1, text) leaves the member read at its
/// header's size, and what follows misread.
fn bad_pax_size<R: Read>(entry: &mut tar::Entry<'_, R>) -> Option<&'static str> {
    let extensions = match entry.pax_extensions() {
        Ok(Some(extensions)) => extensions,
        Ok(None) => return None,
        Err(_) => return Some("has a malformed PAX header"),
    };
    for extension in extensions {
        let Ok(extension) = extension else {
            return Some("has a malformed PAX header");
        };
        let size_ok = extension
            .value()
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .is_some();
        if extension.key() == Ok("size") && !size_ok {
            return Some("has a PAX `size` record that is not a size");
        }
    }
    None
}

/// Splits `dir/name` into `("dir", "name")`; the root's children have dir `""`.
fn split_parent(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Reads one layer blob and keeps what `selection` wants; checks the digest at the end.
pub(crate) fn read_layer(
    layer: &LayerName,
    blob: impl Read,
    expected_is_uncompressed: bool,
    selection: &Selection,
    caps: &Caps<'_>,
) -> Result<LayerContents, Error> {
    let expected = &layer.digest;
    let (contents, actual) = walk_blob(layer, blob, expected_is_uncompressed, selection, caps)?;
    if &actual != expected {
        return Err(Error::DigestMismatch {
            layer: layer.clone(),
            digests: Box::new((expected.clone(), actual)),
        });
    }
    Ok(contents)
}

/// Reads one uncompressed layer tar whose digest is not known yet (a member
/// of a streaming export) and gives back what it kept and its sha256.
pub(crate) fn read_tar_member(
    layer: &LayerName,
    blob: impl Read,
    selection: &Selection,
    caps: &Caps<'_>,
) -> Result<(LayerContents, Digest), Error> {
    walk_blob(layer, blob, true, selection, caps)
}

/// The walk itself: `layer.digest`'s algorithm hashes the blob (or, when
/// `hash_tar`, the decompressed tar); the digest comes back with what was kept.
fn walk_blob(
    layer: &LayerName,
    blob: impl Read,
    expected_is_uncompressed: bool,
    selection: &Selection,
    caps: &Caps<'_>,
) -> Result<(LayerContents, Digest), Error> {
    let expected = &layer.digest;
    let read_error = |offset, stage, source: io::Error| match source
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Overflow>())
    {
        Some(Overflow::Layer) => Error::TooLarge {
            layer: layer.clone(),
            limit: caps.layer_bytes,
            flag: "--max-layer-bytes",
        },
        Some(Overflow::Image) => Error::TooLarge {
            layer: layer.clone(),
            limit: caps.image_bytes,
            flag: "--max-image-bytes",
        },
        // The tar parser's messages quote the bytes it read: escaped and
        // capped, so a blob that is really `/proc/self/environ` cannot be
        // printed into a CI log.
        None => Error::Read {
            layer: layer.clone(),
            offset,
            stage,
            source: io::Error::new(source.kind(), portcullis_model::quote(&source.to_string())),
        },
    };
    let raw = Meter::new(blob).hashing((!expected_is_uncompressed).then_some(expected));
    let decoded = Decoded::new(raw).map_err(|e| read_error(0, "blob", e))?;
    let stage = decoded.compression();
    let mut tar_stream = Meter::new(decoded)
        .hashing(expected_is_uncompressed.then_some(expected))
        .capped(caps.layer_bytes, caps.image_total, caps.image_bytes);

    let mut contents = LayerContents::default();
    let walked = walk_entries(
        layer,
        io::BufReader::with_capacity(TAR_BUFFER_BYTES, &mut tar_stream),
        selection,
        &mut contents,
    );
    let walked = match walked {
        Ok(result) => result,
        Err(source) => return Err(read_error(tar_stream.bytes_read(), stage, source)),
    };
    walked?;
    // Read to the end so the digest covers every byte, padding included.
    io::copy(&mut tar_stream, &mut io::sink())
        .map_err(|e| read_error(tar_stream.bytes_read(), stage, e))?;
    let (decoded, tar_digest) = tar_stream.finish();
    let raw = decoded.into_raw().map_err(|e| read_error(0, stage, e))?;
    let (_, blob_digest) = raw.finish();
    // Exactly one of the two meters hashed; never trust a layer neither did.
    let actual = tar_digest
        .or(blob_digest)
        .ok_or_else(|| read_error(0, stage, io::Error::other("no digest was computed")))?;
    Ok((contents, actual))
}

/// The state of one layer's walk: the reused match and read buffers.
struct Walker<'a> {
    layer: &'a LayerName,
    selection: &'a Selection,
    matches: Vec<usize>,
    buffer: Vec<u8>,
}

/// The entry loop. I/O errors come back in the outer `Result` so the caller
/// can say how far it read; the inner one carries path faults.
fn walk_entries(
    layer: &LayerName,
    stream: impl Read,
    selection: &Selection,
    contents: &mut LayerContents,
) -> io::Result<Result<(), Error>> {
    let mut archive = tar::Archive::new(stream);
    let mut walker = Walker {
        layer,
        selection,
        matches: Vec::new(),
        buffer: Vec::new(),
    };
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = match normalise(&raw_path) {
            Ok(path) if path.is_empty() => continue,
            Ok(path) => path,
            Err(why) => {
                return Ok(Err(Error::UnsafePath {
                    layer: layer.clone(),
                    path: portcullis_model::quote(&raw_path),
                    why,
                }))
            }
        };
        let (dir, name) = split_parent(&path);
        if name == OPAQUE_WHITEOUT {
            contents.opaque_dirs.insert(dir.to_owned());
            continue;
        }
        if let Some(deleted) = name.strip_prefix(WHITEOUT_PREFIX) {
            contents.whiteouts.insert(join(dir, deleted));
            continue;
        }
        let kind = entry.header().entry_type();
        if kind.is_gnu_sparse() || !KNOWN_ENTRY_TYPES.contains(&kind.as_byte()) {
            // Not expanded: what the member holds would go unread.
            return Ok(Err(Error::UnsafePath {
                layer: layer.clone(),
                path: portcullis_model::quote(&raw_path),
                why: if kind.is_gnu_sparse() {
                    "is a GNU sparse member, which portcullis does not expand"
                } else {
                    "is of a tar entry type portcullis does not know"
                },
            }));
        }
        if let Some(why) = bad_pax_size(&mut entry) {
            return Ok(Err(Error::UnsafePath {
                layer: layer.clone(),
                path: portcullis_model::quote(&raw_path),
                why,
            }));
        }
        if kind.is_symlink() {
            contents
                .entries
                .insert(path, Entry::Symlink(link_target(&entry)));
        } else if kind.is_hard_link() {
            if let Err(error) = walker.hard_link(path, &entry, contents) {
                return Ok(Err(error));
            }
        } else if kind.is_file() {
            walker.file(path, &mut entry, contents)?;
        }
    }
    Ok(Ok(()))
}

/// POSIX and GNU tar entry types: files, links, devices, dirs, fifos,
/// contiguous files, and the headers the tar crate folds (long names, PAX).
const KNOWN_ENTRY_TYPES: &[u8] = b"\x0001234567LKSgx";

/// The link target a tar entry names, as written.
fn link_target<R: Read>(entry: &tar::Entry<'_, R>) -> String {
    entry
        .link_name_bytes()
        .map(|t| String::from_utf8_lossy(&t).into_owned())
        .unwrap_or_default()
}

impl Walker<'_> {
    /// A hard link keeps a copy of what its target kept, when it is wanted.
    fn hard_link<R: Read>(
        &mut self,
        path: String,
        entry: &tar::Entry<'_, R>,
        contents: &mut LayerContents,
    ) -> Result<(), Error> {
        let target = link_target(entry);
        let target = normalise(&target).map_err(|why| Error::UnsafePath {
            layer: self.layer.clone(),
            path: format!("{path} (a hard link to `{target}`)"),
            why,
        })?;
        if self.selection.want_for(&path, &mut self.matches).is_none() {
            return Ok(());
        }
        match contents.entries.get(&target) {
            Some(kept @ (Entry::File(_) | Entry::Extracted(_))) => {
                let kept = kept.clone();
                contents.entries.insert(path, kept);
            }
            Some(Entry::Symlink(_)) | None => contents.skipped.push((
                path,
                format!("a hard link to `{target}`, which was not kept"),
            )),
        }
        Ok(())
    }

    /// A regular file: shown to the inspector, then kept when a collector wants it.
    fn file<R: Read>(
        &mut self,
        path: String,
        entry: &mut tar::Entry<'_, R>,
        contents: &mut LayerContents,
    ) -> io::Result<()> {
        let mode = entry.header().mode().unwrap_or(0);
        let executable = mode & 0o111 != 0;
        // The inspector reads small files whole; the collector then reads the copy.
        let mut filled = None;
        let note = match self.selection.inspector() {
            Some(inspector) if entry.size() <= inspector.max_bytes() => {
                // The buffer only grows, so it is zeroed once, not per file.
                let size = usize::try_from(entry.size()).unwrap_or(usize::MAX);
                if self.buffer.len() < size {
                    self.buffer.resize(size, 0);
                }
                entry.read_exact(&mut self.buffer[..size])?;
                filled = Some(size);
                inspector.inspect(&path, mode, Some(&self.buffer[..size]))
            }
            Some(inspector) => inspector.inspect(&path, mode, None),
            None => None,
        };
        if let Some(note) = note {
            contents.notes.push(Note {
                path: path.clone(),
                mode,
                note,
            });
        }
        match filled {
            Some(size) => collect_file(
                path,
                &self.buffer[..size],
                executable,
                self.selection,
                &mut self.matches,
                contents,
            ),
            None => collect_file(
                path,
                entry,
                executable,
                self.selection,
                &mut self.matches,
                contents,
            ),
        }
    }
}

/// Decides what one regular file contributes, reading only what is needed:
/// nothing for unwanted files, the head for sniffed ones, at most the limit
/// plus one byte for the rest.
pub(crate) fn collect_file(
    path: String,
    mut reader: impl Read,
    executable: bool,
    selection: &Selection,
    matches: &mut Vec<usize>,
    contents: &mut LayerContents,
) -> io::Result<()> {
    let (max_bytes, keep, head) = match selection.want_for(&path, matches) {
        Some(want) => (want.max_bytes, want.keep, Vec::new()),
        None => {
            let peek = selection.sniff_bytes(executable);
            if peek == 0 {
                return Ok(());
            }
            let mut head = Vec::with_capacity(peek);
            (&mut reader).take(peek as u64).read_to_end(&mut head)?;
            let Some(sniff) = selection.sniff(&head, executable) else {
                return Ok(());
            };
            (sniff.max_bytes, Keep::Extracted(sniff.extract), head)
        }
    };
    let mut bytes = head;
    let remaining = (max_bytes + 1).saturating_sub(bytes.len() as u64);
    reader.take(remaining).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        contents.skipped.push((
            path,
            format!("larger than the {max_bytes}-byte limit for its kind"),
        ));
        return Ok(());
    }
    match keep {
        Keep::Whole => {
            contents.entries.insert(path, Entry::File(bytes));
        }
        Keep::Extracted(extract) => match extract(&path, &bytes) {
            Ok(Some(summary)) => {
                contents.entries.insert(path, Entry::Extracted(summary));
            }
            Ok(None) => {}
            Err(why) => contents.skipped.push((path, why)),
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_drops_dot_prefix_and_refuses_escapes() {
        assert_eq!(normalise("./etc/os-release").unwrap(), "etc/os-release");
        assert_eq!(normalise("usr/lib/").unwrap(), "usr/lib");
        assert!(normalise("/etc/passwd").is_err());
        assert!(normalise("etc/../../passwd").is_err());
    }
}
