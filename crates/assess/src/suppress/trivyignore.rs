//! Trivy's ignore files, read as ignore sources so that a team's existing
//! suppressions carry over: `.trivyignore` (one id per line, `exp:DATE`
//! optional, `#` comments) and `.trivyignore.yaml` (`vulnerabilities`,
//! `misconfigurations`, `secrets`, `licenses`: entries with `id`, `paths`,
//! `purls`, `statement`, `expired_at`). Each entry becomes one or more
//! Portcullis ignore entries (one per path or purl); the reason is the
//! entry's `statement` or the comment above it, else a line saying where it
//! came from, so every suppression stays explained. [`describe`] says what
//! each became.
//!
//! Spec: <https://trivy.dev/latest/docs/configuration/filtering/>.

use serde::Deserialize;

use super::ignore::{valid_date, IgnoreEntry};
use super::Error;

/// Whether `path` names a Trivy ignore file, and which kind.
pub(super) fn kind_of(path: &str) -> Option<TrivyKind> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if !name.starts_with(".trivyignore") {
        return None;
    }
    Some(if name.ends_with(".yaml") || name.ends_with(".yml") {
        TrivyKind::Yaml
    } else {
        TrivyKind::Plain
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TrivyKind {
    Plain,
    Yaml,
}

/// One entry, with the line (plain) or entry number (YAML) it came from.
fn entry(
    id: &str,
    scope: (Option<String>, Option<String>),
    reason: Option<String>,
    expires: Option<String>,
    origin: String,
) -> IgnoreEntry {
    IgnoreEntry {
        id: id.to_owned(),
        purl: scope.0,
        path: scope.1,
        reason: reason
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| format!("listed in {origin} (Trivy ignore file, no reason given)")),
        owner: None,
        expires,
    }
}

/// Parses a plain `.trivyignore`.
pub(super) fn parse_plain(text: &str, path: &str) -> Result<Vec<IgnoreEntry>, Error> {
    let mut out = Vec::new();
    let mut comment: Vec<String> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            comment.clear();
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            comment.push(rest.trim().to_owned());
            continue;
        }
        let invalid = |message: String| Error::Invalid {
            path: path.to_owned(),
            message: format!("line {}: {message}", number + 1),
        };
        let mut words = line.split_whitespace();
        let id = words.next().unwrap_or_default();
        let mut expires = None;
        for word in words {
            match word.strip_prefix("exp:") {
                Some(date) if valid_date(date) => expires = Some(date.to_owned()),
                Some(date) => {
                    return Err(invalid(format!("`exp:{date}` is not a YYYY-MM-DD date")))
                }
                None => return Err(invalid(format!("`{word}` is neither an id nor `exp:DATE`"))),
            }
        }
        let reason = (!comment.is_empty()).then(|| comment.join(" "));
        out.push(entry(
            id,
            (None, None),
            reason,
            expires,
            format!("`{path}` line {}", number + 1),
        ));
        comment.clear();
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYaml {
    #[serde(default)]
    vulnerabilities: Vec<RawYamlEntry>,
    #[serde(default)]
    misconfigurations: Vec<RawYamlEntry>,
    #[serde(default)]
    secrets: Vec<RawYamlEntry>,
    #[serde(default)]
    licenses: Vec<RawYamlEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYamlEntry {
    id: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    purls: Vec<String>,
    statement: Option<String>,
    expired_at: Option<serde_norway::Value>,
}

/// Parses a `.trivyignore.yaml`.
pub(super) fn parse_yaml(text: &str, path: &str) -> Result<Vec<IgnoreEntry>, Error> {
    let raw: RawYaml = serde_norway::from_str(text).map_err(|e| Error::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    let sections = [
        ("vulnerabilities", raw.vulnerabilities),
        ("misconfigurations", raw.misconfigurations),
        ("secrets", raw.secrets),
        ("licenses", raw.licenses),
    ];
    for (section, entries) in sections {
        for (index, raw) in entries.into_iter().enumerate() {
            let origin = format!("`{path}` {section}[{index}]");
            let expires = match &raw.expired_at {
                None => None,
                Some(serde_norway::Value::String(date)) if valid_date(date) => Some(date.clone()),
                Some(other) => {
                    return Err(Error::Invalid {
                        path: path.to_owned(),
                        message: format!(
                            "{section}[{index}] (`{}`): `expired_at: {other:?}` is not a YYYY-MM-DD date",
                            raw.id
                        ),
                    })
                }
            };
            let mut scopes: Vec<(Option<String>, Option<String>)> = Vec::new();
            scopes.extend(raw.purls.iter().map(|purl| (Some(purl.clone()), None)));
            scopes.extend(
                raw.paths
                    .iter()
                    .map(|p| (None, Some(format!("/{}", p.trim_start_matches('/'))))),
            );
            if scopes.is_empty() {
                scopes.push((None, None));
            }
            for scope in scopes {
                out.push(entry(
                    &raw.id,
                    scope,
                    raw.statement.clone(),
                    expires.clone(),
                    origin.clone(),
                ));
            }
        }
    }
    Ok(out)
}

/// What one converted entry became, in a line.
pub(super) fn describe(path: &str, entry: &IgnoreEntry) -> String {
    let scope = match (&entry.purl, &entry.path) {
        (Some(purl), _) => format!("in {purl}"),
        (None, Some(file)) => format!("in {file}"),
        (None, None) => "everywhere".to_owned(),
    };
    let until = entry.expires.as_ref().map_or_else(
        || "with no expiry".to_owned(),
        |date| format!("until {date}"),
    );
    format!(
        "`{path}`: `{}` becomes an ignore entry {scope}, {until} (reason: {})",
        entry.id, entry.reason
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_take_the_comment_above_as_reason() {
        let text = "# Accept the risk\nCVE-2018-14618\n\n# Not reachable in our build\nCVE-2019-14697 exp:2027-04-01\nGHSA-2c8c-84w2-j38j\n";
        let entries = parse_plain(text, ".trivyignore").unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].reason, "Accept the risk");
        assert_eq!(entries[1].expires.as_deref(), Some("2027-04-01"));
        assert_eq!(entries[1].reason, "Not reachable in our build");
        assert!(
            entries[2].reason.contains("line 6"),
            "{}",
            entries[2].reason
        );
        assert!(parse_plain("CVE-1 exp:soon\n", "x").is_err());
        assert!(parse_plain("CVE-1 because\n", "x").is_err());
    }

    #[test]
    fn yaml_entries_split_by_path_and_purl() {
        let text = r#"
vulnerabilities:
  - id: CVE-2022-40897
    paths:
      - "usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA"
    statement: The vulnerable function is not called
    expired_at: 2027-09-01
  - id: CVE-2023-2650
  - id: GHSA-xxxx
    purls: ["pkg:npm/lodash", "pkg:npm/minimist"]
misconfigurations:
  - id: AVD-DS-0002
"#;
        let entries = parse_yaml(text, ".trivyignore.yaml").unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(
            entries[0].path.as_deref(),
            Some("/usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA")
        );
        assert_eq!(entries[0].expires.as_deref(), Some("2027-09-01"));
        assert_eq!(entries[2].purl.as_deref(), Some("pkg:npm/lodash"));
        assert!(parse_yaml("vulnerabilities:\n  - id: X\n    typo: 1\n", "x").is_err());
        assert!(parse_yaml("vulnerabilities:\n  - id: X\n    expired_at: soon\n", "x").is_err());
        assert!(describe("f", &entries[1]).contains("everywhere, with no expiry"));
    }
}
