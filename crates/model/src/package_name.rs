//! Package-name normalisation, where an ecosystem says two spellings are one
//! name: PyPI's, as PEP 503 defines it
//! (<https://peps.python.org/pep-0503/#normalized-names>).

/// PEP 503: lowercase, and every run of `-`, `_` and `.` becomes one `-`.
pub fn pep503_normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_folds_case_and_separator_runs() {
        // The examples of PEP 503's "Normalized Names" section.
        for name in [
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
        ] {
            assert_eq!(pep503_normalise(name), "friendly-bard");
        }
    }
}
