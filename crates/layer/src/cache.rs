//! The per-layer cache: what a layer contributed (kept files, whiteouts),
//! keyed by the layer's verified digest and the collector version, under the
//! user cache dir. Entries are written to a temp file and renamed into place,
//! and never change after, so concurrent scans sharing the cache both succeed.
//!
//! The key is the digest that was checked while the layer was read (the blob
//! digest, or the diff_id for a docker-archive): a digest an image merely
//! claims could let one image poison the cache for another.
//!
//! Each entry is sealed (`portcullis-seal`): it names its key (the layer
//! digest, the selection's version, which folds in the collectors' and the
//! inspector's, and the format) and carries an HMAC-SHA256 under a secret
//! kept outside the cache. An entry copied over another's, flipped,
//! truncated or written by someone without the secret is a miss: the layer is
//! read again, never taken from the entry.
//!
//! Format inside the seal: zstd over `PCLC4`, then length-prefixed sections
//! (entries, whiteouts, opaque dirs, skipped files, inspector notes).

use std::io::{Read, Write};

use portcullis_io::AtomicFile;
use portcullis_seal::SealKey;
use std::path::{Path, PathBuf};

use super::select::NoteData;
use super::walk::{Entry, LayerContents, Note};
use super::{Error, Selection};
use portcullis_model::Digest;

const MAGIC: &[u8; 5] = b"PCLC4";
/// zstd level for cache entries: fast to write, still small.
const ZSTD_LEVEL: i32 = 3;
/// Refuse cache entries that decode past this size (1 GiB).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// A cache directory and the key its entries are sealed with.
#[derive(Debug, Clone)]
pub struct LayerCache {
    dir: PathBuf,
    key: SealKey,
}

impl LayerCache {
    pub fn new(dir: &Path, key: SealKey) -> LayerCache {
        LayerCache {
            dir: dir.join("layers"),
            key,
        }
    }

    /// The key entries are sealed with (compiled policies share it).
    pub fn key(&self) -> &SealKey {
        &self.key
    }

    fn path_for(&self, digest: &Digest, selection: &Selection) -> PathBuf {
        self.dir.join(format!(
            "{}-{}-{}.bin",
            digest.algorithm().name(),
            digest.hex(),
            selection.version()
        ))
    }

    /// What the seal binds an entry to.
    fn seal_name(digest: &Digest, selection: &Selection) -> String {
        format!(
            "layer {digest} selection {} format {}",
            selection.version(),
            String::from_utf8_lossy(MAGIC)
        )
    }

    /// The cached contents, or `None` on a miss or an entry that does not
    /// prove it is this layer's (said at `-v`).
    pub fn load(&self, digest: &Digest, selection: &Selection) -> Option<LayerContents> {
        let path = self.path_for(digest, selection);
        let file = match fs_err::File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => {
                tracing::debug!("layer cache miss: {error}");
                return None;
            }
        };
        let miss = |why: &dyn std::fmt::Display| {
            tracing::debug!(
                "layer cache: ignoring `{}` and reading the layer: {why}",
                path.display()
            );
            None
        };
        let sealed = match portcullis_io::read_bounded(file, MAX_ENTRY_BYTES) {
            Ok(Some(sealed)) => sealed,
            Ok(None) => return miss(&"it is larger than any entry this program writes"),
            Err(error) => return miss(&error),
        };
        let compressed =
            match portcullis_seal::open(&self.key, &Self::seal_name(digest, selection), &sealed) {
                Ok(compressed) => compressed,
                Err(refused) => return miss(&refused),
            };
        let mut bytes = Vec::new();
        let decompressed = zstd::stream::read::Decoder::new(compressed)
            .and_then(|decoder| decoder.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes));
        if let Err(error) = decompressed {
            return miss(&error);
        }
        match decode(&bytes) {
            Some(contents) => Some(contents),
            None => miss(&"its sealed content does not decode"),
        }
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
        let sealed =
            portcullis_seal::seal(&self.key, &Self::seal_name(digest, selection), &compressed);
        let mut file =
            AtomicFile::create(&self.path_for(digest, selection)).map_err(cache_error)?;
        file.write_all(&sealed).map_err(cache_error)?;
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

    #[test]
    fn swapped_flipped_and_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let key = SealKey::from_secret("a secret of at least sixteen characters").unwrap();
        let cache = LayerCache::new(dir.path(), key);
        let selection = Selection::new(&[], &[], "test").unwrap();
        let (first, second) = (Digest::sha256_of(b"one"), Digest::sha256_of(b"two"));
        let mut contents = LayerContents::default();
        contents.whiteouts.insert("etc/a".into());
        cache.store(&first, &selection, &contents).unwrap();
        contents.whiteouts.insert("etc/b".into());
        cache.store(&second, &selection, &contents).unwrap();
        assert!(cache.load(&second, &selection).is_some());

        let (first_path, second_path) = (
            cache.path_for(&first, &selection),
            cache.path_for(&second, &selection),
        );
        let good = fs_err::read(&first_path).unwrap();
        fs_err::copy(&second_path, &first_path).unwrap();
        assert_eq!(cache.load(&first, &selection), None, "a swapped entry");
        for at in (0..good.len()).step_by(3) {
            let mut flipped = good.clone();
            flipped[at] ^= 0x10;
            fs_err::write(&first_path, &flipped).unwrap();
            assert_eq!(cache.load(&first, &selection), None, "byte {at} flipped");
        }
        fs_err::write(&first_path, &good).unwrap();
        assert!(cache.load(&first, &selection).is_some());
        let foreign = LayerCache::new(
            dir.path(),
            SealKey::from_secret("the attacker's own secret key").unwrap(),
        );
        assert_eq!(foreign.load(&first, &selection), None, "another secret");
    }
}
