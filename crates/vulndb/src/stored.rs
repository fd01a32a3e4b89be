//! The compact binary forms of what the DB stores per package, per affected
//! entry and per advisory, in postcard (varint integers, length-prefixed
//! strings). Their own structs, without `skip_serializing_if`: postcard is
//! not self-describing, so every field is always written.

use serde::{Deserialize, Serialize};

use super::osv::{Event, GoImport, Range, RangeKind, Severity};
use super::schema::RANGE_COMPRESS_BYTES;

/// Where a record's JSON is: its block and its bytes in the inflated block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub block: i64,
    pub start: i64,
    pub length: i64,
}

impl Place {
    /// This record's bytes in its inflated block; `None` when they lie
    /// outside it (a damaged file), however large the stored numbers.
    pub(crate) fn slice<'a>(&self, block: &'a [u8]) -> Option<&'a [u8]> {
        let start = usize::try_from(self.start).ok()?;
        let end = start.checked_add(usize::try_from(self.length).ok()?)?;
        block.get(start..end)
    }
}

/// One affected entry of a package: the advisory's row id and the id of the
/// `ranges` row that holds its ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub advisory: i64,
    pub range: i64,
}

/// The ranges, versions, vendor severity and Go imports of one affected entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredRange {
    ranges: Vec<(u8, Vec<(u8, String)>)>,
    versions: Vec<String>,
    severity: Option<String>,
    imports: Option<Vec<StoredImport>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredImport {
    path: String,
    symbols: Vec<String>,
    goos: Vec<String>,
    goarch: Vec<String>,
}

/// What the matcher and the reports need of an advisory besides its id,
/// summary and dates: its other ids and its severities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredInfo {
    pub aliases: Vec<String>,
    pub upstream: Vec<String>,
    pub related: Vec<String>,
    severity: Vec<(String, String)>,
    pub database_severity: Option<String>,
}

/// A stored value that does not encode, or (a damaged file) decode.
#[derive(Debug, thiserror::Error)]
pub enum StoredError {
    #[error(transparent)]
    Postcard(#[from] postcard::Error),
    #[error("it has the unknown {what} code {code}")]
    Code { what: &'static str, code: u8 },
    #[error("it names {0}, which the DB does not hold")]
    Dangling(String),
    #[error("it is not the record it was: {0}")]
    Record(String),
    #[error("it does not inflate")]
    Inflate(#[source] std::io::Error),
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoredError> {
    Ok(postcard::to_allocvec(value)?)
}

pub(crate) fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, StoredError> {
    Ok(postcard::from_bytes(bytes)?)
}

/// The first byte of a `ranges` value: the encoded range follows as is, or zstd-compressed.
const RAW: u8 = 0;
const ZSTD: u8 = 1;

/// A `ranges` value for an encoded `StoredRange`: compressed when long.
pub(crate) fn pack_range(
    encoded: &[u8],
    compressor: &mut zstd::bulk::Compressor<'_>,
) -> std::io::Result<Vec<u8>> {
    if encoded.len() <= RANGE_COMPRESS_BYTES {
        return Ok(raw_range(encoded));
    }
    let mut packed = vec![ZSTD];
    packed.extend(compressor.compress(encoded)?);
    Ok(packed)
}

/// A `ranges` value that holds `encoded` uncompressed, whatever its length (a bundle's).
pub(crate) fn raw_range(encoded: &[u8]) -> Vec<u8> {
    let mut packed = Vec::with_capacity(encoded.len() + 1);
    packed.push(RAW);
    packed.extend_from_slice(encoded);
    packed
}

/// The most a `ranges` value may inflate to, whatever its frame claims (16 MiB).
const MAX_RANGE_BYTES: usize = 16 << 20;

thread_local! {
    /// One decompression context per thread: a scan inflates thousands of
    /// ranges, and a new context each time was a tenth of a warm scan.
    static RANGE_DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Inflates a compressed `ranges` value (a frame that records its size).
fn inflate_range(frame: &[u8]) -> Result<Vec<u8>, StoredError> {
    let size = zstd::bulk::Decompressor::upper_bound(frame)
        .filter(|size| *size <= MAX_RANGE_BYTES)
        .ok_or_else(|| {
            StoredError::Inflate(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the frame records no size, or one past 16 MiB",
            ))
        })?;
    RANGE_DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let decompressor = match slot.as_mut() {
            Some(decompressor) => decompressor,
            None => slot.insert(zstd::bulk::Decompressor::new().map_err(StoredError::Inflate)?),
        };
        decompressor
            .decompress(frame, size)
            .map_err(StoredError::Inflate)
    })
}

/// The encoded `StoredRange` of a `ranges` value.
pub(crate) fn unpack_range(packed: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, StoredError> {
    match packed.split_first() {
        Some((&RAW, rest)) => Ok(std::borrow::Cow::Borrowed(rest)),
        Some((&ZSTD, rest)) => inflate_range(rest).map(std::borrow::Cow::Owned),
        Some((&code, _)) => Err(StoredError::Code {
            what: "range packing",
            code,
        }),
        None => Err(StoredError::Dangling("an empty range".to_owned())),
    }
}

fn kind_code(kind: RangeKind) -> u8 {
    match kind {
        RangeKind::Ecosystem => 0,
        RangeKind::Semver => 1,
        RangeKind::Git => 2,
    }
}

fn event_code(event: &Event) -> (u8, String) {
    match event {
        Event::Introduced(v) => (0, v.clone()),
        Event::Fixed(v) => (1, v.clone()),
        Event::LastAffected(v) => (2, v.clone()),
        Event::Limit(v) => (3, v.clone()),
    }
}

impl StoredRange {
    pub(crate) fn new(
        ranges: &[Range],
        versions: &[String],
        severity: Option<&str>,
        imports: Option<&[GoImport]>,
    ) -> StoredRange {
        StoredRange {
            ranges: ranges
                .iter()
                .map(|range| {
                    (
                        kind_code(range.kind),
                        range.events.iter().map(event_code).collect(),
                    )
                })
                .collect(),
            versions: versions.to_vec(),
            severity: severity.map(str::to_owned),
            imports: imports.map(|imports| {
                imports
                    .iter()
                    .map(|import| StoredImport {
                        path: import.path.clone(),
                        symbols: import.symbols.clone(),
                        goos: import.goos.clone(),
                        goarch: import.goarch.clone(),
                    })
                    .collect()
            }),
        }
    }

    /// The typed parts: ranges, versions, vendor severity, Go imports.
    #[allow(clippy::type_complexity)]
    pub(crate) fn into_parts(
        self,
    ) -> Result<
        (
            Vec<Range>,
            Vec<String>,
            Option<String>,
            Option<Vec<GoImport>>,
        ),
        StoredError,
    > {
        let mut ranges = Vec::with_capacity(self.ranges.len());
        for (kind, events) in self.ranges {
            let kind = match kind {
                0 => RangeKind::Ecosystem,
                1 => RangeKind::Semver,
                2 => RangeKind::Git,
                code => {
                    return Err(StoredError::Code {
                        what: "range kind",
                        code,
                    })
                }
            };
            let events = events
                .into_iter()
                .map(|(code, value)| match code {
                    0 => Ok(Event::Introduced(value)),
                    1 => Ok(Event::Fixed(value)),
                    2 => Ok(Event::LastAffected(value)),
                    3 => Ok(Event::Limit(value)),
                    code => Err(StoredError::Code {
                        what: "range event",
                        code,
                    }),
                })
                .collect::<Result<_, _>>()?;
            ranges.push(Range { kind, events });
        }
        let imports = self.imports.map(|imports| {
            imports
                .into_iter()
                .map(|import| GoImport {
                    path: import.path,
                    symbols: import.symbols,
                    goos: import.goos,
                    goarch: import.goarch,
                })
                .collect()
        });
        Ok((ranges, self.versions, self.severity, imports))
    }
}

impl StoredInfo {
    pub(crate) fn new(
        aliases: &[String],
        upstream: &[String],
        related: &[String],
        severity: &[Severity],
        database_severity: Option<&str>,
    ) -> StoredInfo {
        StoredInfo {
            aliases: aliases.to_vec(),
            upstream: upstream.to_vec(),
            related: related.to_vec(),
            severity: severity
                .iter()
                .map(|s| (s.kind.clone(), s.score.clone()))
                .collect(),
            database_severity: database_severity.map(str::to_owned),
        }
    }

    /// The `advisories.info` value of an advisory: `None` when it has no
    /// other ids and no severities.
    pub(crate) fn of(advisory: &super::osv::Advisory) -> Result<Option<Vec<u8>>, StoredError> {
        let info = StoredInfo::new(
            &advisory.aliases,
            &advisory.upstream,
            &advisory.related,
            &advisory.severity,
            advisory.database_severity.as_deref(),
        );
        if info == StoredInfo::default() {
            return Ok(None);
        }
        encode(&info).map(Some)
    }

    /// Whether `id` is one of the advisory's other ids.
    pub(crate) fn names(&self, id: &str) -> bool {
        [&self.aliases, &self.upstream, &self.related]
            .into_iter()
            .flatten()
            .any(|alias| alias == id)
    }

    pub(crate) fn severity(&self) -> Vec<Severity> {
        self.severity
            .iter()
            .map(|(kind, score)| Severity {
                kind: kind.clone(),
                score: score.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_comes_back_as_it_went_in() {
        let ranges = vec![Range {
            kind: RangeKind::Semver,
            events: vec![
                Event::Introduced("0".into()),
                Event::Fixed("1.2.3".into()),
                Event::LastAffected("0.9".into()),
                Event::Limit("2".into()),
            ],
        }];
        let imports = vec![GoImport {
            path: "golang.org/x/net/html".into(),
            symbols: vec!["Parse".into()],
            goos: vec![],
            goarch: vec!["amd64".into()],
        }];
        let stored = StoredRange::new(&ranges, &["1.0".into()], Some("HIGH"), Some(&imports));
        let back: StoredRange = decode(&encode(&stored).unwrap()).unwrap();
        assert_eq!(
            back.into_parts().unwrap(),
            (
                ranges,
                vec!["1.0".to_owned()],
                Some("HIGH".to_owned()),
                Some(imports)
            )
        );
    }

    #[test]
    fn long_ranges_are_packed_compressed_and_short_ones_as_they_are() {
        let mut compressor = zstd::bulk::Compressor::new(3).unwrap();
        for versions in [1, 200] {
            let list: Vec<String> = (0..versions).map(|v| format!("1.{v}.0")).collect();
            let encoded = encode(&StoredRange::new(&[], &list, None, None)).unwrap();
            let packed = pack_range(&encoded, &mut compressor).unwrap();
            assert_eq!(packed[0], if versions == 1 { RAW } else { ZSTD });
            assert!(versions == 1 || packed.len() < encoded.len() / 2);
            assert_eq!(unpack_range(&packed).unwrap().as_ref(), encoded.as_slice());
        }
        assert!(unpack_range(&[7, 1, 2]).is_err());
        assert!(unpack_range(&[ZSTD, 1, 2]).is_err());
    }

    #[test]
    fn a_place_outside_its_block_is_none_however_large_its_numbers() {
        let block = b"{}{\"id\":1}";
        let place = |start, length| Place {
            block: 1,
            start,
            length,
        };
        assert_eq!(place(2, 8).slice(block), Some(&block[2..]));
        assert_eq!(place(2, 9).slice(block), None);
        assert_eq!(place(i64::MAX, i64::MAX).slice(block), None);
        assert_eq!(place(-1, 2).slice(block), None);
    }

    #[test]
    fn a_damaged_value_is_an_error() {
        let stored = StoredRange::new(&[], &["1.0".into()], None, None);
        let bytes = encode(&stored).unwrap();
        assert!(decode::<StoredRange>(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode::<Vec<Entry>>(&[0xff, 0xff, 0xff]).is_err());
    }
}
