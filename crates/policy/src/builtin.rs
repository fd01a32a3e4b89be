//! The built-in policies: WASM modules like any other, built from
//! `policies/builtin` by `policies/build.sh` and embedded in the binary.

/// One built-in policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    SeverityGate,
    KnownExploited,
    FixableOnly,
    RiskCap,
    EpssThreshold,
    NonRoot,
    LicenseDeny,
    OnlyNew,
}

impl Builtin {
    /// Every built-in, in the order `policy inspect` and messages list them.
    pub const ALL: [Builtin; 8] = [
        Builtin::SeverityGate,
        Builtin::KnownExploited,
        Builtin::FixableOnly,
        Builtin::RiskCap,
        Builtin::EpssThreshold,
        Builtin::NonRoot,
        Builtin::LicenseDeny,
        Builtin::OnlyNew,
    ];

    /// Its id, as `builtin:ID` names it.
    pub fn id(self) -> &'static str {
        match self {
            Builtin::SeverityGate => "severity-gate",
            Builtin::KnownExploited => "known-exploited",
            Builtin::FixableOnly => "fixable-only",
            Builtin::RiskCap => "risk-cap",
            Builtin::EpssThreshold => "epss-threshold",
            Builtin::NonRoot => "non-root",
            Builtin::LicenseDeny => "license-deny",
            Builtin::OnlyNew => "only-new",
        }
    }

    pub fn from_id(id: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|builtin| builtin.id() == id)
    }

    /// The embedded module.
    pub fn wasm(self) -> &'static [u8] {
        match self {
            Builtin::SeverityGate => include_bytes!("../../../policies/dist/severity-gate.wasm"),
            Builtin::KnownExploited => {
                include_bytes!("../../../policies/dist/known-exploited.wasm")
            }
            Builtin::FixableOnly => include_bytes!("../../../policies/dist/fixable-only.wasm"),
            Builtin::RiskCap => include_bytes!("../../../policies/dist/risk-cap.wasm"),
            Builtin::EpssThreshold => include_bytes!("../../../policies/dist/epss-threshold.wasm"),
            Builtin::NonRoot => include_bytes!("../../../policies/dist/non-root.wasm"),
            Builtin::LicenseDeny => include_bytes!("../../../policies/dist/license-deny.wasm"),
            Builtin::OnlyNew => include_bytes!("../../../policies/dist/only-new.wasm"),
        }
    }
}
