//! The ignore file (`.portcullis-ignore.toml`): governed suppressions, each
//! with the id it silences (matched against every alias), an optional purl or
//! path scope, a reason, an owner and an expiry date.
//!
//! ```toml
//! [[ignore]]
//! id = "CVE-2021-25900"
//! purl = "pkg:cargo/smallvec"          # optional: version and qualifiers ignored
//! path = "/app/rust-svc/Cargo.lock"    # optional
//! reason = "insert_many is never called"
//! owner = "team-platform"
//! expires = "2027-01-01"
//! ```

use serde::Deserialize;

use super::Error;

/// One entry, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    pub id: String,
    pub purl: Option<String>,
    pub path: Option<String>,
    pub reason: String,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub expires: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    ignore: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    purl: Option<String>,
    path: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    expires: Option<toml::Value>,
}

pub(super) fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
        && [y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
}

/// Reads an ignore file; every entry needs a reason.
pub(super) fn parse(text: &str, path: &str) -> Result<Vec<IgnoreEntry>, Error> {
    let raw: RawFile = toml::from_str(text).map_err(|e| Error::Invalid {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })?;
    raw.ignore
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let invalid = |message: String| Error::Invalid {
                path: path.to_owned(),
                message: format!("entry {} (`{}`): {message}", index + 1, entry.id),
            };
            let reason = entry
                .reason
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| invalid("it has no `reason`".to_owned()))?;
            let expires = match entry.expires {
                None => None,
                Some(toml::Value::String(text)) if valid_date(&text) => Some(text),
                Some(toml::Value::Datetime(date)) if valid_date(&date.to_string()) => {
                    Some(date.to_string())
                }
                Some(other) => {
                    return Err(invalid(format!(
                        "`expires = {other:?}` is not a YYYY-MM-DD date"
                    )))
                }
            };
            Ok(IgnoreEntry {
                id: entry.id,
                purl: entry.purl,
                path: entry.path,
                reason,
                owner: entry.owner,
                expires,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_need_a_reason_and_a_real_date() {
        let good = "[[ignore]]\nid = \"CVE-1\"\nreason = \"not reachable\"\nexpires = 2027-01-01\n";
        let entries = parse(good, "x").unwrap();
        assert_eq!(entries[0].expires.as_deref(), Some("2027-01-01"));
        assert!(parse("[[ignore]]\nid = \"CVE-1\"\n", "x").is_err());
        assert!(parse(
            "[[ignore]]\nid = \"CVE-1\"\nreason = \"r\"\nexpires = \"soon\"\n",
            "x"
        )
        .is_err());
        assert!(parse(
            "[[ignore]]\nid = \"CVE-1\"\nreason = \"r\"\ntypo = 1\n",
            "x"
        )
        .is_err());
    }
}
