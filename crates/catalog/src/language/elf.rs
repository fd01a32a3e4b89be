//! Just enough of ELF to find a named section in a binary held in memory:
//! the header, the section header table and its string table, 32- or 64-bit,
//! either byte order; every offset bounds-checked.
//!
//! Spec: <https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.sheader.html>.

use crate::fields::Fields;

pub(super) const MAGIC: &[u8] = b"\x7fELF";

/// Section type that occupies no file space (`.bss`).
const SHT_NOBITS: u32 = 8;

/// The header fields of an ELF file: words are 8 bytes in 64-bit files, 4 in 32-bit ones.
struct Reader<'a> {
    fields: Fields<'a>,
    wide: bool,
}

impl Reader<'_> {
    fn u16_at(&self, at: usize) -> Option<u16> {
        self.fields.u16_at(at)
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        self.fields.u32_at(at)
    }

    fn word_at(&self, at: usize) -> Option<usize> {
        let value = if self.wide {
            self.fields.u64_at(at)?
        } else {
            u64::from(self.fields.u32_at(at)?)
        };
        usize::try_from(value).ok()
    }
}

/// The bytes of section `name`, when the file is ELF and has it.
pub(super) fn section<'a>(bytes: &'a [u8], name: &str) -> Option<&'a [u8]> {
    if !bytes.starts_with(MAGIC) {
        return None;
    }
    let reader = Reader {
        fields: Fields {
            bytes,
            big_endian: *bytes.get(5)? == 2,
        },
        wide: *bytes.get(4)? == 2,
    };
    let (shoff, shentsize, shnum, shstrndx) = if reader.wide {
        (
            reader.word_at(0x28)?,
            reader.u16_at(0x3a)?,
            reader.u16_at(0x3c)?,
            reader.u16_at(0x3e)?,
        )
    } else {
        (
            reader.word_at(0x20)?,
            reader.u16_at(0x2e)?,
            reader.u16_at(0x30)?,
            reader.u16_at(0x32)?,
        )
    };
    let header = |index: u16| -> Option<(u32, u32, usize, usize)> {
        let at = shoff.checked_add(usize::from(index).checked_mul(usize::from(shentsize))?)?;
        let (offset_at, size_at) = if reader.wide {
            (at.checked_add(24)?, at.checked_add(32)?)
        } else {
            (at.checked_add(16)?, at.checked_add(20)?)
        };
        Some((
            reader.u32_at(at)?,
            reader.u32_at(at.checked_add(4)?)?,
            reader.word_at(offset_at)?,
            reader.word_at(size_at)?,
        ))
    };
    let (_, _, names_offset, names_size) = header(shstrndx)?;
    let names = bytes.get(names_offset..names_offset.checked_add(names_size)?)?;
    for index in 0..shnum {
        let (name_at, kind, offset, size) = header(index)?;
        let Some(rest) = names.get(name_at as usize..) else {
            continue;
        };
        let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
        if rest.get(..end) == Some(name.as_bytes()) && kind != SHT_NOBITS {
            return bytes.get(offset..offset.checked_add(size)?);
        }
    }
    None
}
