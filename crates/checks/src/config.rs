//! Checks of the image config and history: the user, the health check,
//! exposed ports, ENV and build arguments, ADD, and a :latest base.

use std::sync::OnceLock;

use regex::Regex;

use super::allow::AllowList;
use super::rules::{self, Rule};
use super::{secrets, CheckFinding};
use portcullis_model::Digest;
use portcullis_source::TargetKind;
use portcullis_source::TargetSummary;

fn config_finding(rule: &'static Rule, message: String) -> CheckFinding {
    CheckFinding {
        rule,
        path: None,
        layer: None,
        message,
        excerpt: None,
        line: None,
    }
}

/// `NAME=value` where the name says it holds a secret.
fn secret_assignment() -> &'static Regex {
    static REGEX: OnceLock<Regex> = OnceLock::new();
    REGEX.get_or_init(|| {
        Regex::new(r"(?i)\b([A-Z0-9_]*(?:secret|password|passwd|token|api_?key|private_?key|access_?key)[A-Z0-9_]*)=([^\s;&|]+)")
            .unwrap_or_else(|e| panic!("secret assignment pattern: {e}"))
    })
}

fn is_reference_or_empty(value: &str) -> bool {
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    value.is_empty() || value.starts_with('$') || value.len() < 4
}

/// Names (never values) of secret-looking assignments in `text`, minus allowed values.
fn secret_names(text: &str, allow: &AllowList) -> Vec<String> {
    let mut names: Vec<String> = secret_assignment()
        .captures_iter(text)
        .filter_map(|caps| {
            let name = caps.get(1)?.as_str();
            let value = caps.get(2)?.as_str();
            let hash = Digest::sha256_of(value.as_bytes()).hex().to_owned();
            (!is_reference_or_empty(value) && !allow.allows(rules::SECRET_IN_CONFIG.id, "", &hash))
                .then(|| name.to_owned())
        })
        .collect();
    if let Some(rule) = secrets::rule_for_text(text) {
        names.push(format!(
            "a value shaped like {}",
            rule.title.to_ascii_lowercase()
        ));
    }
    names
}

fn is_image(target: &TargetSummary) -> bool {
    matches!(
        target.kind,
        TargetKind::DockerArchive
            | TargetKind::OciDir
            | TargetKind::OciArchive
            | TargetKind::Registry
            | TargetKind::Docker
            | TargetKind::Podman
    )
}

/// Secrets passed in build steps, and `ADD` of a URL or an archive.
fn history_findings(target: &TargetSummary, allow: &AllowList) -> Vec<CheckFinding> {
    let mut found = Vec::new();
    for (step, created_by) in target.history.iter().enumerate() {
        for name in secret_names(created_by, allow) {
            found.push(config_finding(
                &rules::SECRET_IN_CONFIG,
                format!("history step {} passes {name} (value redacted)", step + 1),
            ));
        }
        let text = created_by.replace("#(nop) ", "");
        let words: Vec<&str> = text.split_whitespace().collect();
        let add = words
            .iter()
            .position(|w| *w == "ADD")
            .and_then(|at| words.get(at + 1..))
            .and_then(|rest| rest.iter().find(|w| !w.starts_with("--")));
        if let Some(source) = add {
            let remote = source.starts_with("http://") || source.starts_with("https://");
            let archive = [".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst"]
                .iter()
                .any(|s| source.ends_with(s));
            if remote || archive {
                found.push(config_finding(
                    &rules::ADD_INSTEAD_OF_COPY,
                    format!(
                        "history step {} ADDs {}",
                        step + 1,
                        if remote { "a remote URL" } else { "an archive" }
                    ),
                ));
            }
        }
    }
    found
}

/// The config checks.
pub(super) fn check(target: &TargetSummary, allow: &AllowList) -> Vec<CheckFinding> {
    if !is_image(target) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let user = target
        .user
        .as_deref()
        .map(|u| u.split(':').next().unwrap_or(u).trim());
    if matches!(user, None | Some("" | "0" | "root")) {
        found.push(config_finding(
            &rules::ROOT_USER,
            format!(
                "the image runs as {} (no USER, or USER 0/root)",
                user.filter(|u| !u.is_empty()).unwrap_or("root")
            ),
        ));
    }
    let healthy = target
        .healthcheck
        .as_ref()
        .is_some_and(|test| test.first().is_some_and(|t| t != "NONE"));
    if !healthy {
        found.push(config_finding(
            &rules::NO_HEALTHCHECK,
            "the image config has no HEALTHCHECK".to_owned(),
        ));
    }
    if target
        .exposed_ports
        .iter()
        .any(|p| p == "22" || p.starts_with("22/"))
    {
        found.push(config_finding(
            &rules::PORT_22,
            "the image exposes port 22".to_owned(),
        ));
    }
    for entry in &target.env {
        for name in secret_names(entry, allow) {
            found.push(config_finding(
                &rules::SECRET_IN_CONFIG,
                format!("ENV sets {name} (value redacted)"),
            ));
        }
    }
    found.extend(history_findings(target, allow));
    let base = target
        .labels
        .iter()
        .find(|(k, _)| k == "org.opencontainers.image.base.name")
        .map(|(_, v)| v.as_str());
    if let Some(base) = base {
        let name = base.rsplit('/').next().unwrap_or(base);
        if !base.contains('@') && (name.ends_with(":latest") || !name.contains(':')) {
            found.push(config_finding(
                &rules::LATEST_BASE,
                format!("the base image is `{base}`"),
            ));
        }
    }
    found
}
