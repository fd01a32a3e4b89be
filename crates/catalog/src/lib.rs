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

use std::collections::{BTreeMap, BTreeSet};

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
    let mut unread = Vec::new();
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
                unread.push((
                    cataloger.family(),
                    Diagnostic {
                        path: format!("/{}", file.path),
                        layer: file.layer,
                        message: why,
                    },
                ));
            }
            match cataloger.family() {
                Family::Distro => packages.extend(found.packages),
                Family::Language => language.extend(found.packages),
            }
        }
    }
    // What a language file could not say, unless the distro owns the file
    // (a requirements file in `/usr/share/doc`): the distro's package and
    // its advisories answer for it, as for the packages such files name.
    let mut passed_over: BTreeMap<String, usize> = BTreeMap::new();
    for (family, diagnostic) in unread {
        if family == Family::Language && owned.contains(&diagnostic.path) {
            *passed_over.entry(diagnostic.path).or_default() += 1;
            continue;
        }
        tracing::warn!(
            "`{}` ({}): {}",
            diagnostic.path,
            layer_label(diagnostic.layer),
            diagnostic.message
        );
        diagnostics.push(diagnostic);
    }
    for (path, count) in passed_over {
        tracing::debug!(
            "`{path}` is the distro's: {count} entries it could not say are its package's"
        );
    }
    // A distro's packages are matched against their release's advisories
    // only: without a known OS none of them can be (`/etc/os-release`).
    // An OS Portcullis knows no advisories for is the same.
    let unplaced: Vec<&Package> = packages
        .iter()
        .filter(|p| {
            matches!(
                p.ecosystem,
                None | Some(portcullis_model::Ecosystem::OtherOs(_))
            )
        })
        .collect();
    if let Some(first) = unplaced.first() {
        let os_named = match os.as_ref() {
            Some(os) => format!(
                "the OS `{}` is not one Portcullis has advisories for",
                portcullis_model::quote(&os.id)
            ),
            None => "the OS could not be identified from `/etc/os-release`".to_owned(),
        };
        diagnostics.push(Diagnostic {
            path: first
                .locations
                .first()
                .map_or_else(String::new, |l| l.path.clone()),
            layer: first.locations.first().and_then(|l| l.layer),
            message: format!(
                "{} OS packages were found but {os_named}: they could not be matched",
                unplaced.len()
            ),
        });
    }
    packages.extend(reconcile::reconcile(language, &owned));
    packages.sort();
    diagnostics.sort();
    Ok(Inventory::new(os, packages, diagnostics).with_go_binaries(go_binaries))
}
