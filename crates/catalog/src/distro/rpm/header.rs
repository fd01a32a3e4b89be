//! rpm header blobs as rpm's databases store them (no lead, no magic):
//! `il` and `dl` as big-endian u32, `il` 16-byte index entries, `dl` bytes of
//! data. Every offset is bounds-checked.
//!
//! See <https://github.com/rpm-software-management/rpm/blob/master/docs/manual/format_header.md>
//! and `headerImport` in rpm's `lib/header.cc`.

use crate::fields::Fields;

/// The fields a package needs, from one header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Header {
    pub(super) name: Option<String>,
    pub(super) version: Option<String>,
    pub(super) release: Option<String>,
    pub(super) epoch: Option<u32>,
    pub(super) architecture: Option<String>,
    pub(super) source_rpm: Option<String>,
    pub(super) license: Option<String>,
    /// The files it installs (absolute paths).
    pub(super) files: Vec<String>,
}

/// Why a header blob could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    #[error("the header blob is {0} bytes, too short for its counts")]
    Truncated(usize),
    #[error("the header claims {0} index entries, more than rpm allows")]
    TooManyEntries(u32),
}

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own cap on index entries (`HEADER_TAGS_MAX`).
const MAX_INDEX_ENTRIES: u32 = 0xffff;
const INDEX_ENTRY_BYTES: usize = 16;

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Fields::big(bytes).u32_at(at)
}

/// `count` NUL-terminated strings from `offset` in `data`.
fn strings_at(data: &[u8], offset: usize, count: usize) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(count.min(data.len()));
    let mut at = offset;
    for _ in 0..count {
        let rest = data.get(at..)?;
        let end = rest.iter().position(|b| *b == 0)?;
        out.push(String::from_utf8_lossy(rest.get(..end)?).into_owned());
        at += end + 1;
    }
    Some(out)
}

/// `count` big-endian u32s from `offset` in `data`.
fn u32s_at(data: &[u8], offset: usize, count: usize) -> Option<Vec<u32>> {
    (0..count)
        .map(|i| be_u32(data, offset.checked_add(i.checked_mul(4)?)?))
        .collect()
}

/// The NUL-terminated string at `offset` in `data`.
fn string_at(data: &[u8], offset: usize) -> Option<String> {
    let rest = data.get(offset..)?;
    let end = rest.iter().position(|b| *b == 0)?;
    Some(String::from_utf8_lossy(rest.get(..end)?).into_owned())
}

impl Header {
    pub(super) fn parse(blob: &[u8]) -> Result<Header, HeaderError> {
        let truncated = || HeaderError::Truncated(blob.len());
        let entries = be_u32(blob, 0).ok_or_else(truncated)?;
        let data_len = be_u32(blob, 4).ok_or_else(truncated)? as usize;
        if entries > MAX_INDEX_ENTRIES {
            return Err(HeaderError::TooManyEntries(entries));
        }
        let index_start = 8;
        let data_start = index_start + entries as usize * INDEX_ENTRY_BYTES;
        let data = blob
            .get(data_start..data_start.checked_add(data_len).ok_or_else(truncated)?)
            .ok_or_else(truncated)?;
        let mut header = Header::default();
        let (mut dir_indexes, mut base_names, mut dir_names) = (Vec::new(), Vec::new(), Vec::new());
        for entry in 0..entries as usize {
            let at = index_start + entry * INDEX_ENTRY_BYTES;
            let (Some(tag), Some(kind), Some(offset), Some(count)) = (
                be_u32(blob, at),
                be_u32(blob, at + 4),
                be_u32(blob, at + 8),
                be_u32(blob, at + 12),
            ) else {
                return Err(truncated());
            };
            let count = count as usize;
            let offset = offset as usize;
            let text = || match kind {
                TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING => string_at(data, offset),
                _ => None,
            };
            match tag {
                TAG_NAME => header.name = text(),
                TAG_VERSION => header.version = text(),
                TAG_RELEASE => header.release = text(),
                TAG_LICENSE => header.license = text(),
                TAG_ARCH => header.architecture = text(),
                TAG_SOURCERPM => header.source_rpm = text(),
                TAG_EPOCH if kind == TYPE_INT32 => header.epoch = be_u32(data, offset),
                TAG_DIRINDEXES if kind == TYPE_INT32 => {
                    dir_indexes = u32s_at(data, offset, count).ok_or_else(truncated)?;
                }
                TAG_BASENAMES if kind == TYPE_STRING_ARRAY => {
                    base_names = strings_at(data, offset, count).ok_or_else(truncated)?;
                }
                TAG_DIRNAMES if kind == TYPE_STRING_ARRAY => {
                    dir_names = strings_at(data, offset, count).ok_or_else(truncated)?;
                }
                TAG_OLDFILENAMES if kind == TYPE_STRING_ARRAY => {
                    header.files = strings_at(data, offset, count).ok_or_else(truncated)?;
                }
                _ => {}
            }
        }
        for (base, dir) in base_names.iter().zip(&dir_indexes) {
            if let Some(dir) = dir_names.get(*dir as usize) {
                header.files.push(format!("{dir}{base}"));
            }
        }
        Ok(header)
    }
}

/// Splits `openssl-3.0.1-41.el9_0.src.rpm` into (`openssl`, `3.0.1-41.el9_0`).
pub(super) fn split_source_rpm(file: &str) -> Option<(String, String)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_owned(), format!("{version}-{release}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob the way rpm lays one out.
    pub(super) fn blob(tags: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, value) in tags {
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            data.extend_from_slice(value);
        }
        let mut out = (tags.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn header_fields_are_read_and_truncation_is_an_error() {
        let bytes = blob(&[
            (TAG_NAME, TYPE_STRING, b"openssl-libs\0"),
            (TAG_EPOCH, TYPE_INT32, &1u32.to_be_bytes()),
            (TAG_VERSION, TYPE_STRING, b"3.0.1\0"),
        ]);
        let header = Header::parse(&bytes).unwrap();
        assert_eq!(header.name.as_deref(), Some("openssl-libs"));
        assert_eq!(header.epoch, Some(1));
        assert!(Header::parse(&bytes[..bytes.len() - 3]).is_err());
        assert!(Header::parse(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn source_rpm_splits_into_name_and_version() {
        assert_eq!(
            split_source_rpm("openssl-3.0.1-41.el9_0.src.rpm"),
            Some(("openssl".into(), "3.0.1-41.el9_0".into()))
        );
        assert_eq!(split_source_rpm("garbage"), None);
    }
}
