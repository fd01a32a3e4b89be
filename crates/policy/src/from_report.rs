//! A policy input document (`portcullis.policy/v1`) rebuilt from a scan's
//! JSON report (`--format json`, `docs/report-schema.md`), for `policy test`
//! on a saved report. `scan --policy-input` gives the exact documents; this
//! gives the same fields from what the report keeps.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::input::API_VERSION;

/// Whether `value` is a scan's JSON report rather than a policy input.
pub fn is_report(value: &Value) -> bool {
    value.get("schemaVersion").is_some() && value.get("findings").is_some()
}

fn text(value: &Value) -> Value {
    value
        .as_str()
        .map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// The input document a policy with `settings` gets for `report`.
pub fn input_of_report(report: &Value, settings: &BTreeMap<String, Value>) -> Value {
    let target = &report["target"];
    let packages: Vec<Value> = list(&report["packages"])
        .iter()
        .map(|p| {
            let location = &p["locations"][0];
            json!({
                "name": text(&p["name"]),
                "version": text(&p["version"]),
                "ecosystem": text(&p["ecosystem"]),
                "purl": text(&p["purl"]),
                "licenses": p["licenses"].as_array().cloned().unwrap_or_default(),
                "path": text(&location["path"]),
                "layer": text(&location["layer"]),
            })
        })
        .collect();
    let licenses_of = |purl: &Value| -> Value {
        list(&report["packages"])
            .iter()
            .find(|p| p["purl"] == *purl)
            .map_or_else(|| json!([]), |p| p["licenses"].clone())
    };
    let findings: Vec<Value> = list(&report["findings"])
        .iter()
        .map(|f| {
            let rated = list(&f["cvss"])
                .iter()
                .find(|c| c["vector"] == f["severityVector"])
                .map_or(Value::Null, |c| c["score"].clone());
            let package = &f["package"];
            let mut finding = json!({
                "id": text(&f["id"]),
                "aliases": f["aliases"].as_array().cloned().unwrap_or_default(),
                "severity": text(&f["severity"]),
                "severitySource": text(&f["severitySource"]),
                "severityVector": text(&f["severityVector"]),
                "cvss": rated,
                "epss": f["epss"]["score"].clone(),
                "kev": !f["kev"].is_null(),
                "knownExploited": f["knownExploited"].as_bool().unwrap_or(!f["kev"].is_null()),
                "exploitation": text(&f["ssvc"]["exploitation"]),
                "fixedVersion": text(&f["fixedVersion"]),
                "riskScore": f["riskScore"].clone(),
                "new": f["new"].as_bool().unwrap_or(true),
                "suppressed": !f["suppressed"].is_null(),
                "package": {
                    "name": text(&package["name"]),
                    "version": text(&package["version"]),
                    "ecosystem": text(&package["ecosystem"]),
                    "purl": text(&package["purl"]),
                    "licenses": licenses_of(&package["purl"]),
                    "path": text(&f["introducedBy"]["path"]),
                    "layer": text(&f["introducedBy"]["layer"]),
                },
            });
            // `base` or `own`, when the scan had a base (`--base`).
            if let Some(origin) = f["origin"].as_str() {
                finding["origin"] = Value::String(origin.to_owned());
            }
            finding
        })
        .collect();
    let checks: Vec<Value> = list(&report["checks"])
        .iter()
        .map(|c| {
            json!({
                "id": text(&c["id"]),
                "kind": text(&c["kind"]),
                "severity": text(&c["severity"]),
                "title": text(&c["title"]),
                "path": text(&c["path"]),
                "layer": text(&c["layer"]),
                "message": text(&c["message"]),
                "suppressed": !c["suppressed"].is_null(),
            })
        })
        .collect();
    let layers: Vec<Value> = list(&target["layers"])
        .iter()
        .map(|l| text(&l["diffId"]))
        .collect();
    json!({
        "apiVersion": API_VERSION,
        "target": {
            "reference": text(&target["reference"]),
            "digest": text(&target["digest"]),
            "platform": text(&target["platform"]),
            "os": text(&target["os"]["ecosystem"]),
            "user": text(&target["user"]),
            "exposedPorts": target["exposedPorts"].as_array().cloned().unwrap_or_default(),
            "env": [],
            "labels": Value::Object(Map::new()),
            "layers": layers,
        },
        "packages": packages,
        "findings": findings,
        "checks": checks,
        "settings": settings,
    })
}
