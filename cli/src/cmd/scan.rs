//! `portcullis scan TARGET`: wiring only.

use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::policy::Verdict;
use portcullis_engine::report::{self, ReportFormat};
use portcullis_engine::Scanner;

use super::exit::EXIT_UNDECIDED;
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
    let mut report = scanner.scan(&args.target.target)?;
    if let Some(name) = &args.target_name {
        report.target.reference.clone_from(name);
    }
    // The table on stdout says it itself: every warning once.
    let table_on_stdout =
        args.format == ReportFormat::Table && settings.outputs.main_file.is_none();
    if let Some(warning) = report.db.age_warning.as_ref().filter(|_| !table_on_stdout) {
        tracing::warn!("{warning}");
    }
    if let Some(path) = &args.policy_input {
        let mut lines = Vec::new();
        for input in &report.policy_inputs {
            lines.extend_from_slice(&input.document);
            lines.push(b'\n');
        }
        report::write_atomic(path, &String::from_utf8_lossy(&lines))
            .with_context(|| format!("could not write `{}`", path.display()))?;
    }
    let verdict = match report.verdict {
        Verdict::Pass | Verdict::Warn => ExitCode::SUCCESS,
        Verdict::Fail => ExitCode::from(settings.fail_exit_code),
        Verdict::Error => ExitCode::from(EXIT_UNDECIDED),
    };
    // Every file report is rendered and written at once, one thread each:
    // a big target's JSON and SARIF take about as long as each other.
    let mut files: Vec<(ReportFormat, &std::path::Path)> = settings
        .outputs
        .extra
        .iter()
        .map(|(format, path)| (*format, path.as_path()))
        .collect();
    if let Some(path) = &settings.outputs.main_file {
        files.push((args.format, path));
    }
    let written: Vec<anyhow::Result<()>> = std::thread::scope(|scope| {
        let writers: Vec<_> = files
            .iter()
            .map(|&(format, path)| {
                let (report, render) = (&report, &settings.render);
                scope.spawn(move || -> anyhow::Result<()> {
                    report::write_report(format, report, render, path)
                        .context("could not write the report")
                })
            })
            .collect();
        writers
            .into_iter()
            .map(|writer| {
                writer
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a report writer panicked")))
            })
            .collect()
    });
    for result in written {
        result?;
    }
    if settings.outputs.main_file.is_some() {
        return Ok(verdict);
    }
    let text = report::render_report(args.format, &report, &settings.render, settings::colour())
        .context("could not render the report")?;
    match report::write_stdout(&text) {
        // A reader that stopped early (`| head`) does not change the verdict.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(verdict),
        Err(error) => Err(error).context("could not write the report to stdout"),
        Ok(()) => Ok(verdict),
    }
}
