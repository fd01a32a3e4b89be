//! What a policy module is, told by its shape: a WASI command (native ABI:
//! imports `wasi_snapshot_preview1`, exports `_start`), an OPA Wasm module,
//! or something unsupported (a component, waPC, Extism). Also reads the
//! `portcullis.policy.metadata` custom section.
//!
//! Binary format: <https://webassembly.github.io/spec/core/binary/modules.html>.

use super::Error;

const WASM_MAGIC: &[u8; 4] = b"\0asm";
/// Core modules are version 1; components use another layer/version.
const CORE_VERSION: [u8; 4] = [1, 0, 0, 0];
const CUSTOM_SECTION: u8 = 0;
pub const METADATA_SECTION: &str = "portcullis.policy.metadata";

/// The module kinds the host tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    /// A WASI preview 1 command: the native ABI.
    WasiCommand,
    /// Built by `opa build -t wasm`.
    Opa,
}

fn leb128(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut value: u64 = 0;
    for shift in 0..10 {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << (7 * shift);
        if byte & 0x80 == 0 {
            return usize::try_from(value).ok();
        }
    }
    None
}

/// The payload of the first custom section called `name`.
pub fn custom_section<'a>(bytes: &'a [u8], name: &str) -> Option<&'a [u8]> {
    if !bytes.starts_with(WASM_MAGIC) {
        return None;
    }
    let mut at = 8;
    while at < bytes.len() {
        let id = *bytes.get(at)?;
        at += 1;
        let size = leb128(bytes, &mut at)?;
        let end = at.checked_add(size)?;
        let payload = bytes.get(at..end)?;
        if id == CUSTOM_SECTION {
            let mut inner = 0;
            let name_len = leb128(payload, &mut inner)?;
            let section_name = payload.get(inner..inner + name_len)?;
            if section_name == name.as_bytes() {
                return payload.get(inner + name_len..);
            }
        }
        at = end;
    }
    None
}

/// Tells a compiled module's kind from its imports and exports.
pub fn kind(module: &str, parsed: &wasmtime::Module) -> Result<ModuleKind, Error> {
    let imports: Vec<(String, String)> = parsed
        .imports()
        .map(|i| (i.module().to_owned(), i.name().to_owned()))
        .collect();
    let exports: Vec<String> = parsed.exports().map(|e| e.name().to_owned()).collect();
    if exports.iter().any(|e| e == "__guest_call") {
        return Err(Error::Unsupported {
            module: module.to_owned(),
            what: "a waPC module",
        });
    }
    if imports.iter().any(|(m, _)| m.starts_with("extism:")) {
        return Err(Error::Unsupported {
            module: module.to_owned(),
            what: "an Extism plug-in",
        });
    }
    if exports.iter().any(|e| e == "opa_eval_ctx_new")
        && imports.iter().any(|(m, n)| m == "env" && n == "opa_abort")
    {
        return Ok(ModuleKind::Opa);
    }
    if exports.iter().any(|e| e == "_start") {
        return Ok(ModuleKind::WasiCommand);
    }
    Err(Error::Unsupported {
        module: module.to_owned(),
        what: "neither a WASI command (no `_start`) nor an OPA Wasm module",
    })
}

/// Checks the header before handing the bytes to the compiler.
pub fn check_header(module: &str, bytes: &[u8]) -> Result<(), Error> {
    if !bytes.starts_with(WASM_MAGIC) {
        return Err(Error::NotWasm {
            module: module.to_owned(),
        });
    }
    if bytes.get(4..8) != Some(&CORE_VERSION[..]) {
        return Err(Error::Unsupported {
            module: module.to_owned(),
            what: "a WebAssembly component (or another binary version)",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sections_are_found_by_name() {
        let module = wat::parse_str(r#"(module (@custom "portcullis.policy.metadata" "{\"id\":\"x\"}") (func (export "_start")))"#).unwrap();
        assert_eq!(
            custom_section(&module, METADATA_SECTION),
            Some(&br#"{"id":"x"}"#[..])
        );
        assert_eq!(custom_section(&module, "other"), None);
        assert_eq!(custom_section(b"nope", METADATA_SECTION), None);
    }
}
