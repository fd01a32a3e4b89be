//! The read side of one layer: blob → digest check → decompressor (gzip, zstd
//! or none, told by magic bytes) → byte cap. Nothing touches the disk.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::bufread::MultiGzDecoder;

use portcullis_model::{Digest, Hasher};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// Buffer between the blob and the decompressor (256 KiB).
const READ_BUFFER_BYTES: usize = 256 << 10;

/// Why a [`Meter`] refused to read on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Overflow {
    #[error("the layer unpacks past its byte cap")]
    Layer,
    #[error("the image unpacks past its byte cap")]
    Image,
}

/// Counts, optionally hashes and optionally caps the bytes read through it.
pub(crate) struct Meter<'a, R> {
    inner: R,
    hasher: Option<Hasher>,
    read: u64,
    limit: Option<u64>,
    image_total: Option<(&'a AtomicU64, u64)>,
}

impl<'a, R: Read> Meter<'a, R> {
    pub(crate) fn new(inner: R) -> Meter<'a, R> {
        Meter {
            inner,
            hasher: None,
            read: 0,
            limit: None,
            image_total: None,
        }
    }

    pub(crate) fn hashing(mut self, expected: Option<&Digest>) -> Self {
        self.hasher = expected.map(Digest::hasher);
        self
    }

    /// Caps this stream at `limit` bytes and the image's running `total` at `image_limit`.
    pub(crate) fn capped(mut self, limit: u64, total: &'a AtomicU64, image_limit: u64) -> Self {
        self.limit = Some(limit);
        self.image_total = Some((total, image_limit));
        self
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }

    /// The digest of everything read, when hashing.
    pub(crate) fn finish(self) -> (R, Option<Digest>) {
        (self.inner, self.hasher.map(Hasher::finish))
    }
}

impl<R: Read> Read for Meter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        let Some(chunk) = buf.get(..count) else {
            return Ok(count);
        };
        if let Some(hasher) = &mut self.hasher {
            hasher.update(chunk);
        }
        self.read += count as u64;
        if self.limit.is_some_and(|limit| self.read > limit) {
            return Err(io::Error::other(Overflow::Layer));
        }
        if let Some((total, limit)) = self.image_total {
            let now = total.fetch_add(count as u64, Ordering::Relaxed) + count as u64;
            if now > limit {
                return Err(io::Error::other(Overflow::Image));
            }
        }
        Ok(count)
    }
}

/// A layer's tar stream, however it was compressed.
pub(crate) enum Decoded<R: Read> {
    Gzip(Box<MultiGzDecoder<BufReader<R>>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<R>>),
    Plain(BufReader<R>),
}

impl<R: Read> Decoded<R> {
    /// Picks the decompressor from the first bytes of `raw`.
    pub(crate) fn new(raw: R) -> io::Result<Decoded<R>> {
        let mut buffered = BufReader::with_capacity(READ_BUFFER_BYTES, raw);
        let head = buffered.fill_buf()?;
        if head.starts_with(&GZIP_MAGIC) {
            Ok(Decoded::Gzip(Box::new(MultiGzDecoder::new(buffered))))
        } else if head.starts_with(&ZSTD_MAGIC) {
            Ok(Decoded::Zstd(zstd::stream::read::Decoder::with_buffer(
                buffered,
            )?))
        } else {
            Ok(Decoded::Plain(buffered))
        }
    }

    pub(crate) fn compression(&self) -> &'static str {
        match self {
            Decoded::Gzip(_) => "gzip",
            Decoded::Zstd(_) => "zstd",
            Decoded::Plain(_) => "tar",
        }
    }

    /// Gives back the raw reader, to finish its digest. Reads any bytes the
    /// decompressor left (trailing padding), so the digest covers the whole blob.
    pub(crate) fn into_raw(self) -> io::Result<R> {
        let mut buffered = match self {
            Decoded::Gzip(decoder) => decoder.into_inner(),
            Decoded::Zstd(decoder) => decoder.finish(),
            Decoded::Plain(buffered) => buffered,
        };
        io::copy(&mut buffered, &mut io::sink())?;
        Ok(buffered.into_inner())
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Gzip(decoder) => decoder.read(buf),
            Decoded::Zstd(decoder) => decoder.read(buf),
            Decoded::Plain(buffered) => buffered.read(buf),
        }
    }
}
