//! Annotate findings with what suppresses them (the ignore file, OpenVEX
//! statements) and whether they are new against a baseline report. Findings
//! are never dropped: a suppressed one stays in every report with its reason.
//! Expired ignore entries stop suppressing and are reported; unused ones warn.

mod ignore;
mod vex;

pub(crate) use ignore::IgnoreEntry;
pub(crate) use vex::VexStatement;

use std::collections::BTreeSet;

use crate::catalog::Package;
use crate::checks::CheckFinding;
use crate::matcher::Finding;

/// Why suppressions could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("`{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("could not read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suppression {
    /// `ignore` or `vex`.
    pub(crate) kind: &'static str,
    pub(crate) reason: String,
    pub(crate) owner: Option<String>,
    pub(crate) expires: Option<String>,
    /// The file it came from.
    pub(crate) source: String,
}

/// The suppressions in force for one scan.
#[derive(Debug, Clone, Default)]
pub(crate) struct Suppressions {
    pub(crate) ignores: Vec<(String, IgnoreEntry)>,
    pub(crate) vex: Vec<(String, VexStatement)>,
}

/// An ignore entry that no longer applies or never did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Notice {
    Expired { source: String, entry: IgnoreEntry },
    Unused { source: String, id: String },
}

fn read(path: &str) -> Result<Vec<u8>, Error> {
    fs_err::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

impl Suppressions {
    pub(crate) fn load(
        ignore_files: &[String],
        vex_files: &[String],
    ) -> Result<Suppressions, Error> {
        let mut suppressions = Suppressions::default();
        for path in ignore_files {
            let text = String::from_utf8_lossy(&read(path)?).into_owned();
            suppressions.ignores.extend(
                ignore::parse(&text, path)?
                    .into_iter()
                    .map(|e| (path.clone(), e)),
            );
        }
        for path in vex_files {
            suppressions.vex.extend(
                vex::parse(&read(path)?, path)?
                    .into_iter()
                    .map(|s| (path.clone(), s)),
            );
        }
        Ok(suppressions)
    }
}

/// `pkg:cargo/smallvec@1.6.0?x=y` → `pkg:cargo/smallvec`.
fn versionless(purl: &str) -> &str {
    let end = purl.find(['@', '?', '#']).unwrap_or(purl.len());
    &purl[..end]
}

fn ids_of(finding: &Finding) -> BTreeSet<&str> {
    std::iter::once(finding.id.as_str())
        .chain(finding.aliases.iter().map(String::as_str))
        .collect()
}

/// What ignore entries and VEX statements are matched against: a finding
/// (its ids, its package's purl and files) or a check (its rule id and file).
#[derive(Debug, Clone)]
pub(crate) struct Subject<'a> {
    ids: BTreeSet<&'a str>,
    purl: String,
    paths: Vec<&'a str>,
}

impl<'a> Subject<'a> {
    pub(crate) fn of_finding(finding: &'a Finding, packages: &'a [Package]) -> Subject<'a> {
        let package = packages.get(finding.package);
        Subject {
            ids: ids_of(finding),
            purl: package.map(|p| p.purl.to_string()).unwrap_or_default(),
            paths: package
                .map(|p| p.locations.iter().map(|l| l.path.as_str()).collect())
                .unwrap_or_default(),
        }
    }

    pub(crate) fn of_check(check: &'a CheckFinding) -> Subject<'a> {
        Subject {
            ids: std::iter::once(check.rule.id).collect(),
            purl: String::new(),
            paths: check.path.as_deref().into_iter().collect(),
        }
    }
}

/// Annotates each subject (same order) and lists expired and unused entries.
/// `today` is `YYYY-MM-DD`.
pub(crate) fn apply(
    suppressions: &Suppressions,
    subjects: &[Subject<'_>],
    today: &str,
) -> (Vec<Option<Suppression>>, Vec<Notice>) {
    let mut used = vec![false; suppressions.ignores.len()];
    let mut notices = Vec::new();
    let mut result = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let ids = &subject.ids;
        let purl = &subject.purl;
        let mut found = None;
        for (index, (source, entry)) in suppressions.ignores.iter().enumerate() {
            let in_scope = ids.contains(entry.id.as_str())
                && entry
                    .purl
                    .as_deref()
                    .is_none_or(|scope| versionless(scope) == versionless(purl))
                && entry.path.as_deref().is_none_or(|scope| {
                    subject
                        .paths
                        .iter()
                        .any(|path| path.trim_start_matches('/') == scope.trim_start_matches('/'))
                });
            if !in_scope {
                continue;
            }
            if let Some(slot) = used.get_mut(index) {
                *slot = true;
            }
            if entry.expires.as_deref().is_some_and(|date| date < today) {
                let notice = Notice::Expired {
                    source: source.clone(),
                    entry: entry.clone(),
                };
                if !notices.contains(&notice) {
                    notices.push(notice);
                }
                continue;
            }
            found = Some(Suppression {
                kind: "ignore",
                reason: entry.reason.clone(),
                owner: entry.owner.clone(),
                expires: entry.expires.clone(),
                source: source.clone(),
            });
            break;
        }
        if found.is_none() {
            found = suppressions.vex.iter().find_map(|(source, statement)| {
                let applies = ids.contains(statement.vulnerability.as_str())
                    && (statement.products.is_empty()
                        || statement
                            .products
                            .iter()
                            .any(|p| versionless(p) == versionless(purl)));
                applies.then(|| Suppression {
                    kind: "vex",
                    reason: format!(
                        "{}{}",
                        statement.status,
                        statement
                            .justification
                            .as_deref()
                            .map(|j| format!(": {j}"))
                            .unwrap_or_default()
                    ),
                    owner: None,
                    expires: None,
                    source: source.clone(),
                })
            });
        }
        result.push(found);
    }
    for ((source, entry), used) in suppressions.ignores.iter().zip(used) {
        if !used {
            notices.push(Notice::Unused {
                source: source.clone(),
                id: entry.id.clone(),
            });
        }
    }
    (result, notices)
}

/// The (ecosystem, package, id) keys of a previous JSON report's findings.
pub(crate) fn baseline_keys(
    bytes: &[u8],
    path: &str,
) -> Result<BTreeSet<(String, String, String)>, Error> {
    let report: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Error::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let findings = report["findings"]
        .as_array()
        .ok_or_else(|| Error::Invalid {
            path: path.to_owned(),
            message: "it has no `findings`: a baseline is a previous `--format json` report"
                .to_owned(),
        })?;
    let mut keys = BTreeSet::new();
    for finding in findings {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        let ecosystem = text(&finding["package"]["ecosystem"]);
        let name = text(&finding["package"]["name"]);
        keys.insert((ecosystem.clone(), name.clone(), text(&finding["id"])));
        for alias in finding["aliases"].as_array().into_iter().flatten() {
            keys.insert((ecosystem.clone(), name.clone(), text(alias)));
        }
    }
    Ok(keys)
}

/// Whether each finding is new against `baseline` (all are without one).
pub(crate) fn new_flags(
    findings: &[Finding],
    packages: &[Package],
    baseline: Option<&BTreeSet<(String, String, String)>>,
) -> Vec<bool> {
    findings
        .iter()
        .map(|finding| {
            let Some(baseline) = baseline else {
                return true;
            };
            let package = packages.get(finding.package);
            let ecosystem = package
                .and_then(|p| p.ecosystem.as_ref())
                .map(ToString::to_string)
                .unwrap_or_default();
            let name = package.map(|p| p.name.clone()).unwrap_or_default();
            !ids_of(finding)
                .iter()
                .any(|id| baseline.contains(&(ecosystem.clone(), name.clone(), (*id).to_owned())))
        })
        .collect()
}
