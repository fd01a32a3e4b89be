//! The package type every cataloger produces.

use crate::model::{Ecosystem, Purl};

/// Which package format proved a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PackageKind {
    Deb,
    Apk,
    Rpm,
}

impl PackageKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
        }
    }
}

/// Where a package was proved: the file and the layer that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Location {
    /// Absolute path inside the image (`/var/lib/dpkg/status`).
    pub(crate) path: String,
    /// Index of the layer, bottom first; `None` for a root filesystem.
    pub(crate) layer: Option<usize>,
}

/// The package a distro package was built from (Debian `Source:`, rpm source rpm, apk origin).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SourcePackage {
    pub(crate) name: String,
    pub(crate) version: String,
}

/// One installed package.
///
/// The version is kept as the text the package database holds; the
/// comparators under `version/` parse it when matching.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Package {
    pub(crate) kind: PackageKind,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) architecture: Option<String>,
    pub(crate) ecosystem: Option<Ecosystem>,
    pub(crate) purl: Purl,
    pub(crate) source: Option<SourcePackage>,
    pub(crate) licenses: Vec<String>,
    pub(crate) location: Location,
}
