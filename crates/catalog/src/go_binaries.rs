//! What each Go binary of the inventory links: its functions by import path
//! (read from the pclntab while the layer streamed) and its target, so a
//! Go finding can be told apart from one whose vulnerable code is not in the
//! binary at all.

use std::collections::BTreeMap;

pub use crate::language::go_pclntab::LinkedSymbols;

/// One Go binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoBinary {
    /// Absolute path in the image, as in the packages' locations.
    pub path: String,
    /// `GOOS`/`GOARCH` from its build info, when it says.
    pub goos: Option<String>,
    pub goarch: Option<String>,
    pub table: GoTable,
}

/// A binary's function table, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoTable {
    Read(LinkedSymbols),
    Unread(String),
}

/// The Go binaries of an inventory, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBinaries(BTreeMap<String, GoBinary>);

impl GoBinaries {
    pub fn get(&self, path: &str) -> Option<&GoBinary> {
        self.0.get(path)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn insert(&mut self, binary: GoBinary) {
        self.0.insert(binary.path.clone(), binary);
    }
}
