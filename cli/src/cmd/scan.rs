//! `portcullis scan TARGET`: wiring only.

use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::policy::Verdict;
use portcullis_engine::report::{self, ReportFormat};
use portcullis_engine::Scanner;

use super::exit::{EXIT_FAIL, EXIT_UNDECIDED};
use crate::args::ScanArgs;
use crate::settings;

pub(crate) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let result = run_scan(args);
    if let (Err(error), ReportFormat::Teamcity) = (&result, args.format) {
        // TeamCity reads stdout: say why there is no report.
        let code = match super::exit_code(error) {
            code if code == ExitCode::from(EXIT_UNDECIDED) => EXIT_UNDECIDED,
            _ => 2,
        };
        let text = error
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        let _ = report::write_stdout(&report::teamcity_error_problem(&text, code));
    }
    result
}

fn run_scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let settings = settings::scan(args)?;
    let scanner = Scanner::new(settings.read, settings.gate);
    let report = scanner.scan(&args.target.target)?;
    if let Some(warning) = &report.db.age_warning {
        tracing::warn!("{warning}");
    }
    for (format, path) in &settings.outputs {
        let text = report::render_report(*format, &report, &settings.render, false)
            .context("could not render the report")?;
        report::write_atomic(path, &text)
            .with_context(|| format!("could not write `{}`", path.display()))?;
    }
    let text = report::render_report(args.format, &report, &settings.render, settings::colour())
        .context("could not render the report")?;
    report::write_stdout(&text)?;
    Ok(match report.verdict {
        Verdict::Pass | Verdict::Warn => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(EXIT_FAIL),
        Verdict::Error => ExitCode::from(EXIT_UNDECIDED),
    })
}
