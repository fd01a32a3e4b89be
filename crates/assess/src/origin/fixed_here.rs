//! Findings the base image has and the image does not, because its own
//! layers upgraded (or removed) the package at that place: the Dockerfile
//! fixed them. A package's place is the file that proved it with its version
//! taken out (`…/dist-packages/idna-*.dist-info/METADATA`, `/var/lib/dpkg/status`),
//! so an upgrade in place is the same place, and another copy elsewhere is not.

use std::collections::{HashMap, HashSet};

use portcullis_catalog::{Inventory, Package, PackageKind};
use portcullis_match::Finding;
use portcullis_model::VulnId;

use crate::AssessedFinding;

/// A base finding the image's layers took away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedHere {
    pub id: VulnId,
    pub kind: PackageKind,
    pub package: String,
    /// The version in the base.
    pub base_version: String,
    /// Where the base had it (the file that proved it).
    pub path: String,
    /// The versions the image has at the same place now; empty when its layers removed it.
    pub now: Vec<String>,
}

/// Where a package is, its version taken out of the paths that proved it.
fn places(package: &Package) -> impl Iterator<Item = String> + '_ {
    located_places(package).map(|(place, _)| place)
}

/// Each place of a package, with the path it comes from.
fn located_places(package: &Package) -> impl Iterator<Item = (String, &str)> + '_ {
    package.locations.iter().map(|location| {
        let place = if package.version.is_empty() {
            location.path.clone()
        } else {
            location.path.replace(&package.version, "*")
        };
        (place, location.path.as_str())
    })
}

/// Each finding of the base (`base_findings`, matched on `base`) that no
/// finding of the image has (by any of its ids) on the same package at the
/// same place.
pub fn fixed_here(
    image: &Inventory,
    image_findings: &[AssessedFinding],
    base: &Inventory,
    base_findings: &[Finding],
) -> Vec<FixedHere> {
    type Key<'a> = (PackageKind, &'a str, String);
    let mut still: HashSet<(PackageKind, &str, String, &VulnId)> = HashSet::new();
    for finding in image_findings.iter().map(|f| &f.finding) {
        let package = image.package(finding.package);
        for place in places(package) {
            for id in finding.all_ids() {
                still.insert((package.kind, package.name.as_str(), place.clone(), id));
            }
        }
    }
    let mut versions: HashMap<Key<'_>, Vec<String>> = HashMap::new();
    for package in image.packages() {
        for place in places(package) {
            let now = versions
                .entry((package.kind, package.name.as_str(), place))
                .or_default();
            if !now.contains(&package.version) {
                now.push(package.version.clone());
            }
        }
    }
    let mut fixed: Vec<FixedHere> = Vec::new();
    for finding in base_findings {
        let package = base.package(finding.package);
        for (place, path) in located_places(package) {
            let remains = finding.all_ids().any(|id| {
                still.contains(&(package.kind, package.name.as_str(), place.clone(), id))
            });
            if remains {
                continue;
            }
            fixed.push(FixedHere {
                id: finding.id.clone(),
                kind: package.kind,
                package: package.name.clone(),
                base_version: package.version.clone(),
                path: path.to_owned(),
                now: versions
                    .get(&(package.kind, package.name.as_str(), place))
                    .cloned()
                    .unwrap_or_default(),
            });
        }
    }
    fixed.sort_by(|a, b| {
        (&a.package, &a.base_version, &a.path, &a.id).cmp(&(
            &b.package,
            &b.base_version,
            &b.path,
            &b.id,
        ))
    });
    fixed.dedup();
    fixed
}
