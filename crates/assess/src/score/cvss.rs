//! CVSS base scores from the vectors an advisory carries: v2, v3.0, v3.1 and
//! v4.0, computed by the `cvss` crate (RustSec's).
//!
//! Specs: <https://www.first.org/cvss/>.

use std::str::FromStr;

use portcullis_vulndb::SeverityVector;

/// Who published a CVSS vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CvssSource {
    /// The finding's own OSV records (`severity[]`).
    Osv,
    /// The CVE record's CNA container.
    Cna,
    /// The CVE record's CISA ADP container (Vulnrichment).
    Adp,
}

impl CvssSource {
    pub fn name(self) -> &'static str {
        match self {
            CvssSource::Osv => "osv",
            CvssSource::Cna => "cve-cna",
            CvssSource::Adp => "cisa-adp",
        }
    }
}

/// One scored vector.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssScore {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: &'static str,
    pub source: CvssSource,
    pub vector: String,
    pub score: f64,
}

impl CvssScore {
    /// Whether the vector says the attack comes over the network.
    pub fn network_attack(&self) -> bool {
        self.vector.split('/').any(|part| part == "AV:N")
    }
}

/// Scores every CVSS vector in `severities`, published by `source`; other
/// kinds are skipped, and so are vectors the `cvss` crate cannot read (a
/// finding keeps its other vectors and sources; what it has none of is
/// `unknown`, which the severity gate's `unknown` rule decides).
pub(super) fn scores(severities: &[SeverityVector], source: CvssSource) -> Vec<CvssScore> {
    let mut out = Vec::new();
    for severity in severities {
        if !severity.kind.starts_with("CVSS_V") {
            continue;
        }
        let Ok(parsed) = cvss::Cvss::from_str(severity.score.trim()) else {
            tracing::debug!("unreadable CVSS vector `{}`", severity.score);
            continue;
        };
        let version = match &parsed {
            cvss::Cvss::CvssV20(_) => "2.0",
            cvss::Cvss::CvssV30(_) => "3.0",
            cvss::Cvss::CvssV31(_) => "3.1",
            cvss::Cvss::CvssV40(_) => "4.0",
            _ => continue,
        };
        out.push(CvssScore {
            version,
            source,
            vector: severity.score.trim().to_owned(),
            score: parsed.score(),
        });
    }
    out
}

/// The vector of one source a finding is rated by: v3.1 first (what NVD,
/// GitHub and most CNAs publish, so the number users compare with), then
/// v4.0 (newer and finer than v3.0, and scored on the same 0–10 bands), then
/// v3.0, then v2; the highest score among vectors of that version.
pub(super) fn preferred(scores: &[CvssScore], source: CvssSource) -> Option<&CvssScore> {
    ["3.1", "4.0", "3.0", "2.0"].iter().find_map(|version| {
        scores
            .iter()
            .filter(|s| s.source == source && s.version == *version)
            .max_by(|a, b| a.score.total_cmp(&b.score))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(kind: &str, score: &str) -> SeverityVector {
        SeverityVector {
            kind: kind.to_owned(),
            score: score.to_owned(),
        }
    }

    #[test]
    fn vectors_of_every_version_are_scored() {
        let found = scores(
            &[
                vector("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
                vector("CVSS_V3", "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
                vector("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P"),
                vector(
                    "CVSS_V4",
                    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                ),
                vector("CVSS_V3", "garbage"),
                vector("Ubuntu", "high"),
            ],
            CvssSource::Osv,
        );
        let by_version: Vec<(&str, f64)> = found.iter().map(|s| (s.version, s.score)).collect();
        assert_eq!(
            by_version,
            vec![("3.1", 10.0), ("3.0", 6.5), ("2.0", 7.5), ("4.0", 9.3)]
        );
        assert_eq!(preferred(&found, CvssSource::Osv).unwrap().score, 10.0);
        assert!(preferred(&found, CvssSource::Cna).is_none());
        assert!(found[0].network_attack());
        // Without a v3.1 vector, v4.0 rates before v3.0.
        let no_31: Vec<CvssScore> = found.into_iter().filter(|s| s.version != "3.1").collect();
        assert_eq!(preferred(&no_31, CvssSource::Osv).unwrap().version, "4.0");
    }
}
