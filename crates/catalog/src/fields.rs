//! Bounds-checked reads of fixed-width integers from a byte slice in a given
//! byte order, shared by the binary formats (ELF, Berkeley DB, rpm headers,
//! NDB). Every read returns `None` past the end instead of panicking.

/// A byte slice and the byte order of its integers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) big_endian: bool,
}

impl<'a> Fields<'a> {
    pub(super) fn big(bytes: &'a [u8]) -> Fields<'a> {
        Fields {
            bytes,
            big_endian: true,
        }
    }

    pub(super) fn little(bytes: &'a [u8]) -> Fields<'a> {
        Fields {
            bytes,
            big_endian: false,
        }
    }

    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.bytes.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    pub(super) fn u16_at(&self, at: usize) -> Option<u16> {
        let raw = self.array(at)?;
        Some(if self.big_endian {
            u16::from_be_bytes(raw)
        } else {
            u16::from_le_bytes(raw)
        })
    }

    pub(super) fn u32_at(&self, at: usize) -> Option<u32> {
        let raw = self.array(at)?;
        Some(if self.big_endian {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        })
    }

    pub(super) fn u64_at(&self, at: usize) -> Option<u64> {
        let raw = self.array(at)?;
        Some(if self.big_endian {
            u64::from_be_bytes(raw)
        } else {
            u64::from_le_bytes(raw)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_orders_and_stops_at_the_end() {
        let bytes = [0x12, 0x34, 0x56, 0x78];
        assert_eq!(Fields::big(&bytes).u32_at(0), Some(0x1234_5678));
        assert_eq!(Fields::little(&bytes).u16_at(2), Some(0x7856));
        assert_eq!(Fields::big(&bytes).u32_at(1), None);
        assert_eq!(Fields::big(&bytes).u16_at(usize::MAX), None);
    }
}
