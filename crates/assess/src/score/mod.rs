//! Annotate findings with scores: CVSS base scores (`cvss.rs`) of the
//! finding's OSV records and of its CVEs' CVE records (CNA and CISA ADP), the
//! severity (`severity.rs`), the CISA KEV entry, SSVC decision and EPSS score
//! of any of its CVEs, and the contextual risk score (`risk.rs`). Findings
//! themselves are never changed or dropped.

mod cvss;
mod risk;
mod severity;

pub use cvss::{CvssScore, CvssSource};
pub use risk::{Exposure, RiskTerms};
pub use severity::SeveritySource;

use portcullis_match::Finding;
use portcullis_model::{Severity, VulnId};
use portcullis_vulndb::{self as vulndb, Database, EpssScore, KevEntry, Ssvc};

/// The scores of one finding.
#[derive(Debug, Clone)]
pub struct Score {
    pub severity: Severity,
    pub severity_source: SeveritySource,
    /// The vector the finding is rated by (its severity's own, when that
    /// came from a vector); its score is SARIF's `security-severity`.
    pub rated_by: Option<CvssScore>,
    /// Every CVSS vector of the finding, each with who published it.
    pub cvss: Vec<CvssScore>,
    pub kev: Option<KevEntry>,
    /// CISA's SSVC decision for one of the finding's CVEs (the most
    /// exploited one), and which CVE it is.
    pub ssvc: Option<(VulnId, Ssvc)>,
    /// The highest EPSS score of the finding's CVEs, and which CVE it is.
    pub epss: Option<(VulnId, EpssScore)>,
    pub risk: u8,
    /// How `risk` was reached.
    pub risk_terms: RiskTerms,
}

impl Score {
    /// The CVSS base score the finding is rated by, when it has a vector.
    pub fn preferred_cvss(&self) -> Option<f64> {
        self.rated_by.as_ref().map(|s| s.score)
    }

    /// Whether the finding is known to be exploited: CISA KEV lists it, or
    /// CISA's SSVC says `Exploitation: active`.
    pub fn known_exploited(&self) -> bool {
        self.kev.is_some()
            || self
                .ssvc
                .as_ref()
                .is_some_and(|(_, ssvc)| ssvc.actively_exploited())
    }

    /// SSVC's `Exploitation` word (`none`, `poc`, `active`), when known.
    pub fn exploitation(&self) -> Option<&str> {
        self.ssvc
            .as_ref()
            .and_then(|(_, ssvc)| ssvc.exploitation.as_deref())
    }
}

/// How far SSVC's `Exploitation` goes, for picking a finding's most exploited CVE.
fn exploitation_rank(ssvc: &Ssvc) -> u8 {
    match ssvc.exploitation.as_deref() {
        Some("active") => 3,
        Some("poc") => 2,
        Some(_) => 1,
        None => 0,
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
        cvss.extend(cvss::scores(&advisory.severity, CvssSource::Osv));
    }
    let mut kev = None;
    let mut ssvc: Option<(VulnId, Ssvc)> = None;
    let mut epss: Option<(VulnId, EpssScore)> = None;
    for id in finding.all_ids().filter(|id| id.is_cve()) {
        if kev.is_none() {
            kev = db.kev(id.as_str())?;
        }
        if let Some(record) = db.cve_record(id.as_str())?.filter(|r| !r.rejected) {
            // A related id is another vulnerability: its exploitation counts
            // (as its KEV listing does), its metrics do not rate this one.
            if !finding.related.contains(id) {
                for score in cvss::scores(&record.cna, CvssSource::Cna)
                    .into_iter()
                    .chain(cvss::scores(&record.adp, CvssSource::Adp))
                {
                    // The same vector from two sources counts once, for the first.
                    if !cvss.iter().any(|known| known.vector == score.vector) {
                        cvss.push(score);
                    }
                }
            }
            if ssvc
                .as_ref()
                .is_none_or(|(_, best)| exploitation_rank(&record.ssvc) > exploitation_rank(best))
                && record.ssvc != Ssvc::default()
            {
                ssvc = Some((id.clone(), record.ssvc));
            }
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
    let decision = severity::decide(finding, &cvss);
    let rated_by = decision.rated_by;
    let exploitation = ssvc.as_ref().and_then(|(_, s)| s.exploitation.as_deref());
    let risk_terms = risk::risk(
        &risk::RiskInputs {
            cvss: rated_by.as_ref().map(|s| s.score),
            severity: decision.severity,
            known_exploited: kev.is_some() || exploitation == Some("active"),
            proof_of_concept: exploitation == Some("poc"),
            automatable: ssvc
                .as_ref()
                .is_some_and(|(_, s)| s.automatable.as_deref() == Some("yes")),
            epss_percentile: epss.as_ref().map(|(_, e)| e.percentile),
            fixable: !finding.fixed_versions.is_empty(),
            network: rated_by.as_ref().is_some_and(CvssScore::network_attack),
        },
        exposure,
    );
    Ok(Score {
        severity: decision.severity,
        severity_source: decision.source,
        rated_by,
        cvss,
        kev,
        ssvc,
        epss,
        risk: risk_terms.risk,
        risk_terms,
    })
}
