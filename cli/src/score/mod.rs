//! Annotate findings with scores: CVSS base scores, the severity (the
//! vendor's rating when the record has one, else from the CVSS score), the
//! CISA KEV entry and EPSS score of any of its CVEs, and the contextual risk
//! score. Findings themselves are never changed or dropped.

mod cvss;
mod risk;

pub(crate) use self::cvss::CvssScore;
pub(crate) use risk::Exposure;

use crate::matcher::Finding;
use crate::model::Severity;
use crate::vulndb::{self, Database, EpssScore, KevEntry};

/// Where a severity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeveritySource {
    Vendor,
    Cvss,
    None,
}

impl SeveritySource {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SeveritySource::Vendor => "vendor",
            SeveritySource::Cvss => "cvss",
            SeveritySource::None => "none",
        }
    }
}

/// The scores of one finding (same index as the finding).
#[derive(Debug, Clone)]
pub(crate) struct Score {
    pub(crate) severity: Severity,
    pub(crate) severity_source: SeveritySource,
    pub(crate) cvss: Vec<CvssScore>,
    pub(crate) kev: Option<KevEntry>,
    pub(crate) epss: Option<(String, EpssScore)>,
    pub(crate) risk: u8,
}

/// The CVSS base score a finding is rated by, when it has a vector.
pub(crate) fn preferred_score(scores: &[CvssScore]) -> Option<f64> {
    cvss::preferred(scores).map(|s| s.score)
}

/// Scores every finding, in order.
pub(crate) fn score(
    findings: &[Finding],
    db: &Database,
    exposure: Exposure,
) -> Result<Vec<Score>, vulndb::Error> {
    let mut scores = Vec::with_capacity(findings.len());
    for finding in findings {
        let mut cvss = Vec::new();
        let mut vendor = finding
            .vendor_severities
            .iter()
            .filter_map(|word| Severity::from_vendor(word))
            .max();
        for advisory in &finding.advisories {
            cvss.extend(cvss::scores(&advisory.severity));
            if let Some(word) = &advisory.database_severity {
                vendor = vendor.max(Severity::from_vendor(word));
            }
        }
        let preferred = cvss::preferred(&cvss).cloned();
        let (severity, severity_source) = match (vendor, &preferred) {
            (Some(severity), _) => (severity, SeveritySource::Vendor),
            (None, Some(score)) => (Severity::from_score(score.score), SeveritySource::Cvss),
            (None, None) => (Severity::Unknown, SeveritySource::None),
        };
        let mut kev = None;
        let mut epss: Option<(String, EpssScore)> = None;
        for id in finding.all_ids().filter(|id| id.starts_with("CVE-")) {
            if kev.is_none() {
                kev = db.kev(id)?;
            }
            if let Some(score) = db.epss(id)? {
                if epss
                    .as_ref()
                    .is_none_or(|(_, best)| score.score > best.score)
                {
                    epss = Some((id.clone(), score));
                }
            }
        }
        let risk = risk::risk(
            &risk::RiskInputs {
                cvss: preferred.as_ref().map(|s| s.score),
                severity,
                kev: kev.is_some(),
                epss_percentile: epss.as_ref().map(|(_, e)| e.percentile),
                fixable: !finding.fixed_versions.is_empty(),
                network: preferred.as_ref().is_some_and(CvssScore::network_attack),
            },
            exposure,
        );
        scores.push(Score {
            severity,
            severity_source,
            cvss,
            kev,
            epss,
            risk,
        });
    }
    Ok(scores)
}
