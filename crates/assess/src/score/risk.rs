//! The contextual risk score, 0–100: how urgently a finding should be fixed
//! in this image. The formula (also in the README):
//!
//! ```text
//! base     = 10 × CVSS base score, or by severity when no vector:
//!            critical 90, high 70, medium 50, low 20, unknown 30
//! exploit  = +25 when CISA KEV lists it (known exploitation), else
//!            +15 when EPSS percentile ≥ 0.95, +8 when ≥ 0.80
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
    pub kev: bool,
    pub epss_percentile: Option<f64>,
    pub fixable: bool,
    pub network: bool,
}

pub(super) fn risk(inputs: &RiskInputs, exposure: Exposure) -> u8 {
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
    let exploit = if inputs.kev {
        25.0
    } else {
        match inputs.epss_percentile {
            Some(p) if p >= 0.95 => 15.0,
            Some(p) if p >= 0.80 => 8.0,
            Some(_) | None => 0.0,
        }
    };
    let fix = if inputs.fixable { 1.0 } else { 0.85 };
    let mut factor = 1.0;
    if exposure.exposes_ports && inputs.network {
        factor *= 1.10;
    }
    if exposure.runs_as_root {
        factor *= 1.05;
    }
    let value = ((base + exploit) * fix * factor).round().clamp(0.0, 100.0);
    // Clamped to 0..=100 just above, so the cast cannot truncate.
    value as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(cvss: Option<f64>) -> RiskInputs {
        RiskInputs {
            cvss,
            severity: Severity::Medium,
            kev: false,
            epss_percentile: None,
            fixable: true,
            network: true,
        }
    }

    #[test]
    fn known_exploitation_and_exposure_raise_risk() {
        let plain = risk(&inputs(Some(7.5)), Exposure::default());
        assert_eq!(plain, 75);
        let kev = risk(
            &RiskInputs {
                kev: true,
                ..inputs(Some(7.5))
            },
            Exposure::default(),
        );
        assert_eq!(kev, 100);
        let exposed = risk(
            &inputs(Some(7.5)),
            Exposure {
                exposes_ports: true,
                runs_as_root: true,
            },
        );
        assert_eq!(exposed, 87);
        let unfixable = risk(
            &RiskInputs {
                fixable: false,
                ..inputs(Some(7.5))
            },
            Exposure::default(),
        );
        assert_eq!(unfixable, 64);
        assert_eq!(risk(&inputs(None), Exposure::default()), 50);
    }
}
