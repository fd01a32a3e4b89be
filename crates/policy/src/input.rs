//! The policy input documents (see `policies/ABI.md`), built from the
//! target, the inventory and the assessed findings and checks: the whole
//! `portcullis.policy/v1` document for v1 modules, and for v2 modules only
//! the parts their metadata reads (`shape.rs`), findings naming their
//! package by its index in `packages` instead of repeating it. Each shape's
//! document is built once per run; only the settings differ per module.

use std::collections::BTreeMap;

use serde::Serialize;

use portcullis_assess::go_symbols::CodeDetermination;
use portcullis_assess::{AssessedCheck, AssessedFinding};
use portcullis_catalog::{Inventory, Package};
use portcullis_match::Unmatchable;
use portcullis_source::TargetSummary;

use crate::shape::{Part, Shape, API_VERSION_V2};

pub const API_VERSION: &str = "portcullis.policy/v1";

/// What policies know of the target.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub reference: String,
    pub digest: Option<String>,
    pub platform: Option<String>,
    pub os: Option<String>,
    pub user: Option<String>,
    pub exposed_ports: Vec<String>,
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub layers: Vec<String>,
}

/// The v1 document without its settings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    api_version: &'static str,
    target: &'a Target,
    packages: Vec<InputPackage<'a>>,
    findings: Vec<InputFinding<'a, Full, InputPackage<'a>>>,
    checks: Vec<InputCheck<'a>>,
    /// What the analysis could not evaluate (files, SBOM components,
    /// packages whose advisories could not be matched), so a module
    /// decides knowing it; the host itself refuses a partial analysis
    /// unless `--allow-partial`.
    diagnostics: Vec<InputDiagnostic>,
}

/// The v2 document without its settings: only the parts the module reads.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BodyV2<'a> {
    api_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    packages: Option<Vec<InputPackage<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    findings: Option<Vec<InputFinding<'a, Compact, usize>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checks: Option<Vec<InputCheck<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<Vec<InputDiagnostic>>,
}

/// How a finding is written: v1 writes every field, v2 leaves out the
/// fields at their default.
trait Form {
    const COMPACT: bool;
}

/// The v1 document's findings.
struct Full;
/// The v2 document's findings.
struct Compact;

impl Form for Full {
    const COMPACT: bool = false;
}

impl Form for Compact {
    const COMPACT: bool = true;
}

/// A field's default (`false`, `null`, `[]`), which v2 leaves out.
trait AtDefault {
    fn is_default(&self) -> bool;
}

impl AtDefault for bool {
    fn is_default(&self) -> bool {
        !*self
    }
}

impl<T> AtDefault for Option<T> {
    fn is_default(&self) -> bool {
        self.is_none()
    }
}

impl<T> AtDefault for &[T] {
    fn is_default(&self) -> bool {
        self.is_empty()
    }
}

fn omit<F: Form, T: AtDefault>(value: &T) -> bool {
    F::COMPACT && value.is_default()
}

/// A part the analysis could not evaluate.
#[derive(Serialize)]
struct InputDiagnostic {
    path: String,
    layer: Option<String>,
    message: String,
}

/// A hygiene or secret check that fired (secrets redacted).
#[derive(Serialize)]
struct InputCheck<'a> {
    id: &'static str,
    kind: &'static str,
    severity: &'static str,
    title: &'static str,
    path: Option<&'a str>,
    layer: Option<String>,
    message: &'a str,
    suppressed: bool,
}

#[derive(Serialize)]
struct InputPackage<'a> {
    name: &'a str,
    version: &'a str,
    ecosystem: Option<String>,
    purl: String,
    licenses: &'a [String],
    path: Option<&'a str>,
    layer: Option<String>,
}

/// A finding as the input carries it: its package written out (v1) or
/// as its index in `packages` (v2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputFinding<'a, F: Form, P> {
    id: &'a str,
    #[serde(skip_serializing_if = "omit::<F, _>")]
    aliases: &'a [portcullis_model::VulnId],
    severity: &'static str,
    /// `vendor`, `cvss` (the OSV record's vector), `cve-cna`, `cisa-adp` or `none`.
    severity_source: &'static str,
    /// The CVSS vector the finding is rated by.
    #[serde(skip_serializing_if = "omit::<F, _>")]
    severity_vector: Option<&'a str>,
    #[serde(skip_serializing_if = "omit::<F, _>")]
    cvss: Option<f64>,
    #[serde(skip_serializing_if = "omit::<F, _>")]
    epss: Option<f64>,
    /// CISA KEV lists it.
    #[serde(skip_serializing_if = "omit::<F, _>")]
    kev: bool,
    /// KEV lists it or CISA's SSVC says `Exploitation: active`.
    #[serde(skip_serializing_if = "omit::<F, _>")]
    known_exploited: bool,
    /// SSVC's `Exploitation`: `none`, `poc` or `active`.
    #[serde(skip_serializing_if = "omit::<F, _>")]
    exploitation: Option<&'a str>,
    #[serde(skip_serializing_if = "omit::<F, _>")]
    fixed_version: Option<&'a str>,
    risk_score: u8,
    #[serde(skip_serializing_if = "omit::<F, _>")]
    new: bool,
    #[serde(skip_serializing_if = "omit::<F, _>")]
    suppressed: bool,
    /// Go: whether the advisory's vulnerable functions are linked into the
    /// binary; absent for other findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerable_code: Option<&'a CodeDetermination>,
    /// Go: the vulnerable code is determined not present.
    #[serde(skip_serializing_if = "omit::<F, _>")]
    code_not_present: bool,
    /// `base` or `own`, when the scan knows the base image.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
    package: P,
    #[serde(skip)]
    form: std::marker::PhantomData<F>,
}

/// `assessed` as the input carries it, with its package as `package`.
fn finding<F: Form, P>(assessed: &AssessedFinding, package: P) -> InputFinding<'_, F, P> {
    let finding = &assessed.finding;
    let score = &assessed.score;
    InputFinding {
        id: finding.id.as_str(),
        aliases: &finding.aliases,
        severity: score.severity.name(),
        severity_source: score.severity_source.name(),
        severity_vector: score.rated_by.as_ref().map(|c| c.vector.as_str()),
        cvss: score.preferred_cvss(),
        epss: score.epss.as_ref().map(|(_, e)| e.score),
        kev: score.kev.is_some(),
        known_exploited: score.known_exploited(),
        exploitation: score.exploitation(),
        fixed_version: finding.nearest_fix.as_deref(),
        risk_score: score.risk,
        new: assessed.new,
        suppressed: assessed.is_suppressed(),
        vulnerable_code: assessed.code.as_ref(),
        code_not_present: assessed.code_not_present(),
        origin: assessed.origin.map(|o| o.name()),
        package,
        form: std::marker::PhantomData,
    }
}

fn package<'a>(package: &'a Package, target: &Target) -> InputPackage<'a> {
    let location = package.locations.first();
    InputPackage {
        name: &package.name,
        version: &package.version,
        ecosystem: package.ecosystem.as_ref().map(ToString::to_string),
        purl: package.purl.to_string(),
        licenses: &package.licenses,
        path: location.map(|l| l.path.as_str()),
        layer: location
            .and_then(|l| l.layer)
            .and_then(|index| target.layers.get(index).cloned()),
    }
}

impl Target {
    /// What policies know of `summary`, whose OS `inventory` detected.
    pub fn of(summary: &TargetSummary, inventory: &Inventory) -> Target {
        Target {
            reference: summary.reference.clone(),
            digest: summary.manifest_digest.as_ref().map(ToString::to_string),
            platform: summary.platform.as_ref().map(ToString::to_string),
            os: inventory.os.as_ref().map(|os| os.ecosystem.to_string()),
            user: summary.user.clone(),
            exposed_ports: summary.exposed_ports.clone(),
            env: Vec::new(),
            labels: BTreeMap::new(),
            layers: summary.layers.iter().map(ToString::to_string).collect(),
        }
    }
}

/// What the documents are built from; each shape's document is built once.
pub struct Inputs<'a> {
    target: &'a Target,
    inventory: &'a Inventory,
    findings: &'a [AssessedFinding],
    checks: &'a [AssessedCheck],
    unmatchable: &'a [Unmatchable],
    /// Each shape's document, without its closing `}`, to which a module's
    /// settings are appended.
    built: BTreeMap<Shape, Vec<u8>>,
}

impl<'a> Inputs<'a> {
    pub fn new(
        target: &'a Target,
        inventory: &'a Inventory,
        findings: &'a [AssessedFinding],
        checks: &'a [AssessedCheck],
        unmatchable: &'a [Unmatchable],
    ) -> Inputs<'a> {
        Inputs {
            target,
            inventory,
            findings,
            checks,
            unmatchable,
            built: BTreeMap::new(),
        }
    }

    /// The document of `shape` with `settings`.
    pub fn document(
        &mut self,
        shape: Shape,
        settings: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Vec<u8>, serde_json::Error> {
        let body = match self.built.get(&shape) {
            Some(body) => body,
            None => {
                let mut body = match shape {
                    Shape::V1 => serde_json::to_vec(&self.v1())?,
                    Shape::V2(_) => serde_json::to_vec(&self.v2(shape))?,
                };
                // The closing brace of the object; the settings go before it.
                body.pop();
                self.built.entry(shape).or_insert(body)
            }
        };
        let mut document = Vec::with_capacity(body.len() + 64);
        document.extend_from_slice(body);
        document.extend_from_slice(b",\"settings\":");
        serde_json::to_writer(&mut document, settings)?;
        document.push(b'}');
        Ok(document)
    }

    fn packages(&self) -> Vec<InputPackage<'a>> {
        let target = self.target;
        self.inventory
            .packages()
            .iter()
            .map(|p| package(p, target))
            .collect()
    }

    fn checks(&self) -> Vec<InputCheck<'a>> {
        let target = self.target;
        self.checks
            .iter()
            .map(|assessed| {
                let c = &assessed.check;
                InputCheck {
                    id: c.rule.id,
                    kind: c.rule.kind.name(),
                    severity: c.rule.severity.name(),
                    title: c.rule.title,
                    path: c.path.as_deref(),
                    layer: c.layer.and_then(|index| target.layers.get(index).cloned()),
                    message: &c.message,
                    suppressed: assessed.suppression.is_some(),
                }
            })
            .collect()
    }

    fn diagnostics(&self) -> Vec<InputDiagnostic> {
        let (target, inventory) = (self.target, self.inventory);
        let layer = |index: Option<usize>| index.and_then(|i| target.layers.get(i).cloned());
        inventory
            .diagnostics
            .iter()
            .map(|d| InputDiagnostic {
                path: d.path.clone(),
                layer: layer(d.layer),
                message: d.message.clone(),
            })
            .chain(self.unmatchable.iter().map(|u| {
                let d = u.diagnostic(inventory);
                InputDiagnostic {
                    layer: layer(d.layer),
                    path: d.path,
                    message: d.message,
                }
            }))
            .collect()
    }

    fn v1(&self) -> Body<'a> {
        let (target, inventory) = (self.target, self.inventory);
        let findings = self
            .findings
            .iter()
            .map(|assessed| {
                let written = package(inventory.package(assessed.finding.package), target);
                finding(assessed, written)
            })
            .collect();
        Body {
            api_version: API_VERSION,
            target,
            packages: self.packages(),
            findings,
            checks: self.checks(),
            diagnostics: self.diagnostics(),
        }
    }

    fn v2(&self, shape: Shape) -> BodyV2<'a> {
        let findings = shape.reads(Part::Findings).then(|| {
            self.findings
                .iter()
                .map(|assessed| finding(assessed, assessed.finding.package.index()))
                .collect()
        });
        BodyV2 {
            api_version: API_VERSION_V2,
            target: shape.reads(Part::Target).then_some(self.target),
            packages: shape.reads(Part::Packages).then(|| self.packages()),
            findings,
            checks: shape.reads(Part::Checks).then(|| self.checks()),
            // What could not be evaluated goes to every module, whatever it reads.
            diagnostics: Some(self.diagnostics()),
        }
    }
}
