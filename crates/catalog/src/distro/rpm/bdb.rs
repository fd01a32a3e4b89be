//! rpm's Berkeley DB hash database (`var/lib/rpm/Packages`, rpm < 4.16, as in
//! CentOS 7/8 and RHEL 7/8 images): walk every hash page and collect the data
//! items, following overflow-page chains. Read-only, bounds-checked, with
//! either byte order.
//!
//! Layout from Berkeley DB's `dbinc/db_page.h` (`DBMETA`, `HMETA`, `PAGE`,
//! `HOFFPAGE`); see <https://github.com/berkeleydb/libdb/blob/master/src/dbinc/db_page.h>.

use crate::fields::Fields;

/// Why a Berkeley DB file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BdbError {
    #[error("it is not a Berkeley DB hash database (magic {0:#x})")]
    Magic(u32),
    #[error("its page size {0} is not a power of two between 512 and 65536")]
    PageSize(u32),
    #[error("page {page} is truncated or points outside the file")]
    Page { page: u32 },
    #[error("an overflow chain starting at page {0} loops or runs past the file")]
    Overflow(u32),
}

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER_BYTES: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

struct Reader<'a> {
    bytes: &'a [u8],
    fields: Fields<'a>,
    page_size: usize,
}

impl Reader<'_> {
    fn u32_at(&self, at: usize) -> Option<u32> {
        self.fields.u32_at(at)
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        self.fields.u16_at(at)
    }

    fn page(&self, number: u32) -> Option<&[u8]> {
        let start = (number as usize).checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.page_size)?)
    }

    /// Follows the overflow chain from `first`, `total` bytes in all.
    fn overflow(&self, first: u32, total: usize) -> Result<Vec<u8>, BdbError> {
        let mut out = Vec::with_capacity(total.min(self.bytes.len()));
        let mut next = first;
        let mut hops = 0usize;
        while out.len() < total {
            let page = self.page(next).ok_or(BdbError::Overflow(first))?;
            hops += 1;
            if next == 0
                || hops > self.bytes.len() / self.page_size
                || page.get(25) != Some(&P_OVERFLOW)
            {
                return Err(BdbError::Overflow(first));
            }
            let start = next as usize * self.page_size;
            // On overflow pages `hf_offset` holds the bytes of data this page carries.
            let length = self.u16_at(start + 22).ok_or(BdbError::Overflow(first))? as usize;
            let data = page
                .get(PAGE_HEADER_BYTES..PAGE_HEADER_BYTES + length)
                .ok_or(BdbError::Overflow(first))?;
            out.extend_from_slice(data);
            next = self.u32_at(start + 16).ok_or(BdbError::Overflow(first))?;
        }
        out.truncate(total);
        Ok(out)
    }
}

/// The data item of every key/data pair on the hash pages, in page order.
pub(super) fn values(bytes: &[u8]) -> Result<Vec<Vec<u8>>, BdbError> {
    let magic_le = bytes
        .get(12..16)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_le_bytes);
    let big_endian = match magic_le {
        HASH_MAGIC => false,
        other if other.swap_bytes() == HASH_MAGIC => true,
        other => return Err(BdbError::Magic(other)),
    };
    let mut reader = Reader {
        bytes,
        fields: Fields { bytes, big_endian },
        page_size: 0,
    };
    let page_size = reader.u32_at(20).ok_or(BdbError::Page { page: 0 })?;
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(BdbError::PageSize(page_size));
    }
    reader.page_size = page_size as usize;
    let last_page = reader.u32_at(32).ok_or(BdbError::Page { page: 0 })?;
    let mut values = Vec::new();
    for number in 1..=last_page {
        let page = reader.page(number).ok_or(BdbError::Page { page: number })?;
        let kind = page.get(25).copied().unwrap_or(0);
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        let start = number as usize * reader.page_size;
        let entries = reader
            .u16_at(start + 20)
            .ok_or(BdbError::Page { page: number })? as usize;
        let offset_of = |index: usize| {
            reader
                .u16_at(start + PAGE_HEADER_BYTES + 2 * index)
                .map(usize::from)
        };
        // Items are key/data pairs; the data is every second item.
        for index in (1..entries).step_by(2) {
            let item = offset_of(index).ok_or(BdbError::Page { page: number })?;
            // Items grow down from the page end: one ends where the previous starts.
            let end = offset_of(index - 1).ok_or(BdbError::Page { page: number })?;
            let bad = || BdbError::Page { page: number };
            match page.get(item).copied() {
                Some(H_KEYDATA) => {
                    let data = page.get(item + 1..end).ok_or_else(bad)?;
                    values.push(data.to_vec());
                }
                Some(H_OFFPAGE) => {
                    let first = reader.u32_at(start + item + 4).ok_or_else(bad)?;
                    let total = reader.u32_at(start + item + 8).ok_or_else(bad)? as usize;
                    values.push(reader.overflow(first, total)?);
                }
                Some(_) | None => return Err(bad()),
            }
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_and_on_page_values_are_read_from_real_berkeley_db_files() {
        for file in ["Packages.bdb-512", "Packages.bdb-4096"] {
            let path = format!(
                "{}/src/distro/rpm/testdata/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            let bytes = fs_err::read(&path).unwrap();
            let values = values(&bytes).unwrap();
            assert_eq!(values.len(), 3, "{file}");
            let mut names: Vec<String> = values
                .iter()
                .map(|v| {
                    crate::distro::rpm::header::Header::parse(v)
                        .unwrap()
                        .name
                        .unwrap()
                })
                .collect();
            names.sort();
            assert_eq!(
                names,
                ["fixture-hello", "openssl-libs", "python3-urllib3"],
                "{file}"
            );
        }
    }

    #[test]
    fn truncated_or_foreign_files_are_errors() {
        let path = format!(
            "{}/src/distro/rpm/testdata/Packages.bdb-512",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = fs_err::read(&path).unwrap();
        assert!(values(&bytes[..bytes.len() - 700]).is_err());
        assert!(matches!(
            values(b"not a database at all, clearly"),
            Err(BdbError::Magic(_))
        ));
    }
}
