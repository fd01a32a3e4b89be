//! Render results into each output format, one file per format. Renderers
//! build their own wire types from engine values and never filter them.

mod asff;
mod cyclonedx;
mod cyclonedx_vex;
mod db_status;
mod entries;
mod format;
mod json;
mod json_base;
mod junit;
mod markdown;
mod openvex;
mod output;
mod sarif;
mod spdx;
mod table;
mod table_base;
mod teamcity;

pub use db_status::{db_build_summary, db_lookup, db_record_notes, db_status};
pub use output::{creation_time, write_atomic, write_atomic_with, write_stdout};

pub use markdown::MARKER_PREFIX;
pub use teamcity::error_problem as teamcity_error_problem;

pub use format::{ReportFormat, SbomFormat, UnknownFormat};

use portcullis_catalog::Inventory;
use portcullis_source::TargetSummary;

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not serialise the report")]
    Json(#[from] serde_json::Error),
    #[error("could not write the XML report")]
    Xml(#[from] std::io::Error),
    #[error("could not write `{path}`")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Renders a scan report into `path`, atomically; the JSON report (the
/// biggest: 62 MB for 110,000 packages) streams into the file.
pub fn write_report(
    format: ReportFormat,
    report: &portcullis_scan::Report,
    config: &RenderConfig,
    path: &std::path::Path,
) -> Result<(), RenderError> {
    let written = match format {
        ReportFormat::Json => output::write_atomic_with(path, |out| {
            serde_json::to_writer_pretty(&mut *out, &json::document(report))?;
            out.write_all(b"\n")
        }),
        ReportFormat::Cyclonedx | ReportFormat::Spdx => output::write_atomic_with(path, |out| {
            let sbom = if format == ReportFormat::Spdx {
                SbomFormat::Spdx
            } else {
                SbomFormat::Cyclonedx
            };
            write_sbom(sbom, &report.target, &report.inventory, config, out)
        }),
        _ => output::write_atomic(path, &render_report(format, report, config, false)?),
    };
    written.map_err(|source| RenderError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// Renders a scan report; `colour` only affects the table.
pub fn render_report(
    format: ReportFormat,
    report: &portcullis_scan::Report,
    config: &RenderConfig,
    colour: bool,
) -> Result<String, RenderError> {
    let sbom = |format| render_sbom(format, &report.target, &report.inventory, config);
    let mut text = match format {
        ReportFormat::Table => return Ok(table::render(report, &config.table, colour)),
        ReportFormat::Json => serde_json::to_string_pretty(&json::document(report))?,
        ReportFormat::Cyclonedx => return Ok(sbom(SbomFormat::Cyclonedx)?),
        ReportFormat::Spdx => return Ok(sbom(SbomFormat::Spdx)?),
        ReportFormat::Sarif => return Ok(sarif::render(report, config)?),
        ReportFormat::Junit => return Ok(junit::render(report, config)?),
        ReportFormat::Teamcity => return Ok(teamcity::render(report)),
        ReportFormat::Markdown => return Ok(markdown::render(report)),
        ReportFormat::CyclonedxVex => {
            serde_json::to_string_pretty(&cyclonedx_vex::document(report))?
        }
        ReportFormat::Openvex => serde_json::to_string_pretty(&openvex::document(report, config))?,
        ReportFormat::Asff => serde_json::to_string_pretty(&asff::document(report, config))?,
    };
    text.push('\n');
    Ok(text)
}

/// Settings a renderer needs that do not come from the scan.
#[derive(Debug, Clone, Default)]
pub struct RenderConfig {
    /// Document creation time, RFC 3339 (from `SOURCE_DATE_EPOCH` when set).
    pub created: String,
    /// Where ASFF findings are filed.
    pub aws: AwsTarget,
    /// What the table shows (the other formats show everything).
    pub table: TableView,
}

/// The table's view filters (`--severity`, `--ignore-unfixed`): they hide
/// rows, never change the verdict, and the table says what it hid.
#[derive(Debug, Clone, Default)]
pub struct TableView {
    /// Only these severities, when set.
    pub severities: Option<Vec<portcullis_model::Severity>>,
    /// Hide findings with no fixed version.
    pub ignore_unfixed: bool,
    /// The columns the table may use (a terminal's width); `None`: every column.
    pub width: Option<usize>,
}

impl TableView {
    /// Whether the table shows a finding of `severity`, fixable or not.
    pub fn shows(&self, severity: portcullis_model::Severity, fixable: bool) -> bool {
        self.severities
            .as_ref()
            .is_none_or(|wanted| wanted.contains(&severity))
            && (fixable || !self.ignore_unfixed)
    }

    fn is_filtering(&self) -> bool {
        self.severities.is_some() || self.ignore_unfixed
    }

    /// The filters, as flags: `--severity critical,high --ignore-unfixed`.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(severities) = &self.severities {
            let names: Vec<&str> = severities.iter().map(|s| s.name()).collect();
            parts.push(format!("--severity {}", names.join(",")));
        }
        if self.ignore_unfixed {
            parts.push("--ignore-unfixed".to_owned());
        }
        parts.join(" ")
    }
}

/// The AWS account and region ASFF findings name.
#[derive(Debug, Clone)]
pub struct AwsTarget {
    pub account: String,
    pub region: String,
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
pub fn render_sbom(
    format: SbomFormat,
    target: &TargetSummary,
    inventory: &Inventory,
    config: &RenderConfig,
) -> Result<String, serde_json::Error> {
    let mut bytes = Vec::new();
    write_sbom(format, target, inventory, config, &mut bytes).map_err(serde_json::Error::io)?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Writes an SBOM as pretty JSON, newline-terminated, into `out` as it is
/// made (119 MB for 110,000 packages: never held whole).
pub fn write_sbom(
    format: SbomFormat,
    target: &TargetSummary,
    inventory: &Inventory,
    config: &RenderConfig,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        SbomFormat::Cyclonedx => {
            serde_json::to_writer_pretty(&mut *out, &cyclonedx::document(target, inventory))?;
        }
        SbomFormat::Spdx => {
            serde_json::to_writer_pretty(&mut *out, &spdx::document(target, inventory, config))?;
        }
    }
    out.write_all(b"\n")
}

/// A name-based UUID (version 5 layout, sha256 of `seed`), so the same
/// inventory gives the same document id.
fn uuid_from(seed: &str) -> String {
    let digest = portcullis_model::Digest::sha256_of(seed.as_bytes());
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
