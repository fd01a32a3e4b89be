//! Executables found by content (ELF magic, an executable bit): while the
//! layer streams, keep only what they say about their build, a Go binary's
//! build info and a `cargo auditable` binary's crate list, never the binary.

use serde::{Deserialize, Serialize};

use super::cargo::{self, AuditedCrate};
use super::elf;
use super::go_binary::{self, BuildInfo};
use crate::layer::Sniff;

/// Executables past this size are skipped and reported (512 MiB).
const MAX_EXECUTABLE_BYTES: u64 = 512 << 20;

pub(super) const SNIFFS: [Sniff; 1] = [Sniff {
    name: "elf-build-info-v1",
    magic: elf::MAGIC,
    executable_only: true,
    max_bytes: MAX_EXECUTABLE_BYTES,
    extract,
}];

/// What an executable says about its build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Summary {
    pub(super) go: Option<BuildInfo>,
    pub(super) rust: Option<Vec<AuditedCrate>>,
}

fn extract(_path: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let go = go_binary::build_info(bytes);
    let rust = cargo::audited(bytes).transpose()?;
    if go.is_none() && rust.is_none() {
        return Ok(None);
    }
    serde_json::to_vec(&Summary { go, rust })
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Reads back what [`extract`] kept.
pub(super) fn summary(bytes: &[u8]) -> Result<Summary, serde_json::Error> {
    serde_json::from_slice(bytes)
}
