//! Where a finding's severity is decided, in this order:
//!
//! 1. the vendor's rating for the package's distro or ecosystem: the matching
//!    `affected` entries' severity, then the records' `database_specific`
//!    severity (the highest word wins);
//! 2. a CVSS vector in the finding's own OSV records;
//! 3. the CVE record's CNA metrics;
//! 4. the CVE record's CISA ADP metrics (Vulnrichment);
//!
//! and `unknown` when none of them rates it. Within one source the vector is
//! chosen by [`super::cvss::preferred`] (v3.1, v4.0, v3.0, v2).

use portcullis_match::Finding;
use portcullis_model::Severity;

use super::cvss::{self, CvssScore, CvssSource};

/// Where a severity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeveritySource {
    Vendor,
    /// A CVSS vector in the finding's OSV records.
    Cvss,
    /// The CVE record's CNA metrics.
    CveCna,
    /// The CVE record's CISA ADP metrics.
    CisaAdp,
    None,
}

impl SeveritySource {
    pub fn name(self) -> &'static str {
        match self {
            SeveritySource::Vendor => "vendor",
            SeveritySource::Cvss => "cvss",
            SeveritySource::CveCna => "cve-cna",
            SeveritySource::CisaAdp => "cisa-adp",
            SeveritySource::None => "none",
        }
    }

    /// A short marker for the table: `V`, `O`, `C`, `A` or blank.
    pub fn marker(self) -> &'static str {
        match self {
            SeveritySource::Vendor => "V",
            SeveritySource::Cvss => "O",
            SeveritySource::CveCna => "C",
            SeveritySource::CisaAdp => "A",
            SeveritySource::None => "",
        }
    }
}

/// What decided a finding's severity.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub severity: Severity,
    pub source: SeveritySource,
    /// The vector the finding is rated by: the severity's own when it came
    /// from one, else (a vendor's word) the first source's that has one.
    pub rated_by: Option<CvssScore>,
}

/// The severity of `finding`, given every CVSS vector it has (`cvss`, each
/// with its source).
pub(crate) fn decide(finding: &Finding, cvss: &[CvssScore]) -> Decision {
    let mut vendor = finding
        .vendor_severities
        .iter()
        .filter_map(|word| Severity::from_vendor(word))
        .max();
    for advisory in &finding.advisories {
        if let Some(word) = &advisory.database_severity {
            vendor = vendor.max(Severity::from_vendor(word));
        }
    }
    let by_vector = [
        (CvssSource::Osv, SeveritySource::Cvss),
        (CvssSource::Cna, SeveritySource::CveCna),
        (CvssSource::Adp, SeveritySource::CisaAdp),
    ]
    .into_iter()
    .find_map(|(source, named)| {
        cvss::preferred(cvss, source)
            .filter(|score| Severity::from_score(score.score) != Severity::Unknown)
            .map(|score| (named, score.clone()))
    });
    match (vendor, by_vector) {
        (Some(severity), rated_by) => Decision {
            severity,
            source: SeveritySource::Vendor,
            rated_by: rated_by.map(|(_, score)| score),
        },
        (None, Some((source, score))) => Decision {
            severity: Severity::from_score(score.score),
            source,
            rated_by: Some(score),
        },
        (None, None) => Decision {
            severity: Severity::Unknown,
            source: SeveritySource::None,
            rated_by: None,
        },
    }
}
