//! The collector interface: which files a cataloger wants, found by path
//! pattern or by content (magic bytes), and what to keep of each: the whole
//! file, or a small summary an extractor derives from it (a Go binary's build
//! info, a jar's Maven coordinates) so that big files are never kept.
//!
//! Catalogers declare these; this stage compiles the patterns once into a
//! `GlobSet` and asks it for each tar entry.

use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::model::Digest;

/// Derives what to keep from a wanted file: `Ok(None)` keeps nothing,
/// `Err(why)` records the file as skipped.
pub(crate) type Extract = fn(path: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, String>;

/// What to keep of a wanted file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keep {
    Whole,
    Extracted(Extract),
}

/// One wanted path pattern (relative to the image root, `*` stays within a
/// directory, `**` crosses them), the most bytes the file may have, and what to keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Want {
    pub(crate) pattern: &'static str,
    pub(crate) max_bytes: u64,
    pub(crate) keep: Keep,
}

impl Want {
    /// Keeps the whole file.
    pub(crate) const fn whole(pattern: &'static str, max_bytes: u64) -> Want {
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
pub(crate) struct Sniff {
    pub(crate) name: &'static str,
    pub(crate) magic: &'static [u8],
    pub(crate) executable_only: bool,
    pub(crate) max_bytes: u64,
    pub(crate) extract: Extract,
}

/// What an inspector found in a file's bytes: a rule, the 1-based line, a
/// redacted excerpt and a hash of the matched value (never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) rule: String,
    pub(crate) line: u32,
    pub(crate) excerpt: String,
    pub(crate) value_sha256: String,
}

/// Looks at every regular file of a layer as it streams by, for checks that
/// are not catalogers: its mode and path (`notable`) and, below `max_bytes`,
/// its bytes (`scan`). What it notes is cached with the layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inspector {
    /// Names the inspector's code in cache keys; change it when the rules change.
    pub(crate) version: &'static str,
    pub(crate) max_bytes: u64,
    pub(crate) notable: fn(path: &str, mode: u32) -> bool,
    pub(crate) scan: fn(path: &str, bytes: &[u8]) -> Vec<Hit>,
}

/// The compiled wants of every cataloger.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    inspector: Option<Inspector>,
    set: GlobSet,
    wants: Vec<Want>,
    sniffs: Vec<Sniff>,
    version: String,
}

impl Selection {
    /// Compiles `wants` and `sniffs`. `collector_version` names the
    /// catalogers' code, so a change to it invalidates cached layers; the
    /// patterns are folded in too.
    pub(crate) fn new(
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
    pub(crate) fn with_inspector(mut self, inspector: Inspector) -> Selection {
        let fingerprint = format!(
            "{}\n{}\n{}",
            self.version, inspector.version, inspector.max_bytes
        );
        self.version = Digest::sha256_of(fingerprint.as_bytes()).hex()[..16].to_owned();
        self.inspector = Some(inspector);
        self
    }

    pub(crate) fn inspector(&self) -> Option<&Inspector> {
        self.inspector.as_ref()
    }

    /// A short hash of the patterns and collector version, for cache keys.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// The want for `path`, when a pattern names it (the first declared wins).
    /// `matches` is a reused buffer so the hot loop allocates nothing.
    pub(crate) fn want_for(&self, path: &str, matches: &mut Vec<usize>) -> Option<Want> {
        self.set
            .matches_candidate_into(&Candidate::new(path), matches);
        matches
            .iter()
            .min()
            .and_then(|index| self.wants.get(*index).copied())
    }

    /// The longest magic any sniff needs, so the walker knows how much to peek.
    pub(crate) fn sniff_bytes(&self, executable: bool) -> usize {
        self.sniffs
            .iter()
            .filter(|s| executable || !s.executable_only)
            .map(|s| s.magic.len())
            .max()
            .unwrap_or(0)
    }

    /// The sniff whose magic `head` starts with.
    pub(crate) fn sniff(&self, head: &[u8], executable: bool) -> Option<Sniff> {
        self.sniffs
            .iter()
            .find(|s| (executable || !s.executable_only) && head.starts_with(s.magic))
            .copied()
    }
}
