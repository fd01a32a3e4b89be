//! The collector interface: which paths a cataloger wants kept, and how many
//! bytes of each it may keep.
//!
//! Catalogers declare patterns; this stage compiles them once into a
//! `GlobSet` and asks it for each tar entry.

use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::model::Digest;

/// One wanted path pattern (relative to the image root, `*` stays within a
/// directory, `**` crosses them) and the most bytes a kept file may have.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Want {
    pub(crate) pattern: &'static str,
    pub(crate) max_bytes: u64,
}

/// The compiled patterns of every cataloger.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    set: GlobSet,
    limits: Vec<u64>,
    version: String,
}

impl Selection {
    /// Compiles `wants`. `collector_version` names the catalogers' code, so a
    /// change to it invalidates cached layers; the patterns are folded in too.
    pub(crate) fn new(
        wants: &[Want],
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
            fingerprint.push('\n');
            fingerprint.push_str(want.pattern);
            fingerprint.push_str(&want.max_bytes.to_string());
        }
        Ok(Selection {
            set: builder.build()?,
            limits: wants.iter().map(|w| w.max_bytes).collect(),
            version: Digest::sha256_of(fingerprint.as_bytes()).hex()[..16].to_owned(),
        })
    }

    /// A short hash of the patterns and collector version, for cache keys.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// The byte limit for `path` when some pattern wants it. `matches` is a
    /// reused buffer so the hot loop allocates nothing.
    pub(crate) fn limit_for(&self, path: &str, matches: &mut Vec<usize>) -> Option<u64> {
        self.set
            .matches_candidate_into(&Candidate::new(path), matches);
        matches
            .iter()
            .filter_map(|index| self.limits.get(*index).copied())
            .max()
    }
}
