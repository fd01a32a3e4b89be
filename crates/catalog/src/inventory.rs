//! What an image holds: its OS, its packages (each named by a [`PackageId`])
//! and the files that could not be used.

use crate::go_binaries::GoBinaries;
use crate::os::OperatingSystem;
use crate::package::Package;

/// Names one package of one [`Inventory`]. Only an inventory hands these out,
/// so an id always names a package of the inventory it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageId(usize);

impl PackageId {
    /// Its place in the inventory's `packages()`.
    pub fn index(self) -> usize {
        self.0
    }
}

/// A file a cataloger wanted but could not use; the analysis is then partial.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: String,
    pub layer: Option<usize>,
    pub message: String,
}

/// What an image holds.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub os: Option<OperatingSystem>,
    packages: Vec<Package>,
    pub diagnostics: Vec<Diagnostic>,
    go_binaries: GoBinaries,
}

impl Inventory {
    pub fn new(
        os: Option<OperatingSystem>,
        packages: Vec<Package>,
        diagnostics: Vec<Diagnostic>,
    ) -> Inventory {
        Inventory {
            os,
            packages,
            diagnostics,
            go_binaries: GoBinaries::default(),
        }
    }

    /// The same inventory, knowing what its Go binaries link.
    pub fn with_go_binaries(mut self, go_binaries: GoBinaries) -> Inventory {
        self.go_binaries = go_binaries;
        self
    }

    /// The Go binaries it was read from, with their linked functions.
    pub fn go_binaries(&self) -> &GoBinaries {
        &self.go_binaries
    }

    /// Whether some wanted file could not be used.
    pub fn partial(&self) -> bool {
        !self.diagnostics.is_empty()
    }

    /// Every package, in the inventory's order.
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// Every package with its id, in the inventory's order.
    pub fn iter(&self) -> impl Iterator<Item = (PackageId, &Package)> {
        self.packages
            .iter()
            .enumerate()
            .map(|(index, package)| (PackageId(index), package))
    }

    /// The package `id` names.
    ///
    /// # Panics
    ///
    /// When `id` came from another inventory; ids are only made by [`Inventory::iter`].
    pub fn package(&self, id: PackageId) -> &Package {
        // In bounds: a PackageId is only made by this inventory's `iter`,
        // and an inventory's packages never change after it is built.
        &self.packages[id.0]
    }
}
