//! The AWS Security Finding Format (ASFF 2018-10-08), shaped as the request
//! body of Security Hub's `BatchImportFindings` (`{"Findings": […]}`), as
//! Amazon Inspector reports package vulnerabilities. The account and region
//! come from the render settings; the product ARN is the account's default
//! product, which any account may import into.

use serde::Serialize;

use super::entries::{self, Entry, EntryPackage, TargetKey};
use super::RenderConfig;
use portcullis_model::Severity;
use portcullis_scan::Report;

/// Security Hub's limits on these fields.
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Import {
    findings: Vec<Finding>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Finding {
    schema_version: &'static str,
    id: String,
    product_arn: String,
    generator_id: String,
    aws_account_id: String,
    types: Vec<&'static str>,
    created_at: String,
    updated_at: String,
    severity: FindingSeverity,
    title: String,
    description: String,
    remediation: Remediation,
    product_fields: std::collections::BTreeMap<String, String>,
    resources: Vec<Resource>,
    vulnerabilities: Vec<Vulnerability>,
    record_state: &'static str,
    workflow: Workflow,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FindingSeverity {
    label: &'static str,
    original: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Remediation {
    recommendation: Recommendation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Recommendation {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    #[serde(rename = "Type")]
    kind: &'static str,
    id: String,
    partition: &'static str,
    region: String,
    details: ResourceDetails,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceDetails {
    container: Container,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Container {
    image_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_id: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Vulnerability {
    id: String,
    vulnerable_packages: Vec<VulnerablePackage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reference_urls: Vec<String>,
    vendor: Vendor,
    fix_available: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VulnerablePackage {
    name: String,
    version: String,
    package_manager: String,
    file_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_in_version: Option<String>,
    remediation: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Vendor {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Workflow {
    status: &'static str,
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Unknown => "INFORMATIONAL",
    }
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(limit - 1).collect();
    short.push('…');
    short
}

/// The scanned image as a Security Hub resource.
fn resource(report: &Report, key: &TargetKey, region: &str) -> Resource {
    let target = &report.target;
    let image_id = target.manifest_digest.as_ref().map(ToString::to_string);
    let resource_id = match &image_id {
        Some(digest) => format!("{}@{digest}", key.repository),
        None => key.repository.clone(),
    };
    Resource {
        kind: "Container",
        id: resource_id,
        partition: "aws",
        region: region.to_owned(),
        details: ResourceDetails {
            container: Container {
                image_name: target.reference.clone(),
                image_id,
            },
        },
    }
}

/// The vulnerability of a finding entry, in its package.
fn vulnerability(entry: &Entry<'_>, p: &EntryPackage<'_>) -> Vulnerability {
    Vulnerability {
        id: entry.rule_id.to_owned(),
        vulnerable_packages: vec![VulnerablePackage {
            name: p.name.to_owned(),
            version: p.version.to_owned(),
            package_manager: p.ecosystem.clone().unwrap_or_else(|| "unknown".to_owned()),
            file_path: format!("/{}", entry.location.path),
            fixed_in_version: entry.nearest_fix.map(str::to_owned),
            remediation: cut(&entry.fix, 512),
        }],
        reference_urls: entry.help_uri.iter().cloned().collect(),
        vendor: Vendor {
            name: "OSV",
            url: entry.help_uri.clone(),
        },
        fix_available: if entry.fixed_versions.is_empty() {
            "NO"
        } else {
            "YES"
        },
    }
}

fn finding(entry: &Entry<'_>, report: &Report, key: &TargetKey, config: &RenderConfig) -> Finding {
    let account = &config.aws.account;
    let region = &config.aws.region;
    let package = entry.package.as_ref();
    let mut fields = std::collections::BTreeMap::from([
        ("portcullis/riskScore".to_owned(), entry.risk.to_string()),
        (
            "portcullis/layer".to_owned(),
            entry.location.layer_label.clone(),
        ),
        ("portcullis/kind".to_owned(), entry.kind.name().to_owned()),
    ]);
    if let Some(p) = package {
        fields.insert("portcullis/purl".to_owned(), p.purl.clone());
    }
    Finding {
        schema_version: "2018-10-08",
        id: format!(
            "portcullis/{}/{}",
            key.category().trim_end_matches('/'),
            entry.fingerprint(key)
        ),
        product_arn: format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"),
        generator_id: format!("portcullis/{}", entry.kind.name()),
        aws_account_id: account.clone(),
        types: vec!["Software and Configuration Checks/Vulnerabilities/CVE"],
        created_at: config.created.clone(),
        updated_at: config.created.clone(),
        severity: FindingSeverity {
            label: label(entry.severity),
            original: entry
                .score
                .map_or_else(|| entry.severity.name().to_owned(), |s| format!("{s:.1}")),
        },
        title: cut(
            &format!("{} - {}", entry.rule_id, entry.subject()),
            MAX_TITLE,
        ),
        description: cut(
            &format!("{} {}", entry.title, entry.message()),
            MAX_DESCRIPTION,
        ),
        remediation: Remediation {
            recommendation: Recommendation {
                text: cut(&entry.fix, 512),
                url: entry.help_uri.clone(),
            },
        },
        product_fields: fields,
        resources: vec![resource(report, key, region)],
        vulnerabilities: package
            .map(|p| vulnerability(entry, p))
            .into_iter()
            .collect(),
        record_state: "ACTIVE",
        workflow: Workflow {
            status: if entry.suppressed.is_some() {
                "SUPPRESSED"
            } else {
                "NEW"
            },
        },
    }
}

/// An informational finding for a part the analysis could not evaluate, so
/// Security Hub shows that the image's findings may be incomplete.
fn not_evaluated(
    diagnostic: &portcullis_catalog::Diagnostic,
    report: &Report,
    key: &TargetKey,
    config: &RenderConfig,
) -> Finding {
    let account = &config.aws.account;
    let region = &config.aws.region;
    let text = format!("{}: {}", diagnostic.path, diagnostic.message);
    Finding {
        schema_version: "2018-10-08",
        id: format!(
            "portcullis/{}/analysis/{}",
            key.category().trim_end_matches('/'),
            super::uuid_from(&text)
        ),
        product_arn: format!("arn:aws:securityhub:{region}:{account}:product/{account}/default"),
        generator_id: "portcullis/analysis".to_owned(),
        aws_account_id: account.clone(),
        types: vec!["Software and Configuration Checks/Portcullis/Not evaluated"],
        created_at: config.created.clone(),
        updated_at: config.created.clone(),
        severity: FindingSeverity {
            label: "INFORMATIONAL",
            original: "not evaluated".to_owned(),
        },
        title: cut(&format!("not evaluated: {}", diagnostic.path), MAX_TITLE),
        description: cut(&text, MAX_DESCRIPTION),
        remediation: Remediation {
            recommendation: Recommendation {
                text: "fix the input so every part can be read, then scan again".to_owned(),
                url: None,
            },
        },
        product_fields: std::collections::BTreeMap::from([(
            "portcullis/kind".to_owned(),
            "not-evaluated".to_owned(),
        )]),
        resources: vec![resource(report, key, region)],
        vulnerabilities: Vec::new(),
        record_state: "ACTIVE",
        workflow: Workflow { status: "NEW" },
    }
}

/// The `BatchImportFindings` body for every finding of `report` and every
/// part it could not evaluate.
pub(super) fn document(report: &Report, config: &RenderConfig) -> Import {
    let key = TargetKey::of(report);
    let mut findings: Vec<Finding> = entries::entries(report)
        .iter()
        .map(|entry| finding(entry, report, &key, config))
        .collect();
    findings.extend(
        report
            .diagnostics()
            .iter()
            .map(|diagnostic| not_evaluated(diagnostic, report, &key, config)),
    );
    Import { findings }
}
