//! OpenVEX documents: statements whose status is `not_affected` or `fixed`
//! suppress the vulnerability they name for the products (purls) they name.
//!
//! Spec: <https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md>.

use serde::Deserialize;

use super::Error;

/// One suppressing statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    pub vulnerability: String,
    /// Product purls; empty means every product.
    pub products: Vec<String>,
    pub status: String,
    pub justification: Option<String>,
}

#[derive(Deserialize)]
struct RawDocument {
    #[serde(rename = "@context")]
    context: String,
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: RawVulnerability,
    #[serde(default)]
    products: Vec<RawProduct>,
    status: String,
    justification: Option<String>,
    impact_statement: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVulnerability {
    Named { name: String },
    Plain(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawProduct {
    Object {
        #[serde(rename = "@id")]
        id: String,
    },
    Plain(String),
}

/// Reads an OpenVEX JSON document; only suppressing statements are kept.
pub(super) fn parse(bytes: &[u8], path: &str) -> Result<Vec<VexStatement>, Error> {
    let raw: RawDocument = serde_json::from_slice(bytes).map_err(|e| Error::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    if !raw.context.starts_with("https://openvex.dev/ns") {
        return Err(Error::Invalid {
            path: path.to_owned(),
            message: format!("`@context` is `{}`, not OpenVEX", raw.context),
        });
    }
    Ok(raw
        .statements
        .into_iter()
        .filter(|s| s.status == "not_affected" || s.status == "fixed")
        .map(|s| VexStatement {
            vulnerability: match s.vulnerability {
                RawVulnerability::Named { name } | RawVulnerability::Plain(name) => name,
            },
            products: s
                .products
                .into_iter()
                .map(|p| match p {
                    RawProduct::Object { id } | RawProduct::Plain(id) => id,
                })
                .collect(),
            status: s.status,
            justification: s.justification.or(s.impact_statement),
        })
        .collect())
}
