//! One record per finding: the match, its score, what suppressed it and
//! whether it is new, kept together from here to the reports.

use portcullis_checks::CheckFinding;
use portcullis_match::Finding;

use crate::go_symbols::{CodeDetermination, CodeState};
use crate::origin::Origin;
use crate::score::Score;
use crate::suppress::Suppression;

/// A finding with everything the later stages decided about it.
#[derive(Debug, Clone)]
pub struct AssessedFinding {
    pub finding: Finding,
    pub score: Score,
    /// What suppresses it, if anything; it stays in every report either way.
    pub suppression: Option<Suppression>,
    /// New against the baseline (every finding is, without one).
    pub new: bool,
    /// Go: whether the vulnerable code is linked into the binary.
    pub code: Option<CodeDetermination>,
    /// Whose it is, when the scan knows the base image (`--base`).
    pub origin: Option<Origin>,
}

impl AssessedFinding {
    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }

    /// The vulnerable code was looked for in every binary and is in none.
    pub fn code_not_present(&self) -> bool {
        self.code
            .as_ref()
            .is_some_and(|code| code.state == CodeState::NotPresent)
    }
}

/// A hygiene or secret check with what suppressed it.
#[derive(Debug, Clone)]
pub struct AssessedCheck {
    pub check: CheckFinding,
    pub suppression: Option<Suppression>,
}
