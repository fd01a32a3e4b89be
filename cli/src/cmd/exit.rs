//! The one place that turns an error into an exit code and prints it:
//! `error: …`, a `Caused by:` line per source, then `hint: …` when one is known.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::{scan, vulndb};

/// Exit code for input at fault (bad image, flag or file).
const EXIT_INPUT: u8 = 2;
/// Exit code for "the gate could not decide".
const EXIT_UNDECIDED: u8 = 3;

/// Whether the error is a closed stdout pipe, which exits quietly.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Walks the chain for the engine error that knows who is at fault.
pub(crate) fn exit_code(error: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(error) {
        return ExitCode::SUCCESS;
    }
    let undecided = error.chain().any(|cause| {
        cause
            .downcast_ref::<crate::policy::Error>()
            .is_some_and(crate::policy::Error::is_undecided)
            || cause
                .downcast_ref::<scan::Error>()
                .is_some_and(scan::Error::is_undecided)
            || cause
                .downcast_ref::<vulndb::Error>()
                .is_some_and(vulndb::Error::is_undecided)
    });
    ExitCode::from(if undecided {
        EXIT_UNDECIDED
    } else {
        EXIT_INPUT
    })
}

/// A hint for errors whose fix we know.
fn hint(error: &anyhow::Error) -> Option<&'static str> {
    // Engine errors may sit in the chain as themselves or boxed.
    if let Some(hint) = error
        .chain()
        .find_map(|cause| {
            cause.downcast_ref::<vulndb::Error>().or_else(|| {
                cause
                    .downcast_ref::<Box<vulndb::Error>>()
                    .map(AsRef::as_ref)
            })
        })
        .and_then(vulndb::Error::hint)
    {
        return Some(hint);
    }
    let text = error
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    if text.contains("--max-layer-bytes") || text.contains("--max-image-bytes") {
        Some("if the image is genuine, raise the cap named above")
    } else if text.contains("no image for platform") {
        Some("pick one of the listed platforms with `--platform`")
    } else if text.contains("registry request") {
        Some("check the reference and that the registry is reachable; credentials come from `$DOCKER_CONFIG/config.json`")
    } else {
        None
    }
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
    if let Some(hint) = hint(error) {
        let _ = write!(out, "\nhint: {hint}\n");
    }
    Some(out)
}
