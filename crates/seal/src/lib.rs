//! Cache entries that prove what they are.
//!
//! A CI cache (`actions/cache`, a runner's shared disk) can be written by
//! someone other than the job that reads it: a fork's pull request, another
//! project, a flipped bit. So every entry Portcullis keeps across runs (a
//! layer's contents, a compiled policy) is sealed: it names the key it was
//! stored under (the verified layer digest and the collectors' versions, or
//! the source module's sha256 and the engine's configuration) and ends with
//! an HMAC-SHA256 over that name and the content, under a secret kept
//! outside the cache ([`SealKey`]). An entry whose name or MAC does not match
//! is a cache miss, never a result.
//!
//! Layout: `PCSL1`, the name's length (u32, little-endian), the name, the
//! content, the 32-byte tag.

mod key;

use hmac::{Hmac, KeyInit as _, Mac};

pub use key::{Error, SealKey, KEY_FILE_NAME, MIN_SECRET_CHARS};

const MAGIC: &[u8; 5] = b"PCSL1";
const TAG_BYTES: usize = 32;

type HmacSha256 = Hmac<sha2::Sha256>;

/// Why a sealed entry was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("it is not a sealed entry (too short or another format)")]
    NotSealed,
    #[error("it was stored under another key (`{found}`)")]
    OtherName { found: String },
    #[error("its MAC does not match (changed, or sealed with another secret)")]
    BadMac,
}

fn mac(key: &SealKey, header: &[u8], content: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key.bytes()).expect("HMAC takes keys of any length");
    mac.update(header);
    mac.update(content);
    mac
}

fn header(name: &str) -> Vec<u8> {
    let mut header = MAGIC.to_vec();
    // Names are short (a digest and a version); one longer than u32 cannot be built here.
    let length = u32::try_from(name.len()).unwrap_or(u32::MAX);
    header.extend_from_slice(&length.to_le_bytes());
    header.extend_from_slice(name.as_bytes());
    header
}

/// `content` sealed under `name`.
pub fn seal(key: &SealKey, name: &str, content: &[u8]) -> Vec<u8> {
    let mut out = header(name);
    let tag = mac(key, &out, content).finalize().into_bytes();
    out.reserve(content.len() + TAG_BYTES);
    out.extend_from_slice(content);
    out.extend_from_slice(&tag);
    out
}

/// The content of `sealed` when it was sealed under `name` with `key`.
pub fn open<'a>(key: &SealKey, name: &str, sealed: &'a [u8]) -> Result<&'a [u8], Refused> {
    let rest = sealed.strip_prefix(&MAGIC[..]).ok_or(Refused::NotSealed)?;
    let (length, rest) = rest.split_at_checked(4).ok_or(Refused::NotSealed)?;
    let length: [u8; 4] = length.try_into().map_err(|_| Refused::NotSealed)?;
    let length = usize::try_from(u32::from_le_bytes(length)).map_err(|_| Refused::NotSealed)?;
    let (found, rest) = rest.split_at_checked(length).ok_or(Refused::NotSealed)?;
    if found != name.as_bytes() {
        return Err(Refused::OtherName {
            found: String::from_utf8_lossy(found).chars().take(200).collect(),
        });
    }
    let content_len = rest
        .len()
        .checked_sub(TAG_BYTES)
        .ok_or(Refused::NotSealed)?;
    let (content, tag) = rest.split_at(content_len);
    let header_len = sealed.len() - rest.len();
    mac(key, &sealed[..header_len], content)
        .verify_slice(tag)
        .map_err(|_| Refused::BadMac)?;
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> SealKey {
        SealKey::from_secret(secret).unwrap()
    }

    #[test]
    fn an_entry_opens_only_under_its_name_and_key() {
        let k = key("a secret of at least sixteen characters");
        let sealed = seal(&k, "layer sha256:aa v1", b"contents");
        assert_eq!(
            open(&k, "layer sha256:aa v1", &sealed),
            Ok(&b"contents"[..])
        );
        assert_eq!(
            open(&k, "layer sha256:bb v1", &sealed),
            Err(Refused::OtherName {
                found: "layer sha256:aa v1".to_owned()
            })
        );
        let other = key("another secret, also long enough");
        assert_eq!(
            open(&other, "layer sha256:aa v1", &sealed),
            Err(Refused::BadMac)
        );
        assert_eq!(open(&k, "x", b"PCSL"), Err(Refused::NotSealed));
        assert_eq!(open(&k, "x", b""), Err(Refused::NotSealed));
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_refused() {
        let k = key("a secret of at least sixteen characters");
        let sealed = seal(&k, "name", b"some content to protect");
        for at in 0..sealed.len() {
            for bit in 0..8 {
                let mut flipped = sealed.clone();
                flipped[at] ^= 1 << bit;
                assert!(open(&k, "name", &flipped).is_err(), "byte {at} bit {bit}");
            }
            assert!(open(&k, "name", &sealed[..at]).is_err(), "cut at {at}");
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert!(open(&k, "name", &longer).is_err());
    }
}
