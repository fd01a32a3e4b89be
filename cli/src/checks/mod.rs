//! Image hygiene (CIS Docker Benchmark §4, Dockle's CIS-DI/DKL-DI ids) and
//! secrets in layers, found in the same single pass over the layers as the
//! packages: the layer walker hands every regular file to [`inspector`],
//! which notes modes and secret hits; the checks here then read those notes,
//! the image config, its history and the package inventory.
//!
//! Each rule has an id, a title, a severity, a rationale and a fix; findings
//! name the rule, the path and layer, and a redacted excerpt, never a secret.

mod allow;
mod config;
mod files;
mod rules;
mod secrets;

use crate::catalog::Package;
use crate::layer::{Inspector, View};
use crate::model::Severity;
use crate::scan::TargetSummary;

pub(crate) use allow::{AllowList, AllowListError};
pub(crate) use rules::{Rule, RuleKind};

/// The most bytes of one file the secret rules read (1 MiB); larger files are
/// data, not configuration.
const MAX_SCANNED_BYTES: u64 = 1 << 20;

/// The inspector the layer walker runs on every regular file.
pub(crate) fn inspector() -> Inspector {
    Inspector {
        version: secrets::RULES_VERSION,
        max_bytes: MAX_SCANNED_BYTES,
        notable: files::is_notable,
        scan: secrets::scan,
    }
}

/// One check that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckFinding {
    pub(crate) rule: &'static Rule,
    /// The file it is about, relative to the root; `None` for config checks.
    pub(crate) path: Option<String>,
    pub(crate) layer: Option<usize>,
    /// What was found, for people; secrets are redacted.
    pub(crate) message: String,
    /// A redacted excerpt of the line that matched.
    pub(crate) excerpt: Option<String>,
    /// 1-based line in the file, when known.
    pub(crate) line: Option<u32>,
}

impl CheckFinding {
    pub(crate) fn severity(&self) -> Severity {
        self.rule.severity
    }
}

/// What the checks look at.
pub(crate) struct CheckInput<'a> {
    pub(crate) target: &'a TargetSummary,
    pub(crate) view: &'a View,
    pub(crate) packages: &'a [Package],
    pub(crate) allow: &'a AllowList,
}

/// Runs every check; findings sorted by severity (most severe first), then rule and path.
pub(crate) fn run(input: &CheckInput<'_>) -> Vec<CheckFinding> {
    let mut found = config::check(input.target, input.allow);
    found.extend(files::check(input.view, input.packages));
    found.extend(secrets::findings(input.view, input.target, input.allow));
    found.sort_by(|a, b| {
        b.rule
            .severity
            .cmp(&a.rule.severity)
            .then(a.rule.id.cmp(b.rule.id))
            .then(a.path.cmp(&b.path))
            .then(a.layer.cmp(&b.layer))
    });
    found
}
