//! rpm's NDB database (`usr/lib/sysimage/rpm/Packages.db`, the default of
//! SUSE and openSUSE images): a 32-byte header, slot pages of 16-byte slots
//! (`Slot`, package index, block offset, block count), and blobs addressed in
//! 16-byte blocks, each framed by a `BlbS` head and a `BlbE` tail.
//!
//! Layout from rpm's `lib/backend/ndb/rpmpkg.c` (`PKGDB_*`, `SLOT_*`,
//! `BLOBHEAD_*`, `BLOBTAIL_*`): <https://github.com/rpm-software-management/rpm/blob/master/lib/backend/ndb/rpmpkg.c>.

use crate::fields::Fields;

/// Why an NDB file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum NdbError {
    #[error("it is not an rpm NDB package database (bad header magic)")]
    Magic,
    #[error("slot {0} is damaged or points outside the file")]
    Slot(usize),
    #[error("the blob of package {0} is damaged or truncated")]
    Blob(u32),
}

const fn magic(tag: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*tag)
}
const PKGDB_MAGIC: u32 = magic(b"RpmP");
const SLOT_MAGIC: u32 = magic(b"Slot");
const BLOBHEAD_MAGIC: u32 = magic(b"BlbS");
const BLOBTAIL_MAGIC: u32 = magic(b"BlbE");
const PKGDB_HEADER_BYTES: usize = 32;
const SLOT_BYTES: usize = 16;
const BLOCK_BYTES: usize = 16;
const PAGE_BYTES: usize = 4096;
const BLOBHEAD_BYTES: usize = 16;

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Fields::little(bytes).u32_at(at)
}

/// The header blob of every used slot, in slot order.
pub(super) fn values(bytes: &[u8]) -> Result<Vec<Vec<u8>>, NdbError> {
    if u32_at(bytes, 0) != Some(PKGDB_MAGIC) {
        return Err(NdbError::Magic);
    }
    let slot_pages = u32_at(bytes, 12).ok_or(NdbError::Magic)? as usize;
    let slot_count =
        (slot_pages * PAGE_BYTES / SLOT_BYTES).saturating_sub(PKGDB_HEADER_BYTES / SLOT_BYTES);
    let mut values = Vec::new();
    for slot in 0..slot_count {
        let at = PKGDB_HEADER_BYTES + slot * SLOT_BYTES;
        let field = |offset: usize| u32_at(bytes, at + offset).ok_or(NdbError::Slot(slot));
        if field(0)? != SLOT_MAGIC {
            return Err(NdbError::Slot(slot));
        }
        let package = field(4)?;
        if package == 0 {
            continue;
        }
        let start = field(8)? as usize * BLOCK_BYTES;
        let bad = || NdbError::Blob(package);
        if u32_at(bytes, start) != Some(BLOBHEAD_MAGIC) || u32_at(bytes, start + 4) != Some(package)
        {
            return Err(bad());
        }
        let length = u32_at(bytes, start + 12).ok_or_else(bad)? as usize;
        let data_start = start + BLOBHEAD_BYTES;
        let data = bytes.get(data_start..data_start + length).ok_or_else(bad)?;
        // The tail (adler32, length, magic) follows the data.
        let tail = data_start + length;
        if u32_at(bytes, tail + 4) != Some(length as u32)
            || u32_at(bytes, tail + 8) != Some(BLOBTAIL_MAGIC)
        {
            return Err(bad());
        }
        values.push(data.to_vec());
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lays out an NDB file as rpmpkg.c writes one. Debian's rpm is built
    /// without the NDB backend and no real `Packages.db` could be fetched
    /// here, so this fixture is made from the format description.
    fn ndb_file(blobs: &[&[u8]]) -> Vec<u8> {
        let mut file = vec![0u8; PAGE_BYTES];
        file[0..4].copy_from_slice(b"RpmP");
        file[12..16].copy_from_slice(&1u32.to_le_bytes());
        for slot in 0..(PAGE_BYTES - PKGDB_HEADER_BYTES) / SLOT_BYTES {
            let at = PKGDB_HEADER_BYTES + slot * SLOT_BYTES;
            file[at..at + 4].copy_from_slice(b"Slot");
        }
        for (index, blob) in blobs.iter().enumerate() {
            let package = index as u32 + 1;
            let block = file.len() / BLOCK_BYTES;
            let at = PKGDB_HEADER_BYTES + index * SLOT_BYTES;
            file[at + 4..at + 8].copy_from_slice(&package.to_le_bytes());
            file[at + 8..at + 12].copy_from_slice(&(block as u32).to_le_bytes());
            file.extend_from_slice(b"BlbS");
            file.extend_from_slice(&package.to_le_bytes());
            file.extend_from_slice(&1u32.to_le_bytes());
            file.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            file.extend_from_slice(blob);
            file.extend_from_slice(&0u32.to_le_bytes());
            file.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            file.extend_from_slice(b"BlbE");
            while !file.len().is_multiple_of(BLOCK_BYTES) {
                file.push(0);
            }
        }
        file
    }

    #[test]
    fn used_slots_give_their_blobs() {
        let file = ndb_file(&[b"first header", b"second"]);
        let values = values(&file).unwrap();
        assert_eq!(values, vec![b"first header".to_vec(), b"second".to_vec()]);
    }

    #[test]
    fn damaged_blob_or_header_is_an_error() {
        let mut file = ndb_file(&[b"first header"]);
        let tail = file.windows(4).rposition(|w| w == b"BlbE").unwrap();
        file[tail..tail + 4].copy_from_slice(b"XXXX");
        assert!(matches!(values(&file), Err(NdbError::Blob(1))));
        assert!(matches!(values(b"RpmQ"), Err(NdbError::Magic)));
    }
}
