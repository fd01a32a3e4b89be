//! Value parsers for the format flags: the engine's format names, each with
//! its description in `--help`.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use portcullis_engine::report::{ReportFormat, SbomFormat};

pub(crate) fn report_format() -> impl TypedValueParser<Value = ReportFormat> {
    PossibleValuesParser::new(
        ReportFormat::ALL
            .map(|format| PossibleValue::new(format.name()).help(format.description())),
    )
    // Only the names above get here, and each parses.
    .map(|name| name.parse().unwrap_or(ReportFormat::Table))
}

pub(crate) fn sbom_format() -> impl TypedValueParser<Value = SbomFormat> {
    PossibleValuesParser::new(
        SbomFormat::ALL.map(|format| PossibleValue::new(format.name()).help(format.description())),
    )
    .map(|name| name.parse().unwrap_or(SbomFormat::Cyclonedx))
}
