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
mod inspector;
mod rules;
mod secrets;

use portcullis_catalog::Package;
use portcullis_layer::View;
use portcullis_model::Severity;
use portcullis_source::TargetSummary;

pub use allow::{AllowList, AllowListError};
pub use inspector::ChecksInspector;
pub use rules::{Rule, RuleKind};

/// One check that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinding {
    pub rule: &'static Rule,
    /// The file it is about, relative to the root; `None` for config checks.
    pub path: Option<String>,
    pub layer: Option<usize>,
    /// What was found, for people; secrets are redacted.
    pub message: String,
    /// A redacted excerpt of the line that matched.
    pub excerpt: Option<String>,
    /// 1-based line in the file, when known.
    pub line: Option<u32>,
}

impl CheckFinding {
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

/// What the checks look at.
pub struct CheckInput<'a> {
    pub target: &'a TargetSummary,
    pub view: &'a View,
    pub packages: &'a [Package],
    pub allow: &'a AllowList,
}

/// Runs every check; findings sorted by severity (most severe first), then rule and path.
pub fn run(input: &CheckInput<'_>) -> Vec<CheckFinding> {
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
