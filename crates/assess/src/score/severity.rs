//! Where a finding's severity is decided: the vendor's rating (the matching
//! `affected` entries' severity, then the records' `database_specific`
//! severity) first, else the preferred CVSS base score, else `unknown`.

use portcullis_match::Finding;
use portcullis_model::Severity;

use super::cvss::CvssScore;

/// Where a severity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeveritySource {
    Vendor,
    Cvss,
    None,
}

impl SeveritySource {
    pub fn name(self) -> &'static str {
        match self {
            SeveritySource::Vendor => "vendor",
            SeveritySource::Cvss => "cvss",
            SeveritySource::None => "none",
        }
    }
}

/// The severity of `finding`, given the CVSS score it is rated by.
pub(crate) fn decide(
    finding: &Finding,
    preferred: Option<&CvssScore>,
) -> (Severity, SeveritySource) {
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
    match (vendor, preferred) {
        (Some(severity), _) => (severity, SeveritySource::Vendor),
        (None, Some(score)) => (Severity::from_score(score.score), SeveritySource::Cvss),
        (None, None) => (Severity::Unknown, SeveritySource::None),
    }
}
