//! Reads with a byte cap: at most `limit + 1` bytes are taken from the
//! reader, so one byte past the cap tells "too large" from "exactly the cap"
//! without reading the rest.

use std::io::{self, Read};

/// Reads all of `reader` into `buffer` (cleared first); `Ok(false)` when it
/// holds more than `limit` bytes, in which case `buffer` holds `limit + 1`.
pub fn read_bounded_into(reader: impl Read, limit: u64, buffer: &mut Vec<u8>) -> io::Result<bool> {
    buffer.clear();
    reader.take(limit.saturating_add(1)).read_to_end(buffer)?;
    Ok(buffer.len() as u64 <= limit)
}

/// Reads all of `reader`; `Ok(None)` when it holds more than `limit` bytes.
pub fn read_bounded(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut buffer = Vec::new();
    Ok(read_bounded_into(reader, limit, &mut buffer)?.then_some(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_inclusive() {
        assert_eq!(
            read_bounded(&b"abcd"[..], 4).unwrap(),
            Some(b"abcd".to_vec())
        );
        assert_eq!(read_bounded(&b"abcde"[..], 4).unwrap(), None);
        let mut buffer = b"old".to_vec();
        assert!(read_bounded_into(&b""[..], 0, &mut buffer).unwrap());
        assert!(buffer.is_empty());
    }
}
