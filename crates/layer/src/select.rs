//! The collector interface: which files a cataloger wants, found by path
//! pattern or by content (magic bytes), and what to keep of each: the whole
//! file, or a small summary an extractor derives from it (a Go binary's build
//! info, a jar's Maven coordinates) so that big files are never kept.
//!
//! Catalogers declare these; this stage compiles the patterns once into a
//! `GlobSet` and asks it for each tar entry.

use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};

use portcullis_model::Digest;

/// Derives what to keep from a wanted file: `Ok(None)` keeps nothing,
/// `Err(why)` records the file as skipped.
pub type Extract = fn(path: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, String>;

/// What to keep of a wanted file.
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    Whole,
    Extracted(Extract),
}

/// One wanted path pattern (relative to the image root, `*` stays within a
/// directory, `**` crosses them), the most bytes the file may have, and what to keep.
#[derive(Debug, Clone, Copy)]
pub struct Want {
    pub pattern: &'static str,
    pub max_bytes: u64,
    pub keep: Keep,
}

impl Want {
    /// Keeps the whole file.
    pub const fn whole(pattern: &'static str, max_bytes: u64) -> Want {
        Want {
            pattern,
            max_bytes,
            keep: Keep::Whole,
        }
    }
}

/// Files wanted by content: those starting with `magic` (and executable,
/// when asked), whatever their name.
#[derive(Debug, Clone, Copy)]
pub struct Sniff {
    pub name: &'static str,
    pub magic: &'static [u8],
    pub executable_only: bool,
    pub max_bytes: u64,
    pub extract: Extract,
}

/// What an inspector keeps about one file: opaque bytes only the inspector
/// reads back, and whether the note outlives a later layer deleting the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteData {
    pub data: Vec<u8>,
    /// Kept in [`View::sticky_notes`](crate::View::sticky_notes) even when a
    /// later layer deletes the file: what a layer holds ships with it.
    pub sticky: bool,
}

/// Looks at every regular file of a layer as it streams by, for checks that
/// are not catalogers: its path and mode, and its bytes when it is no larger
/// than [`Inspector::max_bytes`]. What it notes is cached with the layer; this
/// stage never looks inside a note.
pub trait Inspector: Send + Sync + std::fmt::Debug {
    /// Names the inspector's code in cache keys; change it when its rules change.
    fn version(&self) -> &str;
    /// Files up to this size are handed over whole; larger ones by path and mode only.
    fn max_bytes(&self) -> u64;
    /// What to note about one file, if anything.
    fn inspect(&self, path: &str, mode: u32, bytes: Option<&[u8]>) -> Option<NoteData>;
}

/// The compiled wants of every cataloger.
#[derive(Debug, Clone)]
pub struct Selection {
    inspector: Option<std::sync::Arc<dyn Inspector>>,
    set: GlobSet,
    wants: Vec<Want>,
    sniffs: Vec<Sniff>,
    version: String,
}

impl Selection {
    /// Compiles `wants` and `sniffs`. `collector_version` names the
    /// catalogers' code, so a change to it invalidates cached layers; the
    /// patterns are folded in too.
    pub fn new(
        wants: &[Want],
        sniffs: &[Sniff],
        collector_version: &str,
    ) -> Result<Selection, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        let mut fingerprint = String::from(collector_version);
        for want in wants {
            builder.add(
                GlobBuilder::new(want.pattern)
                    .literal_separator(true)
                    .build()?,
            );
            fingerprint.push_str(&format!("\n{} {}", want.pattern, want.max_bytes));
        }
        for sniff in sniffs {
            fingerprint.push_str(&format!("\n{} {}", sniff.name, sniff.max_bytes));
        }
        Ok(Selection {
            inspector: None,
            set: builder.build()?,
            wants: wants.to_vec(),
            sniffs: sniffs.to_vec(),
            version: Digest::sha256_of(fingerprint.as_bytes()).hex()[..16].to_owned(),
        })
    }

    /// Adds an inspector that sees every regular file (its version joins the cache key).
    pub fn with_inspector(mut self, inspector: std::sync::Arc<dyn Inspector>) -> Selection {
        let fingerprint = format!(
            "{}\n{}\n{}",
            self.version,
            inspector.version(),
            inspector.max_bytes()
        );
        self.version = Digest::sha256_of(fingerprint.as_bytes()).hex()[..16].to_owned();
        self.inspector = Some(inspector);
        self
    }

    pub fn inspector(&self) -> Option<&dyn Inspector> {
        self.inspector.as_deref()
    }

    /// A short hash of the patterns and collector version, for cache keys.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The want for `path`, when a pattern names it (the first declared wins).
    /// `matches` is a reused buffer so the hot loop allocates nothing.
    pub fn want_for(&self, path: &str, matches: &mut Vec<usize>) -> Option<Want> {
        self.want_index(path, matches)
            .and_then(|index| self.wants.get(index).copied())
    }

    /// The position, in the order they were declared, of the want for `path`.
    pub fn want_index(&self, path: &str, matches: &mut Vec<usize>) -> Option<usize> {
        self.set
            .matches_candidate_into(&Candidate::new(path), matches);
        matches.iter().min().copied()
    }

    /// The longest magic any sniff needs, so the walker knows how much to peek.
    pub fn sniff_bytes(&self, executable: bool) -> usize {
        self.sniffs
            .iter()
            .filter(|s| executable || !s.executable_only)
            .map(|s| s.magic.len())
            .max()
            .unwrap_or(0)
    }

    /// The sniff whose magic `head` starts with.
    pub fn sniff(&self, head: &[u8], executable: bool) -> Option<Sniff> {
        self.sniffs
            .iter()
            .find(|s| (executable || !s.executable_only) && head.starts_with(s.magic))
            .copied()
    }
}
