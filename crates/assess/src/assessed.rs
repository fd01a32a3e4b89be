//! One record per finding: the match, its score, what suppressed it and
//! whether it is new, kept together from here to the reports.

use portcullis_checks::CheckFinding;
use portcullis_match::Finding;

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
}

impl AssessedFinding {
    pub fn is_suppressed(&self) -> bool {
        self.suppression.is_some()
    }
}

/// A hygiene or secret check with what suppressed it.
#[derive(Debug, Clone)]
pub struct AssessedCheck {
    pub check: CheckFinding,
    pub suppression: Option<Suppression>,
}
