//! `portcullis sbom TARGET`: wiring only.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::options::TargetArgs;
use crate::report::{self, RenderConfig, SbomFormat};
use crate::scan;

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// SBOM format.
    #[arg(long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    format: SbomFormat,
    /// Write the SBOM to this file (atomically) instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &SbomArgs) -> anyhow::Result<ExitCode> {
    let config = args.target.scan_config()?;
    let result = scan::inventory(&args.target.target, &config)?;
    tracing::debug!(
        "{} layers read, {} from the cache",
        result.stats.layers_read,
        result.stats.layers_cached
    );
    let render = RenderConfig {
        created: report::creation_time(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref()),
        ..RenderConfig::default()
    };
    let text =
        report::render_sbom(args.format, &result, &render).context("could not render the SBOM")?;
    match &args.output {
        Some(path) => report::write_atomic(path, &text)
            .with_context(|| format!("could not write the SBOM to `{}`", path.display()))?,
        None => report::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
