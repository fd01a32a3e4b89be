//! Reconcile what several files say: a language package whose proof is a
//! file the distro owns is dropped (the distro package reports it), and the
//! same package proved by several files (installed metadata and a lock file,
//! two copies) becomes one package with every location.

use std::collections::{BTreeMap, BTreeSet};

use crate::package::{Package, PackageKind};

pub(super) fn reconcile(language: Vec<Package>, os_owned: &BTreeSet<String>) -> Vec<Package> {
    let mut merged: BTreeMap<(PackageKind, String, String), Package> = BTreeMap::new();
    for mut package in language {
        package
            .locations
            .retain(|location| !os_owned.contains(location.outer_path()));
        if package.locations.is_empty() {
            continue;
        }
        let key = (package.kind, package.name.clone(), package.version.clone());
        match merged.get_mut(&key) {
            Some(existing) => {
                existing.locations.extend(package.locations);
                // Dev-only when every file that names it says so.
                existing.dev &= package.dev;
                for alias in package.aliases {
                    if !existing.aliases.contains(&alias) {
                        existing.aliases.push(alias);
                    }
                }
                for license in package.licenses {
                    if !existing.licenses.contains(&license) {
                        existing.licenses.push(license);
                    }
                }
            }
            None => {
                merged.insert(key, package);
            }
        }
    }
    merged
        .into_values()
        .map(|mut package| {
            package.locations.sort();
            package.locations.dedup();
            // Installed files are not "dev" whatever a lock says.
            if package
                .locations
                .iter()
                .any(|l| l.proof != super::package::Proof::LockFile)
            {
                package.dev = false;
            }
            package
        })
        .collect()
}
