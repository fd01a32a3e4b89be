//! `portcullis sbom` flags.

use std::path::PathBuf;

use clap::Args;

use super::format::sbom_format;
use super::target::TargetArgs;
use portcullis_engine::report::SbomFormat;

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    /// SBOM format.
    #[arg(long, short, value_parser = sbom_format(), default_value = "cyclonedx")]
    pub(crate) format: SbomFormat,
    /// Write the SBOM to this file (atomically) instead of stdout.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
}
