//! The per-layer cache: what a layer contributed (kept files, whiteouts),
//! keyed by the layer's verified digest and the collector version, under the
//! user cache dir. Entries are written to a temp file and renamed into place,
//! and never change after, so concurrent scans sharing the cache both succeed.
//!
//! The key is the digest that was checked while the layer was read (the blob
//! digest, or the diff_id for a docker-archive): a digest an image merely
//! claims could let one image poison the cache for another.
//!
//! Format: zstd over `PCLC1`, then length-prefixed sections (entries,
//! whiteouts, opaque dirs, skipped files, inspector notes). A damaged entry is a cache miss.

use std::io::{Read, Write};

use portcullis_io::AtomicFile;
use std::path::{Path, PathBuf};

use super::select::NoteData;
use super::walk::{Entry, LayerContents, Note};
use super::{Error, Selection};
use portcullis_model::Digest;

const MAGIC: &[u8; 5] = b"PCLC3";
/// zstd level for cache entries: fast to write, still small.
const ZSTD_LEVEL: i32 = 3;
/// Refuse cache entries that decode past this size (1 GiB).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// A cache directory.
#[derive(Debug, Clone)]
pub struct LayerCache {
    dir: PathBuf,
}

impl LayerCache {
    pub fn new(dir: &Path) -> LayerCache {
        LayerCache {
            dir: dir.join("layers"),
        }
    }

    fn path_for(&self, digest: &Digest, selection: &Selection) -> PathBuf {
        self.dir.join(format!(
            "{}-{}-{}.bin",
            digest.algorithm().name(),
            digest.hex(),
            selection.version()
        ))
    }

    /// The cached contents, or `None` on a miss or a damaged entry.
    pub fn load(&self, digest: &Digest, selection: &Selection) -> Option<LayerContents> {
        let path = self.path_for(digest, selection);
        let file = fs_err::File::open(&path).ok()?;
        let mut bytes = Vec::new();
        zstd::stream::read::Decoder::new(file)
            .ok()?
            .take(MAX_ENTRY_BYTES)
            .read_to_end(&mut bytes)
            .ok()?;
        let decoded = decode(&bytes);
        if decoded.is_none() {
            tracing::warn!("ignoring damaged cache entry `{}`", path.display());
        }
        decoded
    }

    /// Writes an entry atomically.
    pub fn store(
        &self,
        digest: &Digest,
        selection: &Selection,
        contents: &LayerContents,
    ) -> Result<(), Error> {
        let cache_error = |source| Error::Cache {
            path: self.dir.clone(),
            source,
        };
        fs_err::create_dir_all(&self.dir).map_err(cache_error)?;
        let encoded = encode(contents);
        let compressed =
            zstd::stream::encode_all(encoded.as_slice(), ZSTD_LEVEL).map_err(cache_error)?;
        let mut file =
            AtomicFile::create(&self.path_for(digest, selection)).map_err(cache_error)?;
        file.write_all(&compressed).map_err(cache_error)?;
        file.commit().map_err(cache_error)
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn encode(contents: &LayerContents) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(contents.entries.len() as u64).to_le_bytes());
    for (path, entry) in &contents.entries {
        put_bytes(&mut out, path.as_bytes());
        match entry {
            Entry::File(bytes) => {
                out.push(0);
                put_bytes(&mut out, bytes);
            }
            Entry::Symlink(target) => {
                out.push(1);
                put_bytes(&mut out, target.as_bytes());
            }
            Entry::Extracted(bytes) => {
                out.push(2);
                put_bytes(&mut out, bytes);
            }
        }
    }
    for set in [&contents.whiteouts, &contents.opaque_dirs] {
        out.extend_from_slice(&(set.len() as u64).to_le_bytes());
        for path in set {
            put_bytes(&mut out, path.as_bytes());
        }
    }
    out.extend_from_slice(&(contents.skipped.len() as u64).to_le_bytes());
    for (path, why) in &contents.skipped {
        put_bytes(&mut out, path.as_bytes());
        put_bytes(&mut out, why.as_bytes());
    }
    out.extend_from_slice(&(contents.notes.len() as u64).to_le_bytes());
    for note in &contents.notes {
        put_bytes(&mut out, note.path.as_bytes());
        out.extend_from_slice(&u64::from(note.mode).to_le_bytes());
        out.push(u8::from(note.note.sticky));
        put_bytes(&mut out, &note.note.data);
    }
    out
}

/// A cursor over an encoded entry; every read is bounds-checked.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if count > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(count);
        self.0 = rest;
        Some(head)
    }

    fn count(&mut self) -> Option<usize> {
        let bytes: [u8; 8] = self.take(8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(bytes)).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let count = self.count()?;
        self.take(count)
    }

    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

fn decode(bytes: &[u8]) -> Option<LayerContents> {
    let mut cursor = Cursor(bytes);
    if cursor.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let mut contents = LayerContents::default();
    for _ in 0..cursor.count()? {
        let path = cursor.text()?;
        let kind = cursor.take(1)?.first().copied()?;
        let entry = match kind {
            0 => Entry::File(cursor.bytes()?.to_vec()),
            1 => Entry::Symlink(cursor.text()?),
            2 => Entry::Extracted(cursor.bytes()?.to_vec()),
            _ => return None,
        };
        contents.entries.insert(path, entry);
    }
    for _ in 0..cursor.count()? {
        contents.whiteouts.insert(cursor.text()?);
    }
    for _ in 0..cursor.count()? {
        contents.opaque_dirs.insert(cursor.text()?);
    }
    for _ in 0..cursor.count()? {
        contents.skipped.push((cursor.text()?, cursor.text()?));
    }
    for _ in 0..cursor.count()? {
        let path = cursor.text()?;
        let mode = u32::try_from(cursor.count()?).ok()?;
        let sticky = match cursor.take(1)?.first()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let data = cursor.bytes()?.to_vec();
        contents.notes.push(Note {
            path,
            mode,
            note: NoteData { data, sticky },
        });
    }
    cursor.0.is_empty().then_some(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_entry_round_trips_and_truncation_is_a_miss() {
        let mut contents = LayerContents::default();
        contents.entries.insert(
            "var/lib/dpkg/status".into(),
            Entry::File(b"Package: a\n".to_vec()),
        );
        contents
            .entries
            .insert("lib".into(), Entry::Symlink("usr/lib".into()));
        contents.whiteouts.insert("etc/motd".into());
        contents.opaque_dirs.insert("opt/webui".into());
        contents.skipped.push(("big".into(), "too large".into()));
        contents.notes.push(Note {
            path: "app/.env".into(),
            mode: 0o4755,
            note: NoteData {
                data: b"opaque".to_vec(),
                sticky: true,
            },
        });
        let encoded = encode(&contents);
        assert_eq!(decode(&encoded), Some(contents));
        assert_eq!(decode(&encoded[..encoded.len() - 1]), None);
    }
}
