//! The one place that reads an engine error chain for what the command line
//! needs: whose fault it is (the input's, exit 2, or the gate could not
//! decide, exit 3) and the hint of the first error type that knows the fix.
//! Each error type says both of itself; this only walks the chain.
//!
//! As `uv/crates/uv/src/commands/diagnostics.rs` (`hints_for_error`).

use std::error::Error as StdError;

/// Who is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A bad flag, file, image or SBOM: exit 2.
    Input,
    /// The gate could not decide (DB, registry, policy sandbox): exit 3.
    Undecided,
}

/// What the chain says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diagnosis {
    pub fault: Fault,
    pub hint: Option<&'static str>,
}

/// The engine error `cause` is, itself or boxed, as what it knows of itself:
/// whether the gate could not decide (`None` when it does not say) and its hint.
fn known(cause: &(dyn StdError + 'static)) -> Option<(Option<bool>, Option<&'static str>)> {
    macro_rules! try_type {
        ($type:ty, $undecided:expr, $hint:expr) => {
            let found = cause
                .downcast_ref::<$type>()
                .or_else(|| cause.downcast_ref::<Box<$type>>().map(AsRef::as_ref));
            if let Some(error) = found {
                return Some(($undecided(error), $hint(error)));
            }
        };
    }
    try_type!(
        portcullis_scan::Error,
        |e: &portcullis_scan::Error| Some(e.is_undecided()),
        |_| None
    );
    try_type!(
        portcullis_policy::Error,
        |e: &portcullis_policy::Error| Some(e.is_undecided()),
        |_| None
    );
    try_type!(
        portcullis_vulndb::Error,
        |e: &portcullis_vulndb::Error| Some(e.is_undecided()),
        portcullis_vulndb::Error::hint
    );
    try_type!(
        portcullis_source::Error,
        |_| None,
        portcullis_source::Error::hint
    );
    try_type!(
        portcullis_layer::Error,
        |_| None,
        portcullis_layer::Error::hint
    );
    None
}

/// Walks `error` and its causes: the gate could not decide when any engine
/// error in the chain says so; the hint is the first one found.
pub fn diagnose<'a>(chain: impl IntoIterator<Item = &'a (dyn StdError + 'static)>) -> Diagnosis {
    let mut undecided = false;
    let mut hint = None;
    for cause in chain {
        if let Some((says, knows)) = known(cause) {
            undecided |= says == Some(true);
            hint = hint.or(knows);
        }
    }
    Diagnosis {
        fault: if undecided {
            Fault::Undecided
        } else {
            Fault::Input
        },
        hint,
    }
}
