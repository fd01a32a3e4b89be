//! Turn the kept files of an image into packages, and detect its OS.
//!
//! Each package format has its own file; each declares what it wants kept
//! (`WANTS` by path, `SNIFFS` by content), which [`selection`] hands to the
//! layer reader. [`catalog`] runs them all, drops language packages the
//! distro owns, and merges what several files prove about one package.

mod apk;
mod cargo;
mod composer;
mod dotnet;
mod dpkg;
mod elf;
mod executable;
mod fields;
mod gem;
mod go_binary;
mod go_mod;
mod java_archive;
mod npm;
mod os;
mod ownership;
mod package;
mod pnpm_lock;
mod python;
mod python_lock;
mod reconcile;
mod rpm;
mod sbom;
#[cfg(test)]
mod testutil;
mod yarn_lock;

use std::collections::BTreeSet;

use crate::layer::{self, KeptFile, Selection, View, Want};

pub(crate) use os::OperatingSystem;
pub(crate) use package::{Package, PackageKind};
pub(crate) use sbom::read as read_sbom;

/// Bump when a cataloger changes what it keeps or how, to invalidate cached layers.
const COLLECTOR_VERSION: &str = "portcullis-collectors-2";

/// Why cataloging failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("could not look up a file in the image")]
    Lookup(#[from] layer::Error),
    #[error("`{path}` ({}) is not a readable rpm database", layer_label(*.layer))]
    RpmDatabase {
        path: String,
        layer: Option<usize>,
        #[source]
        source: rpm::DatabaseError,
    },
    #[error("row {row} of `{path}` is not a valid rpm header")]
    RpmHeader {
        path: String,
        row: usize,
        #[source]
        source: rpm::HeaderError,
    },
    #[error("the catalogers' path patterns do not compile")]
    Patterns(#[source] globset::Error),
}

fn layer_label(layer: Option<usize>) -> String {
    layer.map_or("root filesystem".to_owned(), |i| format!("layer {}", i + 1))
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub(crate) fn is_undecided(&self) -> bool {
        match self {
            Error::Lookup(inner) => inner.is_undecided(),
            Error::Patterns(_) => true,
            Error::RpmDatabase { .. } | Error::RpmHeader { .. } => false,
        }
    }
}

/// Why one file could not be read; the scan goes on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError(String);

impl ParseError {
    pub(crate) fn text(message: impl Into<String>) -> ParseError {
        ParseError(message.into())
    }

    pub(crate) fn json(error: serde_json::Error) -> ParseError {
        ParseError(format!(
            "it is not valid JSON of the expected shape: {error}"
        ))
    }

    pub(crate) fn toml(error: toml::de::Error) -> ParseError {
        ParseError(format!(
            "it is not valid TOML of the expected shape: {}",
            error.message()
        ))
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One file and what parsing it gave.
pub(crate) type Parsed<'a> = (KeptFile<'a>, Result<Vec<Package>, ParseError>);

/// A file a cataloger wanted but could not use; the analysis is then partial.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Diagnostic {
    pub(crate) path: String,
    pub(crate) layer: Option<usize>,
    pub(crate) message: String,
}

/// What an image holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inventory {
    pub(crate) os: Option<OperatingSystem>,
    pub(crate) packages: Vec<Package>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Inventory {
    /// Whether some wanted file could not be used.
    pub(crate) fn partial(&self) -> bool {
        !self.diagnostics.is_empty()
    }
}

/// What every cataloger wants, compiled once.
pub(crate) fn selection() -> Result<Selection, Error> {
    let groups: [&[Want]; 17] = [
        &os::WANTS,
        &dpkg::WANTS,
        &apk::WANTS,
        &rpm::WANTS,
        &ownership::WANTS,
        &npm::WANTS,
        &yarn_lock::WANTS,
        &pnpm_lock::WANTS,
        &python::WANTS,
        &python_lock::WANTS,
        &go_mod::WANTS,
        &cargo::WANTS,
        &java_archive::WANTS,
        &gem::WANTS,
        &composer::WANTS,
        &dotnet::WANTS,
        &[],
    ];
    let wants: Vec<Want> = groups
        .iter()
        .flat_map(|group| group.iter().copied())
        .collect();
    Selection::new(&wants, &executable::SNIFFS, COLLECTOR_VERSION).map_err(Error::Patterns)
}

/// Collects one file's packages, or a diagnostic when it could not be parsed.
fn collect(
    file: &KeptFile<'_>,
    parsed: Result<Vec<Package>, ParseError>,
    packages: &mut Vec<Package>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match parsed {
        Ok(found) => packages.extend(found),
        Err(error) => {
            tracing::warn!(
                "skipped `/{}` ({}): {error}",
                file.path,
                layer_label(file.layer)
            );
            diagnostics.push(Diagnostic {
                path: format!("/{}", file.path),
                layer: file.layer,
                message: error.to_string(),
            });
        }
    }
}

/// Language packages from every lock file, manifest and binary in `view`.
fn language_packages(
    view: &View,
    packages: &mut Vec<Package>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    for (file, parsed) in npm::manifests(view)? {
        collect(&file, parsed, packages, diagnostics);
    }
    for (file, parsed) in python::catalog(view)
        .into_iter()
        .chain(python_lock::catalog(view))
    {
        collect(&file, parsed, packages, diagnostics);
    }
    type Parser = fn(&KeptFile<'_>) -> Result<Vec<Package>, ParseError>;
    let by_name: [(&str, Parser); 11] = [
        ("package-lock.json", npm::lock),
        (".package-lock.json", npm::lock),
        ("yarn.lock", yarn_lock::parse),
        ("pnpm-lock.yaml", pnpm_lock::parse),
        ("go.mod", go_mod::parse),
        ("Cargo.lock", cargo::lock),
        ("Gemfile.lock", gem::gemfile_lock),
        ("*.gemspec", gem::gemspec),
        ("installed.json", composer::installed),
        ("composer.lock", composer::lock),
        ("packages.lock.json", dotnet::lock),
    ];
    for (name, parser) in by_name {
        for file in view.files_named(&[name]) {
            if name == "installed.json" && !file.path.ends_with("vendor/composer/installed.json") {
                continue;
            }
            let parsed = parser(&file);
            collect(&file, parsed, packages, diagnostics);
        }
    }
    for file in view.files_named(&["*.deps.json"]) {
        let parsed = dotnet::deps_json(&file);
        collect(&file, parsed, packages, diagnostics);
    }
    for file in view.extracted() {
        let parsed = if [".jar", ".war", ".ear"]
            .iter()
            .any(|s| file.path.ends_with(s))
        {
            java_archive::summary(file.bytes)
                .map(|artifacts| java_archive::packages(&file, &artifacts))
                .map_err(ParseError::json)
        } else {
            executable::summary(file.bytes)
                .map_err(ParseError::json)
                .and_then(|summary| {
                    let mut found = Vec::new();
                    if let Some(info) = &summary.go {
                        found.extend(go_binary::packages(&file, info)?);
                    }
                    if let Some(crates) = &summary.rust {
                        found.extend(cargo::audited_packages(&file, crates));
                    }
                    Ok(found)
                })
        };
        collect(&file, parsed, packages, diagnostics);
    }
    Ok(())
}

/// Catalogs every package in `view`, sorted by kind, name and version.
pub(crate) fn catalog(view: &View) -> Result<Inventory, Error> {
    let mut os = os::detect(view)?;
    if let Some(os) = &mut os {
        apk::refine_ecosystem(view, os)?;
    }
    let mut owned = BTreeSet::new();
    let mut packages = dpkg::catalog(view, os.as_ref())?;
    ownership::dpkg_owned(view, &mut owned);
    packages.extend(apk::catalog(view, os.as_ref(), &mut owned)?);
    packages.extend(rpm::catalog(view, os.as_ref(), &mut owned)?);
    let mut diagnostics = Vec::new();
    for (path, layer, why) in &view.skipped {
        tracing::warn!("skipped `/{path}` ({}): {why}", layer_label(*layer));
        diagnostics.push(Diagnostic {
            path: format!("/{path}"),
            layer: *layer,
            message: why.clone(),
        });
    }
    let mut language = Vec::new();
    language_packages(view, &mut language, &mut diagnostics)?;
    packages.extend(reconcile::reconcile(language, &owned));
    packages.sort();
    diagnostics.sort();
    Ok(Inventory {
        os,
        packages,
        diagnostics,
    })
}
