//! The checks' side of the layer walk: every regular file is shown to
//! [`ChecksInspector`] as it streams by, which notes files with telling modes
//! (setuid, world-writable, package caches) and the secrets in small text
//! files. A note's data is the file's [`Hit`]s, encoded here and read back
//! only here: the layer stage stores and caches it without looking inside.

use serde::{Deserialize, Serialize};

use portcullis_layer::{Inspector, Note, NoteData};

use super::{files, secrets};

/// The most bytes of one file the secret rules read (1 MiB); larger files are
/// data, not configuration.
const MAX_SCANNED_BYTES: u64 = 1 << 20;

/// What a secret rule found in a file's bytes: the rule, the 1-based line, a
/// redacted excerpt and a hash of the matched value (never the value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Hit {
    pub(crate) rule: String,
    pub(crate) line: u32,
    pub(crate) excerpt: String,
    pub(crate) value_sha256: String,
}

/// The inspector the layer walker runs on every regular file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChecksInspector;

impl Inspector for ChecksInspector {
    fn version(&self) -> &str {
        secrets::RULES_VERSION
    }

    fn max_bytes(&self) -> u64 {
        MAX_SCANNED_BYTES
    }

    fn inspect(&self, path: &str, mode: u32, bytes: Option<&[u8]>) -> Option<NoteData> {
        let hits = bytes
            .map(|bytes| secrets::scan(path, bytes))
            .unwrap_or_default();
        if hits.is_empty() && !files::is_notable(path, mode) {
            return None;
        }
        Some(NoteData {
            sticky: !hits.is_empty(),
            data: encode(&hits),
        })
    }
}

fn encode(hits: &[Hit]) -> Vec<u8> {
    // Serialising plain strings and integers cannot fail; an empty note is
    // the same as no hits.
    serde_json::to_vec(hits).unwrap_or_default()
}

/// The hits a note carries; a note this inspector did not write has none.
pub(crate) fn hits_of(note: &Note) -> Vec<Hit> {
    if note.note.data.is_empty() {
        return Vec::new();
    }
    match serde_json::from_slice(&note.note.data) {
        Ok(hits) => hits,
        Err(error) => {
            tracing::warn!("ignoring an unreadable note on `/{}`: {error}", note.path);
            Vec::new()
        }
    }
}
