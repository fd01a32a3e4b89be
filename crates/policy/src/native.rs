//! The two verdicts the host reaches itself, without a module, because no
//! policy may overrule them: an analysis that could not read everything
//! (`partial-analysis`, the gate cannot decide, unless `--allow-partial`), and
//! ignore entries past their expiry (`suppressions`, fail). Every other
//! verdict comes from a WASM module.

use portcullis_assess::suppress::Notice;
use portcullis_catalog::Inventory;
use portcullis_match::Unmatchable;

use crate::decision::{Decision, Verdict, Violation, ViolationSeverity};

/// Refuses a partial analysis unless it is allowed: the gate cannot vouch
/// for what it could not read.
pub(crate) fn partial_analysis(
    inventory: &Inventory,
    unmatchable: &[Unmatchable],
    allow_partial: bool,
) -> Option<Decision> {
    let partial = inventory.partial() || !unmatchable.is_empty();
    if !partial || allow_partial {
        return None;
    }
    let mut violations: Vec<Violation> = inventory
        .diagnostics
        .iter()
        .map(|d| Violation {
            rule: "partial-analysis".to_owned(),
            severity: ViolationSeverity::Error,
            message: format!("`{}` could not be analysed: {}", d.path, d.message),
            findings: Vec::new(),
        })
        .collect();
    violations.extend(unmatchable.iter().map(|u| Violation {
        rule: "partial-analysis".to_owned(),
        severity: ViolationSeverity::Error,
        message: format!(
            "`{}` could not be matched: {}",
            inventory.package(u.package).name,
            u.why
        ),
        findings: Vec::new(),
    }));
    Some(Decision {
        module: "partial-analysis".to_owned(),
        verdict: Verdict::Error,
        violations,
    })
}

/// Expired ignore entries fail the gate: a suppression past its date is a
/// decision someone owes, not a silent pass.
pub(crate) fn expired_suppressions(notices: &[Notice]) -> Option<Decision> {
    let violations: Vec<Violation> = notices
        .iter()
        .filter_map(|notice| match notice {
            Notice::Expired { source, entry } => Some(Violation {
                rule: "expired-ignore".to_owned(),
                severity: ViolationSeverity::parse("high"),
                message: format!(
                    "the ignore entry for `{}` in `{source}` expired on {}{}; renew it or fix the finding",
                    entry.id,
                    entry.expires.as_deref().unwrap_or("?"),
                    entry.owner.as_deref().map(|o| format!(" (owner: {o})")).unwrap_or_default()
                ),
                findings: vec![entry.id.clone()],
            }),
            Notice::Unused { .. } => None,
        })
        .collect();
    (!violations.is_empty()).then(|| Decision {
        module: "suppressions".to_owned(),
        verdict: Verdict::Fail,
        violations,
    })
}
