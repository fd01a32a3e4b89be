//! `--baseline REPORT`: the findings of a previous `--format json` report, by
//! (ecosystem, package, id) for every id of each, so a finding that was there
//! before is not new, whatever id it is led by now.

use std::collections::BTreeSet;

use portcullis_catalog::Package;
use portcullis_match::Finding;
use portcullis_model::VulnId;

use super::{ids_of, Error};

/// One finding of a baseline report, under one of its ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaselineKey {
    pub ecosystem: String,
    pub package: String,
    pub id: VulnId,
}

/// The findings of a previous report.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    keys: BTreeSet<BaselineKey>,
}

impl Baseline {
    /// Reads a previous JSON report's findings.
    pub fn from_report(bytes: &[u8], path: &str) -> Result<Baseline, Error> {
        let report: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| Error::Invalid {
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
            let key = |id: &serde_json::Value| BaselineKey {
                ecosystem: text(&finding["package"]["ecosystem"]),
                package: text(&finding["package"]["name"]),
                id: VulnId::new(&text(id)),
            };
            keys.insert(key(&finding["id"]));
            for alias in finding["aliases"].as_array().into_iter().flatten() {
                keys.insert(key(alias));
            }
        }
        Ok(Baseline { keys })
    }

    /// Whether `finding` in `package` was not in the baseline under any of its ids.
    pub fn is_new(&self, finding: &Finding, package: &Package) -> bool {
        let ecosystem = package
            .ecosystem
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        !ids_of(finding).iter().any(|id| {
            self.keys.contains(&BaselineKey {
                ecosystem: ecosystem.clone(),
                package: package.name.clone(),
                id: VulnId::new(id),
            })
        })
    }
}
