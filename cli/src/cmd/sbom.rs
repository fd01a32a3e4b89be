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
    let write = |out: &mut dyn std::io::Write| {
        report::write_sbom(args.format, &result.target, &result.inventory, &render, out)
    };
    match &args.output {
        Some(path) => report::write_atomic_with(path, write)
            .with_context(|| format!("could not write the SBOM to `{}`", path.display()))?,
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            // A closed pipe (`| head`) is an error `main` ignores, as before.
            write(&mut out).and_then(|()| std::io::Write::flush(&mut out))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
