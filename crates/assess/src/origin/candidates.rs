//! `--base-candidates`: which other base image would remove the most of the
//! current base's findings without bringing any new one.

use std::collections::BTreeSet;

use portcullis_catalog::Inventory;
use portcullis_match::Finding;

/// One base image's findings, by (package name, finding id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateFindings {
    pub target: String,
    pub keys: BTreeSet<(String, String)>,
}

impl CandidateFindings {
    /// The findings of `inventory` under the name `target`.
    pub fn of(target: &str, inventory: &Inventory, findings: &[Finding]) -> CandidateFindings {
        CandidateFindings {
            target: target.to_owned(),
            keys: findings
                .iter()
                .map(|f| (inventory.package(f.package).name.clone(), f.id.to_string()))
                .collect(),
        }
    }
}

/// A candidate compared with the current base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub target: String,
    pub findings: usize,
    /// Findings of the current base it does not have.
    pub removes: usize,
    /// Findings it has that the current base does not.
    pub adds: usize,
    /// The one to move to: removes the most (at least one), adds none.
    pub recommended: bool,
}

/// Compares each of `candidates` with `current`; at most one is recommended
/// (ties go to the fewest findings, then to the first named).
pub fn compare_candidates(
    current: &CandidateFindings,
    candidates: &[CandidateFindings],
) -> Vec<Candidate> {
    let mut compared: Vec<Candidate> = candidates
        .iter()
        .map(|candidate| Candidate {
            target: candidate.target.clone(),
            findings: candidate.keys.len(),
            removes: current.keys.difference(&candidate.keys).count(),
            adds: candidate.keys.difference(&current.keys).count(),
            recommended: false,
        })
        .collect();
    let best = compared
        .iter()
        .enumerate()
        .filter(|(_, c)| c.adds == 0 && c.removes > 0)
        .min_by_key(|(index, c)| (std::cmp::Reverse(c.removes), c.findings, *index))
        .map(|(index, _)| index);
    if let Some(chosen) = best.and_then(|index| compared.get_mut(index)) {
        chosen.recommended = true;
    }
    compared
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(target: &str, ids: &[&str]) -> CandidateFindings {
        CandidateFindings {
            target: target.to_owned(),
            keys: ids
                .iter()
                .map(|id| ("p".to_owned(), (*id).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn the_candidate_removing_most_and_adding_none_is_recommended() {
        let current = keys("now", &["a", "b", "c"]);
        let compared = compare_candidates(
            &current,
            &[
                keys("adds-one", &["d"]),
                keys("removes-one", &["a", "b"]),
                keys("removes-two", &["a"]),
                keys("same", &["a", "b", "c"]),
            ],
        );
        let chosen: Vec<&str> = compared
            .iter()
            .filter(|c| c.recommended)
            .map(|c| c.target.as_str())
            .collect();
        assert_eq!(chosen, vec!["removes-two"]);
        assert_eq!((compared[0].removes, compared[0].adds), (3, 1));
        let none = compare_candidates(&current, &[keys("same", &["a", "b", "c"])]);
        assert!(none.iter().all(|c| !c.recommended));
    }
}
