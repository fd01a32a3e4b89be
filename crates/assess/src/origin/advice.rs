//! What to do about the base image's findings from your own layers: each
//! base package with a fix, the version that fixes all of its findings and
//! the package manager's line that installs it; and the findings nothing
//! fixes yet.

use std::collections::BTreeMap;

use portcullis_catalog::{Inventory, Package, PackageKind};
use portcullis_version::{Scheme, Version};

use super::Origin;
use crate::AssessedFinding;

/// An upgrade your layers could make to a base package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    pub kind: PackageKind,
    pub package: String,
    pub installed: String,
    /// The lowest version that fixes every fixable finding of the package.
    pub to: String,
    /// The line that does it (`apt-get install --only-upgrade openssl`), where the package manager is known.
    pub command: Option<String>,
    /// The finding ids it fixes.
    pub findings: Vec<String>,
}

/// A base package with findings that no release fixes yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfixed {
    pub kind: PackageKind,
    pub package: String,
    pub installed: String,
    pub findings: Vec<String>,
}

/// The advice on a base image's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advice {
    pub upgrades: Vec<Upgrade>,
    pub unfixed: Vec<Unfixed>,
}

/// A package by name, kind and installed version.
type PackageKey = (String, PackageKind, String);

/// One base package's findings: the fixes they name, the ids with a fix and
/// the ids without one.
#[derive(Default)]
struct PackageFindings<'a> {
    fixes: Vec<&'a str>,
    fixed_ids: Vec<String>,
    unfixed_ids: Vec<String>,
}

/// Advice for the findings whose origin is the base.
pub fn advise(findings: &[AssessedFinding], image: &Inventory) -> Advice {
    // Per package: the fixes needed and the unfixed ids.
    let mut by_package: BTreeMap<PackageKey, PackageFindings> = BTreeMap::new();
    let mut packages: BTreeMap<PackageKey, &Package> = BTreeMap::new();
    for assessed in findings {
        if assessed.origin != Some(Origin::Base) {
            continue;
        }
        let package = image.package(assessed.finding.package);
        let key = (package.name.clone(), package.kind, package.version.clone());
        packages.insert(key.clone(), package);
        let PackageFindings {
            fixes,
            fixed_ids,
            unfixed_ids,
        } = by_package.entry(key).or_default();
        let id = assessed.finding.id.to_string();
        match &assessed.finding.nearest_fix {
            Some(fix) => {
                fixes.push(fix.as_str());
                if !fixed_ids.contains(&id) {
                    fixed_ids.push(id);
                }
            }
            None => {
                if !unfixed_ids.contains(&id) {
                    unfixed_ids.push(id);
                }
            }
        }
    }
    let mut advice = Advice::default();
    for (
        key,
        PackageFindings {
            fixes,
            fixed_ids,
            unfixed_ids,
        },
    ) in by_package
    {
        let Some(package) = packages.get(&key) else {
            continue;
        };
        if let Some(to) = highest(package, &fixes) {
            advice.upgrades.push(Upgrade {
                kind: package.kind,
                package: package.name.clone(),
                installed: package.version.clone(),
                command: command(package, &to),
                to,
                findings: fixed_ids,
            });
        }
        if !unfixed_ids.is_empty() {
            advice.unfixed.push(Unfixed {
                kind: package.kind,
                package: package.name.clone(),
                installed: package.version.clone(),
                findings: unfixed_ids,
            });
        }
    }
    advice
}

/// The highest of `fixes` in the package's version order (the first when
/// they do not parse or compare).
fn highest(package: &Package, fixes: &[&str]) -> Option<String> {
    let scheme = package.ecosystem.as_ref().and_then(Scheme::for_ecosystem);
    let mut best: Option<(&str, Option<Version>)> = None;
    for &fix in fixes {
        let parsed = scheme.and_then(|scheme| Version::parse(scheme, fix).ok());
        let higher = match (&best, &parsed) {
            (None, _) => true,
            (Some((_, Some(current))), Some(candidate)) => candidate > current,
            _ => false,
        };
        if higher {
            best = Some((fix, parsed));
        }
    }
    best.map(|(text, _)| text.to_owned())
}

/// The package manager's line that upgrades `package` to `to`.
fn command(package: &Package, to: &str) -> Option<String> {
    let name = &package.name;
    Some(match package.kind {
        PackageKind::Deb => format!("apt-get install --only-upgrade {name}"),
        PackageKind::Apk => format!("apk upgrade {name}"),
        PackageKind::Rpm => format!("dnf upgrade {name}"),
        PackageKind::Python => format!("pip install --upgrade '{name}>={to}'"),
        PackageKind::Npm => format!("npm install {name}@{to}"),
        PackageKind::Gem => format!("gem update {name}"),
        PackageKind::Go
        | PackageKind::Cargo
        | PackageKind::Java
        | PackageKind::Composer
        | PackageKind::NuGet => return None,
    })
}
