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
