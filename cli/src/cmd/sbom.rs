//! `portcullis sbom TARGET`: wiring only.

use std::process::ExitCode;

use anyhow::Context as _;

use portcullis_engine::report;

use crate::args::SbomArgs;
use crate::settings;

pub(crate) fn run(args: &SbomArgs) -> anyhow::Result<ExitCode> {
    let config = settings::read_config(&args.target)?;
    let result = portcullis_engine::inventory(&args.target.target, &config)?;
    tracing::debug!(
        "{} layers read, {} from the cache",
        result.stats.layers_read,
        result.stats.layers_cached
    );
    let render = settings::render_config(None, None);
    let text = report::render_sbom(args.format, &result.target, &result.inventory, &render)
        .context("could not render the SBOM")?;
    match &args.output {
        Some(path) => report::write_atomic(path, &text)
            .with_context(|| format!("could not write the SBOM to `{}`", path.display()))?,
        None => report::write_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
