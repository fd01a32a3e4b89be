//! Annotate findings with what suppresses them (the ignore file, OpenVEX
//! statements; `ignore.rs`, `vex.rs`) and whether they are new against a
//! baseline report (`baseline.rs`). Findings are never dropped: a suppressed
//! one stays in every report with its reason. Expired ignore entries stop
//! suppressing and are reported; unused ones warn.

mod baseline;
mod ignore;
mod trivyignore;
mod vex;

pub use baseline::{Baseline, BaselineKey};
pub use ignore::IgnoreEntry;
pub use vex::VexStatement;

use std::collections::BTreeSet;

use portcullis_catalog::Package;
use portcullis_checks::CheckFinding;
use portcullis_match::Finding;

/// Why suppressions could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("could not read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Which kind of statement suppressed a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    /// An entry of an ignore file.
    Ignore,
    /// An OpenVEX statement.
    Vex,
}

impl SuppressionKind {
    pub fn name(self) -> &'static str {
        match self {
            SuppressionKind::Ignore => "ignore",
            SuppressionKind::Vex => "vex",
        }
    }
}

impl std::fmt::Display for SuppressionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What suppressed a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<String>,
    /// The file it came from.
    pub source: String,
    /// An OpenVEX statement's status and justification, as written.
    pub vex: Option<(String, Option<String>)>,
}

/// The suppressions in force for one scan.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub ignores: Vec<(String, IgnoreEntry)>,
    pub vex: Vec<(String, VexStatement)>,
}

/// An ignore entry that no longer applies or never did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
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
    pub fn load(ignore_files: &[String], vex_files: &[String]) -> Result<Suppressions, Error> {
        let mut suppressions = Suppressions::default();
        for path in ignore_files {
            let text = String::from_utf8_lossy(&read(path)?).into_owned();
            let entries = match trivyignore::kind_of(path) {
                None => ignore::parse(&text, path)?,
                Some(kind) => {
                    let entries = match kind {
                        trivyignore::TrivyKind::Plain => trivyignore::parse_plain(&text, path)?,
                        trivyignore::TrivyKind::Yaml => trivyignore::parse_yaml(&text, path)?,
                    };
                    for entry in &entries {
                        tracing::warn!("{}", trivyignore::describe(path, entry));
                    }
                    entries
                }
            };
            suppressions
                .ignores
                .extend(entries.into_iter().map(|e| (path.clone(), e)));
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
        .chain(finding.aliases.iter().map(|id| id.as_str()))
        .collect()
}

/// What ignore entries and VEX statements are matched against: a finding
/// (its ids, its package's purl and files) or a check (its rule id and file).
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    ids: BTreeSet<&'a str>,
    purl: String,
    paths: Vec<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn of_finding(finding: &'a Finding, package: &'a Package) -> Subject<'a> {
        Subject {
            ids: ids_of(finding),
            purl: package.purl.to_string(),
            paths: package.locations.iter().map(|l| l.path.as_str()).collect(),
        }
    }

    pub fn of_check(check: &'a CheckFinding) -> Subject<'a> {
        Subject {
            ids: std::iter::once(check.rule.id).collect(),
            purl: String::new(),
            paths: check.path.as_deref().into_iter().collect(),
        }
    }
}

/// Whether an ignore entry names the subject: its id, and its purl and path scopes.
fn in_scope(entry: &IgnoreEntry, subject: &Subject<'_>) -> bool {
    subject.ids.contains(entry.id.as_str())
        && entry
            .purl
            .as_deref()
            .is_none_or(|scope| versionless(scope) == versionless(&subject.purl))
        && entry.path.as_deref().is_none_or(|scope| {
            subject
                .paths
                .iter()
                .any(|path| path.trim_start_matches('/') == scope.trim_start_matches('/'))
        })
}

/// The first VEX statement that says the subject is not affected (or fixed).
fn vex_suppression(suppressions: &Suppressions, subject: &Subject<'_>) -> Option<Suppression> {
    suppressions.vex.iter().find_map(|(source, statement)| {
        let applies = subject.ids.contains(statement.vulnerability.as_str())
            && (statement.products.is_empty()
                || statement
                    .products
                    .iter()
                    .any(|p| versionless(p) == versionless(&subject.purl)));
        applies.then(|| Suppression {
            kind: SuppressionKind::Vex,
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
            vex: Some((statement.status.clone(), statement.justification.clone())),
        })
    })
}

/// Annotates each subject (same order) and lists expired and unused entries.
/// `today` is `YYYY-MM-DD`.
pub fn apply(
    suppressions: &Suppressions,
    subjects: &[Subject<'_>],
    today: &str,
) -> (Vec<Option<Suppression>>, Vec<Notice>) {
    let mut used = vec![false; suppressions.ignores.len()];
    let mut notices = Vec::new();
    let mut result = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let mut found = None;
        for (index, (source, entry)) in suppressions.ignores.iter().enumerate() {
            if !in_scope(entry, subject) {
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
                kind: SuppressionKind::Ignore,
                reason: entry.reason.clone(),
                owner: entry.owner.clone(),
                expires: entry.expires.clone(),
                source: source.clone(),
                vex: None,
            });
            break;
        }
        if found.is_none() {
            found = vex_suppression(suppressions, subject);
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
