//! Annotate findings with scores: CVSS base scores (`cvss.rs`), the severity
//! (`severity.rs`), the CISA KEV entry and EPSS score of any of its CVEs, and
//! the contextual risk score (`risk.rs`). Findings themselves are never
//! changed or dropped.

mod cvss;
mod risk;
mod severity;

pub use cvss::CvssScore;
pub use risk::Exposure;
pub use severity::SeveritySource;

use portcullis_match::Finding;
use portcullis_model::{Severity, VulnId};
use portcullis_vulndb::{self as vulndb, Database, EpssScore, KevEntry};

/// The scores of one finding.
#[derive(Debug, Clone)]
pub struct Score {
    pub severity: Severity,
    pub severity_source: SeveritySource,
    pub cvss: Vec<CvssScore>,
    pub kev: Option<KevEntry>,
    /// The highest EPSS score of the finding's CVEs, and which CVE it is.
    pub epss: Option<(VulnId, EpssScore)>,
    pub risk: u8,
}

impl Score {
    /// The CVSS base score the finding is rated by, when it has a vector.
    pub fn preferred_cvss(&self) -> Option<f64> {
        cvss::preferred(&self.cvss).map(|s| s.score)
    }
}

/// Scores one finding.
pub(crate) fn score(
    finding: &Finding,
    db: &Database,
    exposure: Exposure,
) -> Result<Score, vulndb::Error> {
    let mut cvss = Vec::new();
    for advisory in &finding.advisories {
        cvss.extend(cvss::scores(&advisory.severity));
    }
    let preferred = cvss::preferred(&cvss).cloned();
    let (severity, severity_source) = severity::decide(finding, preferred.as_ref());
    let mut kev = None;
    let mut epss: Option<(VulnId, EpssScore)> = None;
    for id in finding.all_ids().filter(|id| id.is_cve()) {
        if kev.is_none() {
            kev = db.kev(id.as_str())?;
        }
        if let Some(score) = db.epss(id.as_str())? {
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
    Ok(Score {
        severity,
        severity_source,
        cvss,
        kev,
        epss,
        risk,
    })
}
