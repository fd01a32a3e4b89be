//! Render results into each output format, one file per format. Renderers
//! build their own wire types from engine values and never filter them.

mod asff;
mod cyclonedx;
mod cyclonedx_vex;
mod db_status;
mod entries;
mod json;
mod junit;
mod markdown;
mod output;
mod sarif;
mod spdx;
mod table;
mod teamcity;

pub(crate) use db_status::{db_build_summary, db_lookup, db_record, db_status};
pub(crate) use output::{creation_time, write_atomic, write_stdout};

pub(crate) use markdown::MARKER_PREFIX;
pub(crate) use teamcity::error_problem as teamcity_error_problem;

use crate::scan::ScanInventory;
use crate::source::DockerfileStep;

/// SBOM formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.6 JSON
    Cyclonedx,
    /// SPDX 2.3 JSON
    Spdx,
}

/// Formats of a scan report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// Findings grouped by severity, for people
    Table,
    /// The versioned JSON report (docs/report-schema.md)
    Json,
    /// CycloneDX 1.6 SBOM of the scanned target
    Cyclonedx,
    /// SPDX 2.3 SBOM of the scanned target
    Spdx,
    /// SARIF 2.1.0 for code scanning (GitHub, Jenkins Warnings NG)
    Sarif,
    /// JUnit XML: a test case per finding and per policy violation
    Junit,
    /// TeamCity service messages
    Teamcity,
    /// A Markdown summary for `$GITHUB_STEP_SUMMARY` and PR comments
    Markdown,
    /// CycloneDX 1.6 SBOM with the findings as vulnerabilities (VEX)
    CyclonedxVex,
    /// AWS Security Finding Format, as Security Hub's BatchImportFindings takes it
    Asff,
}

impl std::str::FromStr for ReportFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        <ReportFormat as clap::ValueEnum>::from_str(text, true)
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RenderError {
    #[error("could not serialise the report")]
    Json(#[from] serde_json::Error),
    #[error("could not write the XML report")]
    Xml(#[from] std::io::Error),
}

/// Renders a scan report; `colour` only affects the table.
pub(crate) fn render_report(
    format: ReportFormat,
    report: &crate::scan::Report,
    config: &RenderConfig,
    colour: bool,
) -> Result<String, RenderError> {
    let mut text = match format {
        ReportFormat::Table => return Ok(table::render(report, colour)),
        ReportFormat::Json => serde_json::to_string_pretty(&json::document(report))?,
        ReportFormat::Cyclonedx => {
            return Ok(render_sbom(SbomFormat::Cyclonedx, &report.scan, config)?)
        }
        ReportFormat::Spdx => return Ok(render_sbom(SbomFormat::Spdx, &report.scan, config)?),
        ReportFormat::Sarif => return Ok(sarif::render(report, config)?),
        ReportFormat::Junit => return Ok(junit::render(report, config)?),
        ReportFormat::Teamcity => return Ok(teamcity::render(report, config)),
        ReportFormat::Markdown => return Ok(markdown::render(report, config)),
        ReportFormat::CyclonedxVex => {
            serde_json::to_string_pretty(&cyclonedx_vex::document(report, config))?
        }
        ReportFormat::Asff => serde_json::to_string_pretty(&asff::document(report, config))?,
    };
    text.push('\n');
    Ok(text)
}

/// Settings a renderer needs that do not come from the scan.
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderConfig {
    /// Document creation time, RFC 3339 (from `SOURCE_DATE_EPOCH` when set).
    pub(crate) created: String,
    /// The Dockerfile instruction that made each layer (`--dockerfile`).
    pub(crate) dockerfile: Vec<Option<DockerfileStep>>,
    /// Where ASFF findings are filed.
    pub(crate) aws: AwsTarget,
}

impl RenderConfig {
    /// The Dockerfile step that made layer `index`, when known.
    pub(crate) fn dockerfile_line(&self, index: usize) -> Option<DockerfileStep> {
        self.dockerfile.get(index).cloned().flatten()
    }
}

/// The AWS account and region ASFF findings name.
#[derive(Debug, Clone)]
pub(crate) struct AwsTarget {
    pub(crate) account: String,
    pub(crate) region: String,
}

impl Default for AwsTarget {
    fn default() -> Self {
        AwsTarget {
            account: "000000000000".to_owned(),
            region: "us-east-1".to_owned(),
        }
    }
}

/// Renders an SBOM as pretty JSON, newline-terminated.
pub(crate) fn render_sbom(
    format: SbomFormat,
    scan: &ScanInventory,
    config: &RenderConfig,
) -> Result<String, serde_json::Error> {
    let mut text = match format {
        SbomFormat::Cyclonedx => serde_json::to_string_pretty(&cyclonedx::document(scan))?,
        SbomFormat::Spdx => serde_json::to_string_pretty(&spdx::document(scan, config))?,
    };
    text.push('\n');
    Ok(text)
}

/// A name-based UUID (version 5 layout, sha256 of `seed`), so the same
/// inventory gives the same document id.
fn uuid_from(seed: &str) -> String {
    let digest = crate::model::Digest::sha256_of(seed.as_bytes());
    let hex = digest.hex();
    let variant = match hex.as_bytes().get(16) {
        Some(b'0'..=b'3') => '8',
        Some(b'4'..=b'7') => '9',
        Some(b'8' | b'9' | b'a' | b'b') => 'a',
        _ => 'b',
    };
    format!(
        "{}-{}-5{}-{variant}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}
