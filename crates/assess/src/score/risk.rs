//! The contextual risk score, 0–100: how urgently a finding should be fixed
//! in this image. The formula (also in the README):
//!
//! ```text
//! base     = 10 × CVSS base score, or by severity when no vector:
//!            critical 90, high 70, medium 50, low 20, unknown 30
//! exploit  = +25 when it is known to be exploited: CISA KEV lists it, or
//!            the CVE record's CISA ADP SSVC says `Exploitation: active`;
//!            else the larger of +15 when EPSS percentile ≥ 0.95, +8 when
//!            ≥ 0.80, and +10 when SSVC says `Exploitation: poc`;
//!            then +5 more when SSVC says `Automatable: yes`
//! fix      = × 1.00 when a fixed version exists, × 0.85 when none does
//! exposure = × 1.10 when the image exposes ports and the vector is network
//!            (AV:N); × 1.05 more when the image runs as root
//! risk     = round((base + exploit) × fix × exposure), clamped to 0–100
//! ```

use portcullis_model::Severity;

/// What about the image changes a finding's risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exposure {
    pub exposes_ports: bool,
    pub runs_as_root: bool,
}

/// The inputs of one finding's risk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RiskInputs {
    pub cvss: Option<f64>,
    pub severity: Severity,
    /// KEV lists it or SSVC says `Exploitation: active`.
    pub known_exploited: bool,
    /// SSVC says `Exploitation: poc`.
    pub proof_of_concept: bool,
    /// SSVC says `Automatable: yes`.
    pub automatable: bool,
    pub epss_percentile: Option<f64>,
    pub fixable: bool,
    pub network: bool,
}

/// The terms of one finding's risk score, as the formula above names them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RiskTerms {
    pub base: f64,
    pub exploit: f64,
    pub fix: f64,
    pub exposure: f64,
    pub risk: u8,
}

pub(super) fn risk(inputs: &RiskInputs, exposure: Exposure) -> RiskTerms {
    let base = inputs.cvss.map_or_else(
        || match inputs.severity {
            Severity::Critical => 90.0,
            Severity::High => 70.0,
            Severity::Medium => 50.0,
            Severity::Low => 20.0,
            Severity::Unknown => 30.0,
        },
        |score| score * 10.0,
    );
    let mut exploit = if inputs.known_exploited {
        25.0
    } else {
        let epss: f64 = match inputs.epss_percentile {
            Some(p) if p >= 0.95 => 15.0,
            Some(p) if p >= 0.80 => 8.0,
            Some(_) | None => 0.0,
        };
        epss.max(if inputs.proof_of_concept { 10.0 } else { 0.0 })
    };
    if inputs.automatable {
        exploit += 5.0;
    }
    let fix = if inputs.fixable { 1.0 } else { 0.85 };
    let mut factor = 1.0;
    if exposure.exposes_ports && inputs.network {
        factor *= 1.10;
    }
    if exposure.runs_as_root {
        factor *= 1.05;
    }
    let value = ((base + exploit) * fix * factor).round().clamp(0.0, 100.0);
    RiskTerms {
        base,
        exploit,
        fix,
        exposure: factor,
        // Clamped to 0..=100 just above, so the cast cannot truncate.
        risk: value as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(cvss: Option<f64>) -> RiskInputs {
        RiskInputs {
            cvss,
            severity: Severity::Medium,
            known_exploited: false,
            proof_of_concept: false,
            automatable: false,
            epss_percentile: None,
            fixable: true,
            network: true,
        }
    }

    #[test]
    fn known_exploitation_and_exposure_raise_risk() {
        let plain = risk(&inputs(Some(7.5)), Exposure::default()).risk;
        assert_eq!(plain, 75);
        let kev = risk(
            &RiskInputs {
                known_exploited: true,
                ..inputs(Some(7.5))
            },
            Exposure::default(),
        );
        assert_eq!((kev.exploit, kev.risk), (25.0, 100));
        let poc = risk(
            &RiskInputs {
                proof_of_concept: true,
                automatable: true,
                ..inputs(Some(6.0))
            },
            Exposure::default(),
        );
        assert_eq!((poc.exploit, poc.risk), (15.0, 75));
        // EPSS and a proof of concept do not add up: the larger counts.
        let both = risk(
            &RiskInputs {
                proof_of_concept: true,
                epss_percentile: Some(0.97),
                ..inputs(Some(6.0))
            },
            Exposure::default(),
        );
        assert_eq!(both.exploit, 15.0);
        let exposed = risk(
            &inputs(Some(7.5)),
            Exposure {
                exposes_ports: true,
                runs_as_root: true,
            },
        )
        .risk;
        assert_eq!(exposed, 87);
        let unfixable = risk(
            &RiskInputs {
                fixable: false,
                ..inputs(Some(7.5))
            },
            Exposure::default(),
        )
        .risk;
        assert_eq!(unfixable, 64);
        assert_eq!(risk(&inputs(None), Exposure::default()).risk, 50);
    }
}
