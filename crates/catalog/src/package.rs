//! The package type every cataloger produces, with where it was proved.

use portcullis_layer::KeptFile;
use portcullis_model::{Ecosystem, Purl};

/// Which package format proved a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackageKind {
    Deb,
    Apk,
    Rpm,
    Npm,
    Python,
    Go,
    Cargo,
    Java,
    Gem,
    Composer,
    NuGet,
}

impl PackageKind {
    pub fn name(self) -> &'static str {
        match self {
            PackageKind::Deb => "deb",
            PackageKind::Apk => "apk",
            PackageKind::Rpm => "rpm",
            PackageKind::Npm => "npm",
            PackageKind::Python => "python",
            PackageKind::Go => "go",
            PackageKind::Cargo => "cargo",
            PackageKind::Java => "java",
            PackageKind::Gem => "gem",
            PackageKind::Composer => "composer",
            PackageKind::NuGet => "nuget",
        }
    }

    /// The OSV ecosystem of a language package; distro packages take theirs from the OS.
    pub fn language_ecosystem(self) -> Option<Ecosystem> {
        match self {
            PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm => None,
            PackageKind::Npm => Some(Ecosystem::Npm),
            PackageKind::Python => Some(Ecosystem::PyPI),
            PackageKind::Go => Some(Ecosystem::Go),
            PackageKind::Cargo => Some(Ecosystem::CratesIo),
            PackageKind::Java => Some(Ecosystem::Maven),
            PackageKind::Gem => Some(Ecosystem::RubyGems),
            PackageKind::Composer => Some(Ecosystem::Packagist),
            PackageKind::NuGet => Some(Ecosystem::NuGet),
        }
    }
}

/// What inside a file proved a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proof {
    /// A package manager's database (dpkg status, rpmdb, apk installed).
    Database,
    /// An installed package's own metadata (package.json, METADATA, gemspec, installed.json).
    Metadata,
    /// A lock file or a project's own manifest: declared, not necessarily installed.
    LockFile,
    /// Build info embedded in a binary (Go, cargo-auditable).
    Binary,
    /// A jar's `META-INF/maven/**/pom.properties`.
    PomProperties,
    /// A jar's `META-INF/MANIFEST.MF`.
    JarManifest,
    /// Only the jar's file name.
    FileName,
}

impl Proof {
    pub fn name(self) -> &'static str {
        match self {
            Proof::Database => "database",
            Proof::Metadata => "metadata",
            Proof::LockFile => "lock-file",
            Proof::Binary => "binary",
            Proof::PomProperties => "pom.properties",
            Proof::JarManifest => "MANIFEST.MF",
            Proof::FileName => "file-name",
        }
    }
}

/// Whether a package is installed, only declared by a lock file, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    Installed,
    Declared,
    Both,
}

impl Evidence {
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Installed => "installed",
            Evidence::Declared => "declared",
            Evidence::Both => "both",
        }
    }
}

/// Where a package was proved: the file, the layer that wrote it, and how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Absolute path inside the image (`/var/lib/dpkg/status`); a path inside
    /// an archive is written `outer.jar!inner/path`.
    pub path: String,
    /// Index of the layer, bottom first; `None` for a root filesystem or folder.
    pub layer: Option<usize>,
    pub proof: Proof,
}

impl Location {
    /// The path of the file itself: `/a/b.jar!BOOT-INF/lib/c.jar` → `/a/b.jar`.
    pub fn outer_path(&self) -> &str {
        self.path.split('!').next().unwrap_or(&self.path)
    }

    /// The location of a kept file.
    pub fn of(file: &KeptFile<'_>, proof: Proof) -> Location {
        Location {
            path: format!("/{}", file.path),
            layer: file.layer,
            proof,
        }
    }
}

/// The package a distro package was built from (Debian `Source:`, rpm source rpm, apk origin).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourcePackage {
    pub name: String,
    pub version: String,
}

/// One package.
///
/// The version is kept as the text the package's file holds; the
/// comparators under `version/` parse it when matching.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Package {
    pub kind: PackageKind,
    pub name: String,
    pub version: String,
    pub architecture: Option<String>,
    pub ecosystem: Option<Ecosystem>,
    pub purl: Purl,
    pub source: Option<SourcePackage>,
    pub licenses: Vec<String>,
    /// Every file that proved it, sorted; never empty.
    pub locations: Vec<Location>,
    /// Declared only as a development dependency.
    pub dev: bool,
    /// Other names it is installed or declared under: an npm alias
    /// (`old-lodash` for `npm:lodash@4.17.4`). The package keeps its real
    /// name, the one advisories use.
    pub aliases: Vec<String>,
}

impl Package {
    /// A language package of `kind` proved by `location`.
    pub fn language(
        kind: PackageKind,
        name: &str,
        version: &str,
        purl: Purl,
        location: Location,
    ) -> Package {
        Package {
            kind,
            name: name.to_owned(),
            version: version.to_owned(),
            architecture: None,
            ecosystem: kind.language_ecosystem(),
            purl,
            source: None,
            licenses: Vec::new(),
            locations: vec![location],
            dev: false,
            aliases: Vec::new(),
        }
    }

    /// The package, also known as `alias` (when that is not its name).
    pub fn also_named(mut self, alias: &str) -> Package {
        if alias != self.name && !self.aliases.iter().any(|a| a == alias) {
            self.aliases.push(alias.to_owned());
        }
        self
    }

    /// Installed, declared, or both, from the proofs of its locations.
    pub fn evidence(&self) -> Evidence {
        let declared = self.locations.iter().any(|l| l.proof == Proof::LockFile);
        let installed = self.locations.iter().any(|l| l.proof != Proof::LockFile);
        match (installed, declared) {
            (true, true) => Evidence::Both,
            (false, true) => Evidence::Declared,
            (true, false) | (false, false) => Evidence::Installed,
        }
    }
}
