//! Executables found by content (ELF magic, an executable bit): while the
//! layer streams, keep only what they say about their build, a Go binary's
//! build info and a `cargo auditable` binary's crate list, never the binary.

use serde::{Deserialize, Serialize};

use super::cargo::{self, AuditedCrate};
use super::elf;
use super::go_binary::{self, BuildInfo};
use super::go_pclntab::{self, LinkedSymbols};
use portcullis_layer::{KeptFile, Sniff, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::go_binaries::{GoBinary, GoTable};

/// Executables past this size are skipped and reported (512 MiB).
const MAX_EXECUTABLE_BYTES: u64 = 512 << 20;

const SNIFFS: [Sniff; 1] = [Sniff {
    name: "elf-build-info-v2",
    magic: elf::MAGIC,
    executable_only: true,
    max_bytes: MAX_EXECUTABLE_BYTES,
    extract,
}];

/// What an executable says about its build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Summary {
    pub(super) go: Option<BuildInfo>,
    /// A Go binary's linked functions, or why its table could not be read.
    #[serde(default)]
    pub(super) go_symbols: Option<Result<LinkedSymbols, String>>,
    pub(super) rust: Option<Vec<AuditedCrate>>,
}

fn extract(_path: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let go = go_binary::build_info(bytes);
    let rust = cargo::audited(bytes).transpose()?;
    if go.is_none() && rust.is_none() {
        return Ok(None);
    }
    let go_symbols = go.as_ref().map(|_| go_pclntab::linked_symbols(bytes));
    serde_json::to_vec(&Summary {
        go,
        go_symbols,
        rust,
    })
    .map(Some)
    .map_err(|e| e.to_string())
}

/// Reads back what [`extract`] kept.
pub(super) fn summary(bytes: &[u8]) -> Result<Summary, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// ELF executables, by the Go build info and `cargo auditable` crate list kept while the layer streamed.
pub(crate) struct Executable;

impl Cataloger for Executable {
    fn name(&self) -> &'static str {
        "executable"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &[]
    }

    fn sniffs(&self) -> &'static [Sniff] {
        &SNIFFS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        let summary = summary(file.bytes).map_err(ParseError::json)?;
        let mut found = Vec::new();
        let mut go_binaries = Vec::new();
        if let Some(info) = &summary.go {
            found.extend(go_binary::packages(file, info)?);
            let table = match summary.go_symbols {
                Some(Ok(symbols)) => GoTable::Read(symbols),
                Some(Err(why)) => {
                    tracing::warn!(
                        "`/{}`: {why}; its Go findings are reported by version alone",
                        file.path
                    );
                    GoTable::Unread(why)
                }
                None => GoTable::Unread("its function table was not read".to_owned()),
            };
            go_binaries.push(GoBinary {
                path: format!("/{}", file.path),
                goos: info.goos.clone(),
                goarch: info.goarch.clone(),
                table,
            });
        }
        if let Some(crates) = &summary.rust {
            found.extend(cargo::audited_packages(file, crates));
        }
        let mut found = Found::from(found);
        found.go_binaries = go_binaries;
        Ok(found)
    }
}
