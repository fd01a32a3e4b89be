//! The output formats, by the names `--format` and `--output FORMAT=FILE` take.

use std::fmt;
use std::str::FromStr;

/// SBOM formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    Cyclonedx,
    Spdx,
}

impl SbomFormat {
    pub const ALL: [SbomFormat; 2] = [SbomFormat::Cyclonedx, SbomFormat::Spdx];

    pub fn name(self) -> &'static str {
        match self {
            SbomFormat::Cyclonedx => "cyclonedx",
            SbomFormat::Spdx => "spdx",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            SbomFormat::Cyclonedx => "CycloneDX 1.6 JSON",
            SbomFormat::Spdx => "SPDX 2.3 JSON",
        }
    }
}

/// Formats of a scan report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    Cyclonedx,
    Spdx,
    Sarif,
    Junit,
    Teamcity,
    Markdown,
    CyclonedxVex,
    Openvex,
    Asff,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 11] = [
        ReportFormat::Table,
        ReportFormat::Json,
        ReportFormat::Cyclonedx,
        ReportFormat::Spdx,
        ReportFormat::Sarif,
        ReportFormat::Junit,
        ReportFormat::Teamcity,
        ReportFormat::Markdown,
        ReportFormat::CyclonedxVex,
        ReportFormat::Openvex,
        ReportFormat::Asff,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Table => "table",
            ReportFormat::Json => "json",
            ReportFormat::Cyclonedx => "cyclonedx",
            ReportFormat::Spdx => "spdx",
            ReportFormat::Sarif => "sarif",
            ReportFormat::Junit => "junit",
            ReportFormat::Teamcity => "teamcity",
            ReportFormat::Markdown => "markdown",
            ReportFormat::CyclonedxVex => "cyclonedx-vex",
            ReportFormat::Openvex => "openvex",
            ReportFormat::Asff => "asff",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ReportFormat::Table => "Findings grouped by severity, for people",
            ReportFormat::Json => "The versioned JSON report (docs/report-schema.md)",
            ReportFormat::Cyclonedx => "CycloneDX 1.6 SBOM of the scanned target",
            ReportFormat::Spdx => "SPDX 2.3 SBOM of the scanned target",
            ReportFormat::Sarif => "SARIF 2.1.0 for code scanning (GitHub, Jenkins Warnings NG)",
            ReportFormat::Junit => "JUnit XML: a test case per finding and per policy violation",
            ReportFormat::Teamcity => "TeamCity service messages",
            ReportFormat::Markdown => {
                "A Markdown summary for `$GITHUB_STEP_SUMMARY` and PR comments"
            }
            ReportFormat::CyclonedxVex => {
                "CycloneDX 1.6 SBOM with the findings as vulnerabilities (VEX)"
            }
            ReportFormat::Openvex => {
                "OpenVEX 0.2.0: each suppressed or not-affected finding, with its justification"
            }
            ReportFormat::Asff => {
                "AWS Security Finding Format, as Security Hub's BatchImportFindings takes it"
            }
        }
    }
}

/// A format name that is none of the known ones.
#[derive(Debug, thiserror::Error)]
#[error("`{name}` is not a format; expected one of: {expected}")]
pub struct UnknownFormat {
    name: String,
    expected: String,
}

fn unknown(name: &str, names: impl Iterator<Item = &'static str>) -> UnknownFormat {
    UnknownFormat {
        name: name.to_owned(),
        expected: names.collect::<Vec<_>>().join(", "),
    }
}

impl FromStr for ReportFormat {
    type Err = UnknownFormat;

    /// Case-insensitive; `_` may stand for `-`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.to_ascii_lowercase().replace('_', "-");
        ReportFormat::ALL
            .into_iter()
            .find(|format| format.name() == wanted)
            .ok_or_else(|| unknown(text, ReportFormat::ALL.into_iter().map(ReportFormat::name)))
    }
}

impl FromStr for SbomFormat {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.to_ascii_lowercase();
        SbomFormat::ALL
            .into_iter()
            .find(|format| format.name() == wanted)
            .ok_or_else(|| unknown(text, SbomFormat::ALL.into_iter().map(SbomFormat::name)))
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
