//! The one place that turns an error into an exit code and prints it:
//! `error: …`, a `Caused by:` line per source, then `hint: …` when the
//! engine's error types know one (see `portcullis_engine::diagnose`).

use std::fmt::Write as _;
use std::process::ExitCode;

use portcullis_engine::{diagnose, Fault};

/// Exit code when a policy failed the target.
pub(crate) const EXIT_FAIL: u8 = 1;
/// Exit code for input at fault (bad image, flag or file).
const EXIT_INPUT: u8 = 2;
/// Exit code for "the gate could not decide".
pub(crate) const EXIT_UNDECIDED: u8 = 3;

/// Whether the error is a closed stdout pipe, which exits quietly.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for `error`: 0 for a closed pipe, else whose fault it is.
pub(crate) fn exit_code(error: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(error) {
        return ExitCode::SUCCESS;
    }
    ExitCode::from(match diagnose(error.chain()).fault {
        Fault::Undecided => EXIT_UNDECIDED,
        Fault::Input => EXIT_INPUT,
    })
}

/// The number an `ExitCode` made here stands for.
pub(crate) fn code_number(code: ExitCode) -> u8 {
    [0, EXIT_FAIL, EXIT_INPUT, EXIT_UNDECIDED]
        .into_iter()
        .find(|number| ExitCode::from(*number) == code)
        .unwrap_or(EXIT_UNDECIDED)
}

/// Renders `error` for stderr.
pub(crate) fn render_error(error: &anyhow::Error) -> Option<String> {
    if is_broken_pipe(error) {
        return None;
    }
    let mut out = format!("error: {error}\n");
    for cause in error.chain().skip(1) {
        let _ = writeln!(out, "  Caused by: {cause}");
    }
    if let Some(hint) = diagnose(error.chain()).hint {
        let _ = write!(out, "\nhint: {hint}\n");
    }
    Some(out)
}
