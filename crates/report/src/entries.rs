//! One flat list of what a scan found, for the CI formats (SARIF, JUnit,
//! TeamCity, Markdown, ASFF): each entry has a rule, a severity, the file and
//! layer that proved it, the fix, and whether it failed the gate. The
//! renderers differ in syntax only; what an entry says is decided here once.

use std::collections::BTreeSet;

use portcullis_assess::go_symbols::{CodeDetermination, CodeState};
use portcullis_assess::score;
use portcullis_assess::suppress::Suppression;
use portcullis_assess::{AssessedCheck, AssessedFinding};
use portcullis_checks::{Rule, RuleKind};
use portcullis_model::{Severity, VulnId};
use portcullis_policy::Verdict;
use portcullis_scan::Report;
use portcullis_source::DockerfileStep;

/// What kind of rule an entry breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntryKind {
    Vulnerability,
    Hygiene,
    Secret,
}

impl EntryKind {
    pub(super) fn name(self) -> &'static str {
        match self {
            EntryKind::Vulnerability => "vulnerability",
            EntryKind::Hygiene => "hygiene",
            EntryKind::Secret => "secret",
        }
    }
}

/// The package an entry is about.
#[derive(Debug, Clone)]
pub(super) struct EntryPackage<'a> {
    pub(super) name: &'a str,
    pub(super) version: &'a str,
    pub(super) ecosystem: Option<String>,
    pub(super) purl: String,
    /// The purl without its version: the same package across upgrades.
    pub(super) versionless_purl: String,
}

/// Where an entry was proved.
#[derive(Debug, Clone)]
pub(super) struct EntryLocation<'a> {
    /// Path inside the target, without the leading `/`; never empty.
    pub(super) path: String,
    /// The layer's diff_id, or `rootfs`.
    pub(super) layer_label: String,
    /// The history step that made the layer.
    pub(super) created_by: Option<&'a str>,
    /// The Dockerfile instruction that made the layer (`--dockerfile`).
    pub(super) dockerfile: Option<DockerfileStep>,
}

/// One thing a scan found.
#[derive(Debug, Clone)]
pub(super) struct Entry<'a> {
    pub(super) kind: EntryKind,
    /// Vulnerability id or check id.
    pub(super) rule_id: &'a str,
    pub(super) aliases: &'a [VulnId],
    /// One line.
    pub(super) title: String,
    pub(super) severity: Severity,
    /// The CVSS base score rated by, when known.
    pub(super) score: Option<f64>,
    /// Every CVSS vector of the finding.
    pub(super) cvss: &'a [score::CvssScore],
    pub(super) risk: u8,
    /// Known to be exploited (CISA KEV, or SSVC `Exploitation: active`).
    pub(super) kev: bool,
    /// Where a vulnerability's severity came from (none for checks).
    pub(super) severity_source: Option<score::SeveritySource>,
    /// The CVSS vector the finding is rated by.
    pub(super) vector: Option<&'a str>,
    pub(super) package: Option<EntryPackage<'a>>,
    pub(super) fixed_versions: &'a [String],
    /// The nearest fixed version above the installed one.
    pub(super) nearest_fix: Option<&'a str>,
    /// What to do, one sentence.
    pub(super) fix: String,
    pub(super) location: EntryLocation<'a>,
    pub(super) help_uri: Option<String>,
    pub(super) suppressed: Option<&'a Suppression>,
    /// Go: whether the advisory's vulnerable functions are linked in.
    pub(super) code: Option<&'a CodeDetermination>,
    /// Named by a policy that failed the target.
    pub(super) failed_gate: bool,
    /// What a check found, said by the check (secrets redacted).
    pub(super) detail: Option<&'a str>,
    /// The check's rule, for checks.
    pub(super) check: Option<&'static Rule>,
    /// `base` or `own`, for a finding when the scan knows the base image.
    pub(super) origin: Option<&'static str>,
}

impl Entry<'_> {
    /// Not suppressed, and the vulnerable code is determined not present:
    /// reported, not counted by the built-in policies.
    pub(super) fn code_not_present(&self) -> bool {
        self.suppressed.is_none() && self.code.is_some_and(|c| c.state == CodeState::NotPresent)
    }

    /// "smallvec 0.6.9 (crates.io)" or the rule title.
    pub(super) fn subject(&self) -> String {
        match &self.package {
            Some(p) => format!("{} {}", p.name, p.version),
            None => self.title.clone(),
        }
    }

    /// A one-line message for CI annotations.
    pub(super) fn message(&self) -> String {
        let mut text = match (&self.package, self.detail) {
            (_, Some(detail)) => format!("{} ({}): {detail}", self.title, self.severity.name()),
            (Some(p), None) => format!(
                "{} {} is affected by {} ({})",
                p.name,
                p.version,
                self.rule_id,
                self.severity.name()
            ),
            (None, None) => format!("{} ({})", self.title, self.severity.name()),
        };
        if self.kev {
            text.push_str(", known exploited");
        }
        text.push_str(&format!(
            "; {}. Found in /{} (layer {})",
            self.fix.trim_end_matches('.'),
            self.location.path,
            short_layer(&self.location.layer_label)
        ));
        if let Some(step) = &self.location.dockerfile {
            text.push_str(&format!(", {}:{}", step.path, step.line));
        }
        text.push('.');
        text
    }

    /// The fingerprint key: stable across upgrades of the package and
    /// rebuilds of the image, different across images and platforms.
    pub(super) fn fingerprint(&self, target: &TargetKey) -> String {
        let subject = self
            .package
            .as_ref()
            .map_or(self.location.path.as_str(), |p| p.versionless_purl.as_str());
        let seed = format!(
            "{}\n{}\n{}\n{}",
            target.repository, target.platform, subject, self.rule_id
        );
        portcullis_model::Digest::sha256_of(seed.as_bytes()).hex()[..32].to_owned()
    }
}

/// The first 12 hex digits of a diff_id, as `docker history` shows them.
pub(super) fn short_layer(label: &str) -> &str {
    let hex = label.strip_prefix("sha256:").unwrap_or(label);
    hex.get(..12).unwrap_or(hex)
}

/// What identifies the scanned image across rebuilds.
#[derive(Debug, Clone)]
pub(super) struct TargetKey {
    /// The repository without tag or digest, or the file name of an archive.
    pub(super) repository: String,
    /// `linux/amd64`, or `any`.
    pub(super) platform: String,
}

impl TargetKey {
    pub(super) fn of(report: &Report) -> TargetKey {
        let target = &report.target;
        TargetKey {
            repository: repository_of(&target.reference),
            platform: target
                .platform
                .as_ref()
                .map_or_else(|| "any".to_owned(), ToString::to_string),
        }
    }

    /// `portcullis/REPOSITORY/PLATFORM/`: a code-scanning category per image and platform.
    pub(super) fn category(&self) -> String {
        let clean = |text: &str| -> String {
            text.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        };
        format!(
            "portcullis/{}/{}/",
            clean(&self.repository),
            clean(&self.platform)
        )
    }
}

/// `registry.example/team/app:1.2@sha256:…` → `registry.example/team/app`;
/// `/builds/app.oci.tar` → `app.oci.tar`.
fn repository_of(reference: &str) -> String {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let path_like = without_digest.starts_with('/')
        || without_digest.starts_with('.')
        || without_digest.contains(":/");
    if path_like || std::path::Path::new(without_digest).exists() {
        let file = without_digest
            .rsplit_once(':')
            .filter(|(kind, _)| !kind.contains('/'))
            .map_or(without_digest, |(_, rest)| rest);
        return file
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .to_owned();
    }
    // A tag follows the last `:` after the last `/` (a registry port does not).
    match without_digest.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo.to_owned(),
        _ => without_digest.to_owned(),
    }
}

/// Counts of unsuppressed entries per severity, most severe first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(super) struct Counts {
    pub(super) critical: usize,
    pub(super) high: usize,
    pub(super) medium: usize,
    pub(super) low: usize,
    pub(super) unknown: usize,
    pub(super) suppressed: usize,
    /// Go findings whose vulnerable code is not linked in (not suppressed).
    #[serde(rename = "notPresent", skip_serializing_if = "is_zero")]
    pub(super) not_present: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Counts {
    pub(super) fn of(entries: &[Entry<'_>]) -> Counts {
        let mut counts = Counts::default();
        for entry in entries {
            counts.add(
                entry.severity,
                entry.suppressed.is_some(),
                entry.code_not_present(),
            );
        }
        counts
    }

    /// Counts one finding.
    pub(super) fn add(&mut self, severity: Severity, suppressed: bool, not_present: bool) {
        let slot = match (suppressed, severity) {
            (true, _) => &mut self.suppressed,
            (false, _) if not_present => &mut self.not_present,
            (false, Severity::Critical) => &mut self.critical,
            (false, Severity::High) => &mut self.high,
            (false, Severity::Medium) => &mut self.medium,
            (false, Severity::Low) => &mut self.low,
            (false, Severity::Unknown) => &mut self.unknown,
        };
        *slot += 1;
    }

    /// `(severity name, count)`, most severe first.
    pub(super) fn by_severity(&self) -> [(&'static str, usize); 5] {
        [
            ("critical", self.critical),
            ("high", self.high),
            ("medium", self.medium),
            ("low", self.low),
            ("unknown", self.unknown),
        ]
    }

    pub(super) fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.unknown
    }
}

/// The ids a failing policy named.
fn failing_ids(report: &Report) -> BTreeSet<&str> {
    report
        .decisions
        .iter()
        .filter(|d| matches!(d.verdict, Verdict::Fail | Verdict::Error))
        .flat_map(|d| &d.violations)
        .flat_map(|v| &v.findings)
        .map(String::as_str)
        .collect()
}

/// What to do: upgrade to the nearest fixed version above the installed one.
fn fix_text(name: &str, version: &str, finding: &portcullis_match::Finding) -> String {
    match (&finding.nearest_fix, finding.fixed_versions.as_slice()) {
        (Some(nearest), _) => format!("Upgrade {name} from {version} to {nearest} or later"),
        (None, []) => format!("No fixed version of {name} is known yet"),
        (None, fixed) => format!(
            "No fixed version of {name} above {version} is known (fixed in {})",
            fixed.join(", ")
        ),
    }
}

/// Every finding and check of `report` as an entry, most severe first (then
/// highest risk, then id).
pub(super) fn entries(report: &Report) -> Vec<Entry<'_>> {
    let failing = failing_ids(report);
    let mut entries: Vec<Entry<'_>> = report
        .findings
        .iter()
        .map(|assessed| finding_entry(report, assessed, &failing))
        .collect();
    let config_file = report
        .layer_steps
        .iter()
        .flatten()
        .next()
        .map_or_else(|| "Dockerfile".to_owned(), |step| step.path.clone());
    entries.extend(
        report
            .checks
            .iter()
            .map(|assessed| check_entry(report, assessed, &config_file, &failing)),
    );
    entries.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.risk.cmp(&a.risk))
            .then(a.rule_id.cmp(b.rule_id))
            .then_with(|| a.subject().cmp(&b.subject()))
    });
    entries
}

/// Where a layer came from: its label, its history step and its Dockerfile line.
fn located<'a>(report: &'a Report, path: String, layer: Option<usize>) -> EntryLocation<'a> {
    EntryLocation {
        path,
        layer_label: report.target.layer_label(layer),
        created_by: report.target.layer_command(layer),
        dockerfile: layer.and_then(|i| report.dockerfile_step(i)).cloned(),
    }
}

fn finding_entry<'a>(
    report: &'a Report,
    assessed: &'a AssessedFinding,
    failing: &BTreeSet<&str>,
) -> Entry<'a> {
    let finding = &assessed.finding;
    let score = &assessed.score;
    let package = report.package_of(assessed);
    let proof = package.locations.first();
    let path = proof
        .map(|l| l.outer_path().trim_start_matches('/'))
        .filter(|p| !p.is_empty())
        .unwrap_or(".")
        .to_owned();
    let summary = finding.advisories.iter().find_map(|a| a.summary.as_deref());
    Entry {
        kind: EntryKind::Vulnerability,
        rule_id: finding.id.as_str(),
        aliases: &finding.aliases,
        title: summary.map_or_else(
            || format!("{} in {}", finding.id, package.name),
            |s| s.trim().to_owned(),
        ),
        severity: score.severity,
        score: score.preferred_cvss(),
        cvss: &score.cvss,
        risk: score.risk,
        kev: score.known_exploited(),
        severity_source: Some(score.severity_source),
        vector: score.rated_by.as_ref().map(|c| c.vector.as_str()),
        package: Some(EntryPackage {
            name: &package.name,
            version: &package.version,
            ecosystem: package.ecosystem.as_ref().map(ToString::to_string),
            purl: package.purl.to_string(),
            versionless_purl: versionless(&package.purl),
        }),
        fixed_versions: &finding.fixed_versions,
        nearest_fix: finding.nearest_fix.as_deref(),
        fix: fix_text(&package.name, &package.version, finding),
        location: located(report, path, proof.and_then(|l| l.layer)),
        help_uri: Some(format!("https://osv.dev/vulnerability/{}", finding.id)),
        suppressed: assessed.suppression.as_ref(),
        code: assessed.code.as_ref(),
        failed_gate: !assessed.is_suppressed() && failing.contains(finding.id.as_str()),
        detail: None,
        check: None,
        origin: assessed.origin.map(|o| o.name()),
    }
}

fn check_entry<'a>(
    report: &'a Report,
    assessed: &'a AssessedCheck,
    config_file: &str,
    failing: &BTreeSet<&str>,
) -> Entry<'a> {
    let check = &assessed.check;
    let path = check
        .path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| config_file.to_owned());
    Entry {
        kind: match check.rule.kind {
            RuleKind::Hygiene => EntryKind::Hygiene,
            RuleKind::Secret => EntryKind::Secret,
        },
        rule_id: check.rule.id,
        aliases: &[],
        title: check.rule.title.to_owned(),
        severity: check.severity(),
        score: None,
        cvss: &[],
        risk: 0,
        kev: false,
        severity_source: None,
        vector: None,
        package: None,
        fixed_versions: &[],
        nearest_fix: None,
        fix: check.rule.fix.trim_end_matches('.').to_owned(),
        location: located(report, path, check.layer),
        help_uri: None,
        suppressed: None,
        code: None,
        failed_gate: failing.contains(check.rule.id),
        detail: Some(&check.message),
        check: Some(check.rule),
        origin: None,
    }
}

fn versionless(purl: &portcullis_model::Purl) -> String {
    let mut text = String::from("pkg:");
    text.push_str(purl.kind());
    text.push('/');
    if let Some(namespace) = purl.namespace() {
        text.push_str(namespace);
        text.push('/');
    }
    text.push_str(purl.name());
    if let Some(distro) = purl.qualifier("distro") {
        text.push_str("?distro=");
        text.push_str(distro);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_drops_tag_and_digest_but_not_a_port() {
        assert_eq!(
            repository_of("registry.local:5000/team/app:1.2"),
            "registry.local:5000/team/app"
        );
        assert_eq!(repository_of("team/app@sha256:abcd"), "team/app");
        assert_eq!(
            repository_of("registry.local:5000/app"),
            "registry.local:5000/app"
        );
        assert_eq!(repository_of("/builds/x/app.oci.tar"), "app.oci.tar");
        assert_eq!(repository_of("oci-dir:/builds/x/app/"), "app");
    }

    #[test]
    fn category_is_a_safe_path() {
        let key = TargetKey {
            repository: "registry.local:5000/team/app".to_owned(),
            platform: "linux/amd64".to_owned(),
        };
        assert_eq!(
            key.category(),
            "portcullis/registry.local-5000-team-app/linux-amd64/"
        );
    }

    #[test]
    fn short_layer_takes_twelve_hex_digits() {
        assert_eq!(short_layer("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_layer("rootfs"), "rootfs");
    }
}
