//! Turn the kept files of an image into packages, and detect its OS.
//!
//! Each package format is one [`Cataloger`]: it declares the files it wants
//! kept (by path pattern or by content) and parses one kept file. They are
//! listed once, in `registry.rs`, which also compiles what they want into the
//! [`Selection`] the layer walker keeps files by. [`catalog`] runs them, drops
//! language packages whose files the distro owns, and merges what several
//! files prove about one package.
//!
//! - `distro/`: package-manager databases (dpkg, apk, rpm);
//! - `language/`: lock files, manifests and binaries of each language;
//! - `sbom.rs`: a CycloneDX or SPDX document read as an inventory.

mod cataloger;
mod distro;
mod error;
mod fields;
mod go_binaries;
mod inventory;
mod language;
mod os;
mod package;
mod reconcile;
mod registry;
mod sbom;
#[cfg(test)]
mod testutil;

use std::collections::BTreeSet;

use portcullis_layer::{Selection, View};

pub use cataloger::{Cataloger, Context, Family, Found, ParseError};
pub use error::Error;
pub use go_binaries::{GoBinaries, GoBinary, GoTable, LinkedSymbols};
pub use inventory::{Diagnostic, Inventory, PackageId};
pub use language::go_pclntab::function_names as go_function_names;
pub use os::OperatingSystem;
pub use package::{Evidence, Location, Package, PackageKind, Proof, SourcePackage};
pub use sbom::read as read_sbom;

use error::layer_label;
use registry::{registry, CATALOGERS};

/// What every cataloger wants, compiled once.
pub fn selection() -> Result<Selection, Error> {
    Ok(registry()?.selection().clone())
}

/// Catalogs every package in `view`, sorted by kind, name and version.
pub fn catalog(view: &View) -> Result<Inventory, Error> {
    let registry = registry()?;
    let mut os = os::detect(view)?;
    if let Some(os) = &mut os {
        distro::apk::refine_ecosystem(view, os)?;
    }
    let context = Context {
        view,
        os: os.as_ref(),
    };
    let mut diagnostics: Vec<Diagnostic> = view
        .skipped
        .iter()
        .map(|(path, layer, why)| {
            tracing::warn!("skipped `/{path}` ({}): {why}", layer_label(*layer));
            Diagnostic {
                path: format!("/{path}"),
                layer: *layer,
                message: why.clone(),
            }
        })
        .collect();
    let mut owned = BTreeSet::new();
    let mut go_binaries = GoBinaries::default();
    let mut packages = Vec::new();
    let mut language = Vec::new();
    for (cataloger, files) in CATALOGERS.iter().zip(registry.dispatch(view)) {
        for file in files {
            let found = match cataloger.parse(&file, &context) {
                Ok(found) => found,
                Err(ParseError::Image(error)) => return Err(*error),
                Err(ParseError::Unusable(why)) => {
                    tracing::warn!(
                        "skipped `/{}` ({}): {why}",
                        file.path,
                        layer_label(file.layer)
                    );
                    diagnostics.push(Diagnostic {
                        path: format!("/{}", file.path),
                        layer: file.layer,
                        message: why,
                    });
                    continue;
                }
            };
            owned.extend(found.owned_files);
            for binary in found.go_binaries {
                go_binaries.insert(binary);
            }
            for why in found.unread {
                tracing::warn!("`/{}` ({}): {why}", file.path, layer_label(file.layer));
                diagnostics.push(Diagnostic {
                    path: format!("/{}", file.path),
                    layer: file.layer,
                    message: why,
                });
            }
            match cataloger.family() {
                Family::Distro => packages.extend(found.packages),
                Family::Language => language.extend(found.packages),
            }
        }
    }
    packages.extend(reconcile::reconcile(language, &owned));
    packages.sort();
    diagnostics.sort();
    Ok(Inventory::new(os, packages, diagnostics).with_go_binaries(go_binaries))
}
