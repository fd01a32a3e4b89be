//! The functions linked into a Go binary, from its pclntab: the table the Go
//! runtime keeps for tracebacks, present even in binaries stripped with
//! `-s -w`. Read for the layouts of Go 1.2–1.15, 1.16–1.17, 1.18–1.19 and
//! 1.20 and later (told apart by the table's magic), either byte order, 32-
//! or 64-bit; every offset bounds-checked.
//!
//! Layout: `debug/gosym/pclntab.go` and `runtime/symtab.go` (`pcHeader`,
//! `_func`) in the Go source. Names become `import/path` → `Symbol` as the
//! Go vulnerability database writes symbols (`Func`, `Type.Method`), with
//! pointer receivers, generic instantiations, closures and method-value
//! wrappers mapped back to the function they belong to.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::elf;
use crate::fields::Fields;

const MAGIC_12: u32 = 0xffff_fffb;
const MAGIC_116: u32 = 0xffff_fffa;
const MAGIC_118: u32 = 0xffff_fff0;
const MAGIC_120: u32 = 0xffff_fff1;

/// More functions than this is not a table but noise (the Go toolchain itself links ~20,000).
const MAX_FUNCTIONS: usize = 4_000_000;

/// The functions a binary links, by import path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedSymbols {
    /// Import path → symbols (`Func`, `Type.Method`).
    packages: BTreeMap<String, BTreeSet<String>>,
}

impl LinkedSymbols {
    /// Whether `symbol` of package `path` is linked in.
    pub fn links(&self, path: &str, symbol: &str) -> bool {
        self.packages
            .get(path)
            .is_some_and(|symbols| symbols.contains(symbol))
    }

    /// Whether any function of package `path` is linked in.
    pub fn links_package(&self, path: &str) -> bool {
        self.packages.contains_key(path)
    }

    /// How many distinct symbols there are.
    pub fn len(&self) -> usize {
        self.packages.values().map(BTreeSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    fn insert(&mut self, name: &str) {
        if let Some((path, symbol)) = split_name(name) {
            self.packages.entry(path).or_default().insert(symbol);
        }
    }
}

/// Why a binary's table could not be read.
pub(super) type Unread = String;

/// The pclntab's bytes: the `.gopclntab` section, or, when section headers
/// are gone, the first place its magic and header fit.
fn table(bytes: &[u8]) -> Option<&[u8]> {
    if let Some(section) = elf::section(bytes, ".gopclntab") {
        return Some(section);
    }
    let big_endian = *bytes.get(5)? == 2;
    for magic in [MAGIC_120, MAGIC_118, MAGIC_116, MAGIC_12] {
        let needle = if big_endian {
            magic.to_be_bytes()
        } else {
            magic.to_le_bytes()
        };
        for at in memchr::memmem::find_iter(bytes, &needle) {
            let header = bytes.get(at..at + 8)?;
            if header[4] == 0
                && header[5] == 0
                && matches!(header[6], 1 | 2 | 4)
                && matches!(header[7], 4 | 8)
            {
                return bytes.get(at..);
            }
        }
    }
    None
}

/// Strips generic instantiations: `pkg.Map[...]` → `pkg.Map`, `pkg.(*T[...]).M` → `pkg.(*T).M`.
fn without_instantiation(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Splits a linker name into its import path and the symbol the vulnerability
/// database would name: `net/http.(*Request).ParseMultipartForm` →
/// (`net/http`, `Request.ParseMultipartForm`); `pkg.F.func1` → (`pkg`, `F`);
/// `pkg.T.M-fm` → (`pkg`, `T.M`). Compiler-made names (`type:`, `go:`) give `None`.
fn split_name(name: &str) -> Option<(String, String)> {
    if name.starts_with("type:")
        || name.starts_with("go:")
        || name.starts_with("type.")
        || name.starts_with("go.")
    {
        return None;
    }
    let name = without_instantiation(name);
    let path_end = name.rfind('/').map_or(0, |at| at + 1);
    let dot = path_end + name.get(path_end..)?.find('.')?;
    let path = name.get(..dot)?;
    let rest = name.get(dot + 1..)?;
    let mut parts = Vec::new();
    for part in rest.split('.') {
        let part = part.strip_suffix("-fm").unwrap_or(part);
        let closure = part.is_empty()
            || part.bytes().all(|b| b.is_ascii_digit())
            || (part.starts_with("func")
                && part[4..].bytes().all(|b| b.is_ascii_digit())
                && part.len() > 4)
            || part.starts_with("gowrap")
            || part.starts_with("deferwrap");
        if closure && !parts.is_empty() {
            break;
        }
        parts.push(part.trim_start_matches("(*").trim_end_matches(')'));
    }
    if path.is_empty() || parts.is_empty() || parts[0].is_empty() {
        return None;
    }
    Some((unescape(path), parts.join(".")))
}

/// Undoes the linker's `%xx` escapes in an import path (`yaml%2ev2` → `yaml.v2`).
fn unescape(path: &str) -> String {
    if !path.contains('%') {
        return path.to_owned();
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = bytes
            .get(at + 1..at + 3)
            .filter(|_| bytes[at] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A C string at `at`.
fn c_string(bytes: &[u8], at: usize) -> Option<&str> {
    let rest = bytes.get(at..)?;
    let end = memchr::memchr(0, rest)?;
    std::str::from_utf8(rest.get(..end)?).ok()
}

/// Reads every function name in a Go binary's pclntab. Kept out of line so
/// `tests/bench/go-symbols.sh` can count what it costs.
#[inline(never)]
pub(super) fn linked_symbols(bytes: &[u8]) -> Result<LinkedSymbols, Unread> {
    let mut linked = LinkedSymbols::default();
    each_function_name(bytes, |name| linked.insert(name))?;
    if linked.is_empty() {
        return Err("its Go function table is malformed (no functions)".to_owned());
    }
    Ok(linked)
}

/// Every function name in a Go binary's pclntab, in table order, as the
/// table writes them (what Go's `debug/gosym` gives as `Func.Name`).
pub fn function_names(bytes: &[u8]) -> Result<Vec<String>, Unread> {
    let mut names = Vec::new();
    each_function_name(bytes, |name| names.push(name.to_owned()))?;
    Ok(names)
}

fn each_function_name(bytes: &[u8], mut each: impl FnMut(&str)) -> Result<(), Unread> {
    let data = table(bytes).ok_or("it has no Go function table (.gopclntab)")?;
    let fail = |what: &str| format!("its Go function table is malformed ({what})");
    let big_endian = *bytes.get(5).ok_or_else(|| fail("header"))? == 2;
    let fields = Fields {
        bytes: data,
        big_endian,
    };
    let magic = fields.u32_at(0).ok_or_else(|| fail("header"))?;
    let ptr_size = usize::from(*data.get(7).ok_or_else(|| fail("header"))?);
    if !matches!(ptr_size, 4 | 8) || data.get(4..6) != Some(&[0, 0]) {
        return Err(fail("header"));
    }
    let word = |at: usize| -> Option<usize> {
        let value = if ptr_size == 8 {
            fields.u64_at(at)?
        } else {
            u64::from(fields.u32_at(at)?)
        };
        usize::try_from(value).ok()
    };
    // The header's words after the first 8 bytes.
    let header_word = |index: usize| word(8 + index * ptr_size);
    // (functions, function table, entry field size, base of _func offsets, names, name offset inside _func)
    let (count, functab, field, funcdata, names, name_at) = match magic {
        MAGIC_118 | MAGIC_120 => {
            let names = header_word(3).ok_or_else(|| fail("header"))?;
            let pcln = header_word(7).ok_or_else(|| fail("header"))?;
            (header_word(0), pcln, 4, pcln, names, 4)
        }
        MAGIC_116 => {
            let names = header_word(2).ok_or_else(|| fail("header"))?;
            let pcln = header_word(6).ok_or_else(|| fail("header"))?;
            (header_word(0), pcln, ptr_size, pcln, names, ptr_size)
        }
        MAGIC_12 => (header_word(0), 8 + ptr_size, ptr_size, 0, 0, ptr_size),
        other => {
            return Err(format!(
                "its Go function table has an unknown magic {other:#x}"
            ))
        }
    };
    let count = count.ok_or_else(|| fail("header"))?;
    if count > MAX_FUNCTIONS {
        return Err(fail("function count"));
    }
    let names = data.get(names..).ok_or_else(|| fail("name table offset"))?;
    for index in 0..count {
        // index < count <= MAX_FUNCTIONS, but functab comes from the input.
        let at = functab
            .checked_add((2 * index + 1) * field)
            .ok_or_else(|| fail("function table offset"))?;
        let offset = if field == 4 {
            fields.u32_at(at).map(|v| v as usize)
        } else {
            word(at)
        }
        .ok_or_else(|| fail("function table"))?;
        let name_offset = fields
            .u32_at(
                funcdata
                    .checked_add(offset)
                    .and_then(|at| at.checked_add(name_at))
                    .ok_or_else(|| fail("function offset"))?,
            )
            .ok_or_else(|| fail("function record"))?;
        let name = c_string(names, name_offset as usize).ok_or_else(|| fail("function name"))?;
        each(name);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_the_symbols_the_vulnerability_database_writes() {
        let cases = [
            (
                "net/http.(*Request).ParseMultipartForm",
                Some(("net/http", "Request.ParseMultipartForm")),
            ),
            ("net/http.ReadRequest", Some(("net/http", "ReadRequest"))),
            (
                "golang.org/x/net/http2.(*Server).ServeConn.func1",
                Some(("golang.org/x/net/http2", "Server.ServeConn")),
            ),
            (
                "golang.org/x/text/language.Make",
                Some(("golang.org/x/text/language", "Make")),
            ),
            ("main.main.func2.1", Some(("main", "main"))),
            (
                "encoding/json.Marshal[...]",
                Some(("encoding/json", "Marshal")),
            ),
            (
                "example.com/m.Map[go.shape.struct { a/b.T }]",
                Some(("example.com/m", "Map")),
            ),
            (
                "example.com/m/v2.(*Tree[go.shape.int]).Insert",
                Some(("example.com/m/v2", "Tree.Insert")),
            ),
            (
                "crypto/tls.(*Conn).Read-fm",
                Some(("crypto/tls", "Conn.Read")),
            ),
            ("regexp.init.0", Some(("regexp", "init"))),
            // The linker escapes dots in a path's last element.
            (
                "gopkg.in/yaml%2ev2.Unmarshal",
                Some(("gopkg.in/yaml.v2", "Unmarshal")),
            ),
            ("type:.eq.[2]interface {}", None),
            ("go:buildid", None),
            (
                "runtime.gcBgMarkWorker",
                Some(("runtime", "gcBgMarkWorker")),
            ),
        ];
        for (name, want) in cases {
            let got = split_name(name);
            assert_eq!(
                got.as_ref().map(|(p, s)| (p.as_str(), s.as_str())),
                want,
                "{name}"
            );
        }
    }

    /// A Go 1.18+ table of two functions, little-endian, 64-bit, laid out as the linker does.
    fn table_118(magic: u32) -> Vec<u8> {
        let names = b"main.main\0net/http.(*Request).ParseMultipartForm\0";
        let header_len = 8 + 8 * 8;
        let names_at = header_len;
        let pcln_at = names_at + names.len();
        let mut out = Vec::new();
        out.extend(magic.to_le_bytes());
        out.extend([0, 0, 1, 8]);
        let words = [2u64, 0, 0x1000, names_at as u64, 0, 0, 0, pcln_at as u64];
        for w in words {
            out.extend(w.to_le_bytes());
        }
        out.extend(names);
        // functab: (entryoff, funcoff) × 2, then the end entry.
        let funcs_at = 2 * 8 + 4;
        for (i, entry) in [0u32, 0x40].iter().enumerate() {
            out.extend(entry.to_le_bytes());
            out.extend((funcs_at as u32 + 8 * i as u32).to_le_bytes());
        }
        out.extend(0x80u32.to_le_bytes());
        // _func records: entryOff, nameOff.
        out.extend(0u32.to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend(0x40u32.to_le_bytes());
        out.extend(10u32.to_le_bytes());
        out
    }

    #[test]
    fn a_go_1_18_and_1_20_table_is_read_without_section_headers() {
        for magic in [MAGIC_118, MAGIC_120] {
            let mut binary = b"\x7fELF\x02\x01\x01\0".to_vec();
            binary.extend([0u8; 56]);
            binary.extend(table_118(magic));
            let linked = linked_symbols(&binary).unwrap();
            assert!(linked.links("net/http", "Request.ParseMultipartForm"));
            assert!(linked.links("main", "main"));
            assert!(!linked.links("net/http", "ReadRequest"));
            assert_eq!(linked.len(), 2);
        }
    }

    #[test]
    fn a_truncated_table_is_refused_with_why() {
        let mut binary = b"\x7fELF\x02\x01\x01\0".to_vec();
        binary.extend([0u8; 56]);
        let table = table_118(MAGIC_118);
        binary.extend(&table[..table.len() - 6]);
        let error = linked_symbols(&binary).unwrap_err();
        assert!(error.contains("malformed"), "{error}");
        let error = linked_symbols(b"\x7fELF\x02\x01\x01\0 nothing").unwrap_err();
        assert!(error.contains("no Go function table"), "{error}");
    }
}
