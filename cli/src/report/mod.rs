//! Render results into each output format, one file per format. Renderers
//! build their own wire types from engine values and never filter them.

mod cyclonedx;
mod db_status;
mod output;
mod spdx;

pub(crate) use db_status::{db_build_summary, db_lookup, db_record, db_status};
pub(crate) use output::{creation_time, write_atomic, write_stdout};

use crate::scan::ScanInventory;

/// SBOM formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.6 JSON
    Cyclonedx,
    /// SPDX 2.3 JSON
    Spdx,
}

/// Settings a renderer needs that do not come from the scan.
#[derive(Debug, Clone)]
pub(crate) struct RenderConfig {
    /// Document creation time, RFC 3339 (from `SOURCE_DATE_EPOCH` when set).
    pub(crate) created: String,
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
