//! The secrets allow-list: known-fake values (compared by sha256, so the
//! list itself need not hold a live secret) and paths, optionally per rule.
//! A built-in list covers documentation examples (AWS's `AKIAIOSFODNN7EXAMPLE`);
//! a project adds its own in `.portcullis-secrets.toml`:
//!
//! ```toml
//! [[allow]]
//! value = "AKIAIOSFODNN7EXAMPLE"        # or value-sha256 = "…"
//! reason = "AWS documentation example"
//!
//! [[allow]]
//! path = "app/test/fixtures/**"         # a glob relative to the image root
//! rule = "secret/private-key"           # optional: only this rule
//! reason = "test keys, generated for the tests"
//! ```

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use portcullis_model::Digest;

/// The built-in entries.
const BUILT_IN: &str = include_str!("default-allow.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    allow: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEntry {
    value: Option<String>,
    value_sha256: Option<String>,
    path: Option<String>,
    rule: Option<String>,
    reason: String,
}

#[derive(Debug, Clone)]
struct Entry {
    value_sha256: Option<String>,
    path: Option<GlobMatcher>,
    rule: Option<String>,
}

/// Why an allow-list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AllowListError {
    #[error("could not read the secrets allow-list `{path}`")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a secrets allow-list: {why}")]
    Malformed { path: String, why: String },
}

/// Values and paths whose secret findings are known to be fake.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    entries: Vec<Entry>,
}

impl AllowList {
    /// The built-in list plus each of `files`.
    pub fn load(files: &[std::path::PathBuf]) -> Result<AllowList, AllowListError> {
        let mut list = AllowList::default();
        list.add(BUILT_IN, "built-in allow-list")?;
        for path in files {
            let shown = path.display().to_string();
            let text = fs_err::read_to_string(path).map_err(|source| AllowListError::Io {
                path: shown.clone(),
                source,
            })?;
            list.add(&text, &shown)?;
        }
        Ok(list)
    }

    fn add(&mut self, text: &str, shown: &str) -> Result<(), AllowListError> {
        let malformed = |why: String| AllowListError::Malformed {
            path: shown.to_owned(),
            why,
        };
        let file: File = toml::from_str(text).map_err(|e| malformed(e.to_string()))?;
        for (index, raw) in file.allow.into_iter().enumerate() {
            if raw.reason.trim().is_empty() {
                return Err(malformed(format!(
                    "entry {} has an empty `reason`",
                    index + 1
                )));
            }
            let value_sha256 = match (raw.value, raw.value_sha256) {
                (Some(value), None) => Some(Digest::sha256_of(value.as_bytes()).hex().to_owned()),
                (None, Some(hash)) => Some(hash.to_ascii_lowercase()),
                (None, None) => None,
                (Some(_), Some(_)) => {
                    return Err(malformed(format!(
                        "entry {} has both `value` and `value-sha256`",
                        index + 1
                    )))
                }
            };
            let path = match raw.path {
                Some(pattern) => Some(
                    Glob::new(pattern.trim_start_matches('/'))
                        .map_err(|e| malformed(format!("entry {}: {e}", index + 1)))?
                        .compile_matcher(),
                ),
                None => None,
            };
            if value_sha256.is_none() && path.is_none() {
                return Err(malformed(format!(
                    "entry {} names neither a `value` nor a `path`",
                    index + 1
                )));
            }
            self.entries.push(Entry {
                value_sha256,
                path,
                rule: raw.rule,
            });
        }
        Ok(())
    }

    /// Whether a hit of `rule` at `path` with value hash `value_sha256` is allowed.
    pub fn allows(&self, rule: &str, path: &str, value_sha256: &str) -> bool {
        self.entries.iter().any(|entry| {
            entry.rule.as_deref().is_none_or(|r| r == rule)
                && entry
                    .value_sha256
                    .as_deref()
                    .is_none_or(|h| h == value_sha256)
                && entry.path.as_ref().is_none_or(|glob| glob.is_match(path))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_examples_and_paths_are_allowed() {
        let list = AllowList::load(&[]).expect("built-in list parses");
        let example = Digest::sha256_of(b"AKIAIOSFODNN7EXAMPLE").hex().to_owned();
        assert!(list.allows("secret/aws-access-key", "app/x", &example));
        assert!(!list.allows("secret/aws-access-key", "app/x", "00"));
    }

    #[test]
    fn entries_need_a_reason_and_a_target() {
        let mut list = AllowList::default();
        assert!(list
            .add("[[allow]]\npath = \"a/**\"\nreason = \"\"\n", "x")
            .is_err());
        assert!(list.add("[[allow]]\nreason = \"r\"\n", "x").is_err());
        list.add(
            "[[allow]]\npath = \"srv/test/**\"\nrule = \"secret/jwt\"\nreason = \"fixtures\"\n",
            "x",
        )
        .expect("valid");
        assert!(list.allows("secret/jwt", "srv/test/a.txt", "h"));
        assert!(!list.allows("secret/private-key", "srv/test/a.txt", "h"));
    }
}
