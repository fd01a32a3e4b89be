//! Whose a finding is: the base image's, or the layers built on it. A
//! package is the base's when the base holds the same package (kind, name,
//! version) proved by the same file; anything else the image's own layers
//! added or changed. Layer indexes alone cannot say it: any `apt-get` in an
//! upper layer rewrites the dpkg database, so every distro package would
//! look new. Also: what the upper layers fixed (`fixed_here.rs`), what they
//! could fix (`advice.rs`) and which other base would remove the most
//! (`candidates.rs`).

mod advice;
mod candidates;
mod fixed_here;

use std::collections::HashMap;

use portcullis_catalog::{Inventory, Package, PackageKind};

use crate::AssessedFinding;

pub use advice::{advise, Advice, Unfixed, Upgrade};
pub use candidates::{compare_candidates, Candidate, CandidateFindings};
pub use fixed_here::{fixed_here, FixedHere};

/// Where a finding's package came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The base image has the same package at the same version.
    Base,
    /// The image's own layers added the package or changed its version.
    Own,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Base => "base",
            Origin::Own => "own",
        }
    }
}

/// The base image's packages by (kind, name), for lookups from the image.
pub(crate) struct BaseIndex<'a> {
    by_name: HashMap<(PackageKind, &'a str), Vec<&'a Package>>,
}

impl<'a> BaseIndex<'a> {
    pub(crate) fn new(base: &'a Inventory) -> BaseIndex<'a> {
        let mut by_name: HashMap<(PackageKind, &str), Vec<&Package>> = HashMap::new();
        for package in base.packages() {
            by_name
                .entry((package.kind, package.name.as_str()))
                .or_default()
                .push(package);
        }
        BaseIndex { by_name }
    }

    /// Whether the base holds `package`: same kind, name, ecosystem and
    /// version, proved by a file at one of the same paths.
    pub(crate) fn holds(&self, package: &Package) -> bool {
        self.by_name
            .get(&(package.kind, package.name.as_str()))
            .is_some_and(|found| found.iter().any(|base| same_package(base, package)))
    }
}

/// The same package in two images: kind, name, ecosystem, version and a
/// file that proved both.
pub(crate) fn same_package(a: &Package, b: &Package) -> bool {
    a.kind == b.kind
        && a.name == b.name
        && a.version == b.version
        && a.ecosystem == b.ecosystem
        && a.locations
            .iter()
            .any(|x| b.locations.iter().any(|y| x.path == y.path))
}

/// Sets each finding's origin against the base's inventory.
pub fn classify(findings: &mut [AssessedFinding], image: &Inventory, base: &Inventory) {
    let index = BaseIndex::new(base);
    for finding in findings {
        let package = image.package(finding.finding.package);
        finding.origin = Some(if index.holds(package) {
            Origin::Base
        } else {
            Origin::Own
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_catalog::{Location, Proof};
    use portcullis_model::Purl;

    fn pypi(name: &str, version: &str, path: &str) -> Package {
        Package::language(
            PackageKind::Python,
            name,
            version,
            Purl::new("pypi", name).with_version(version),
            Location {
                path: path.to_owned(),
                layer: Some(0),
                proof: Proof::Metadata,
            },
        )
    }

    #[test]
    fn the_base_holds_a_package_only_at_its_version_and_one_of_its_paths() {
        let site = "/usr/lib/python3/dist-packages/idna-2.8.dist-info/METADATA";
        let base = pypi("idna", "2.8", site);
        // The same package, proved at the same file (by any layer): the base's.
        assert!(same_package(&base, &pypi("idna", "2.8", site)));
        // Upgraded in place: a version the base does not have.
        let upgraded = "/usr/lib/python3/dist-packages/idna-3.7.dist-info/METADATA";
        assert!(!same_package(&base, &pypi("idna", "3.7", upgraded)));
        // The same version installed elsewhere by your layers: yours.
        let venv = "/srv/app/.venv/lib/python3.11/site-packages/idna-2.8.dist-info/METADATA";
        assert!(!same_package(&base, &pypi("idna", "2.8", venv)));
        // Another package of the same version at the same file cannot be the base's.
        assert!(!same_package(&base, &pypi("requests", "2.8", site)));
    }
}
