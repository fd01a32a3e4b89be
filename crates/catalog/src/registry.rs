//! The one list of catalogers, and what it derives: the compiled selection
//! the layer walker keeps files by, and which cataloger each kept file goes to.

use std::sync::OnceLock;

use portcullis_layer::{KeptFile, KeptKind, Selection, View, Want};

use crate::cataloger::Cataloger;
use crate::distro::{apk, dpkg, dpkg_files, rpm};
use crate::language::{
    cargo, composer, dotnet, executable, gem, go_mod, java_archive, npm, npm_lock, pnpm_lock,
    python, python_lock, yarn_lock,
};
use crate::{os, Error};

/// Bump when a cataloger changes what it keeps or how, to invalidate cached layers.
const COLLECTOR_VERSION: &str = "portcullis-collectors-3";

/// Every cataloger, distro ones first; language packages from two files merge
/// in this order.
pub(crate) const CATALOGERS: [&dyn Cataloger; 17] = [
    &dpkg::Dpkg,
    &dpkg_files::DpkgFiles,
    &apk::Apk,
    &rpm::Rpm,
    &npm::NpmManifest,
    &python::PythonMetadata,
    &python_lock::PythonLock,
    &npm_lock::NpmLock,
    &yarn_lock::YarnLock,
    &pnpm_lock::PnpmLock,
    &go_mod::GoMod,
    &cargo::CargoLock,
    &gem::Gem,
    &composer::Composer,
    &dotnet::Dotnet,
    &java_archive::JavaArchive,
    &executable::Executable,
];

/// The compiled selection and which cataloger owns each of its wants.
pub(crate) struct Registry {
    selection: Selection,
    /// For each want of the selection, in order: its cataloger, or `None` for the OS's.
    owners: Vec<Option<usize>>,
    /// The catalogers that keep files by content.
    sniffers: Vec<usize>,
}

fn build() -> Result<Registry, globset::Error> {
    let mut wants: Vec<Want> = os::WANTS.to_vec();
    let mut owners = vec![None; wants.len()];
    let mut sniffs = Vec::new();
    let mut sniffers = Vec::new();
    for (index, cataloger) in CATALOGERS.iter().enumerate() {
        wants.extend_from_slice(cataloger.wants());
        owners.resize(wants.len(), Some(index));
        if !cataloger.sniffs().is_empty() {
            sniffs.extend_from_slice(cataloger.sniffs());
            sniffers.push(index);
        }
    }
    Ok(Registry {
        selection: Selection::new(&wants, &sniffs, COLLECTOR_VERSION)?,
        owners,
        sniffers,
    })
}

/// The registry, compiled once per process.
pub(crate) fn registry() -> Result<&'static Registry, Error> {
    static REGISTRY: OnceLock<Result<Registry, globset::Error>> = OnceLock::new();
    REGISTRY
        .get_or_init(build)
        .as_ref()
        .map_err(|error| Error::Patterns(error.clone()))
}

impl Registry {
    pub(crate) fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Every kept file of `view`, by the cataloger it goes to (same order as
    /// [`CATALOGERS`]), each cataloger's files in path order.
    pub(crate) fn dispatch<'v>(&self, view: &'v View) -> Vec<Vec<KeptFile<'v>>> {
        let mut buckets: Vec<Vec<KeptFile<'v>>> = CATALOGERS.iter().map(|_| Vec::new()).collect();
        let mut matches = Vec::new();
        for (file, kind) in view.kept_files() {
            let owner = self
                .selection
                .want_index(file.path, &mut matches)
                .and_then(|index| self.owners.get(index).copied().flatten());
            let owners: Vec<usize> = match (owner, kind) {
                (Some(owner), _) => vec![owner],
                // Kept by content: only a sniffing cataloger made it.
                (None, KeptKind::Extracted) => self.sniffers.clone(),
                (None, KeptKind::Whole) => Vec::new(),
            };
            for owner in owners {
                if let Some(bucket) = buckets.get_mut(owner) {
                    bucket.push(file);
                }
            }
        }
        buckets
    }
}
