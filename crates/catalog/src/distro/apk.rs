//! Alpine (and Wolfi) packages from apk's database, `lib/apk/db/installed`;
//! the Alpine branch from `etc/apk/repositories` when present, since it says
//! which advisories apply more exactly than os-release does.
//!
//! Format: <https://wiki.alpinelinux.org/wiki/Apk_spec#Package_database_format>.

use portcullis_layer::{KeptFile, View, Want};
use portcullis_model::{Ecosystem, Purl};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::os::OperatingSystem;
use crate::package::{Location, Package, PackageKind, Proof, SourcePackage};
use crate::Error;

/// The installed database of a large image is a few MiB.
const MAX_INSTALLED_BYTES: u64 = 64 << 20;
const MAX_REPOSITORIES_BYTES: u64 = 64 << 10;

const WANTS: [Want; 2] = [
    Want::whole("lib/apk/db/installed", MAX_INSTALLED_BYTES),
    Want::whole("etc/apk/repositories", MAX_REPOSITORIES_BYTES),
];

/// The branch (`v3.20`, `edge`) of the first Alpine repository line.
fn branch_in(repositories: &str) -> Option<String> {
    repositories
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .find_map(|line| {
            line.split('/')
                .find(|part| *part == "edge" || (part.starts_with('v') && part[1..].contains('.')))
                .map(str::to_owned)
        })
}

/// Refines an Alpine ecosystem with the branch the repositories name.
pub(crate) fn refine_ecosystem(view: &View, os: &mut OperatingSystem) -> Result<(), Error> {
    if !matches!(os.ecosystem, Ecosystem::Alpine { .. }) {
        return Ok(());
    }
    if let Some(file) = view.file("etc/apk/repositories")? {
        if let Some(branch) = branch_in(&String::from_utf8_lossy(file.bytes)) {
            os.ecosystem = Ecosystem::Alpine {
                branch: Some(branch),
            };
        }
    }
    Ok(())
}

/// Absolute paths apk's database lists (`F:` a folder, `R:` a file in it).
fn owned_files(installed: &str) -> Vec<String> {
    let mut owned = Vec::new();
    let mut folder = "";
    for line in installed.lines() {
        if let Some(dir) = line.strip_prefix("F:") {
            folder = dir;
        } else if let Some(file) = line.strip_prefix("R:") {
            owned.push(format!("/{folder}/{file}"));
        }
    }
    owned
}

/// apk's database, `lib/apk/db/installed`.
pub(crate) struct Apk;

impl Cataloger for Apk {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn family(&self) -> Family {
        Family::Distro
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, context: &Context<'_>) -> Result<Found, ParseError> {
        // The repositories refine the OS (see `refine_ecosystem`); only the database lists packages.
        if file.path != "lib/apk/db/installed" {
            return Ok(Found::default());
        }
        let text = String::from_utf8_lossy(file.bytes);
        let (packages, unread) = packages(file, &text, context.os);
        Ok(Found {
            packages,
            owned_files: owned_files(&text),
            unread,
            ..Found::default()
        })
    }
}

/// The installed packages, and the records that name a package without a
/// version (apk itself would refuse the database).
fn packages(
    file: &KeptFile<'_>,
    text: &str,
    os: Option<&OperatingSystem>,
) -> (Vec<Package>, Vec<String>) {
    let mut packages = Vec::new();
    let mut unread = Vec::new();
    for block in text.split("\n\n") {
        let mut name = None;
        let mut version = None;
        let mut architecture = None;
        let mut origin = None;
        let mut license = None;
        for line in block.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            match key {
                "P" => name = Some(value),
                "V" => version = Some(value),
                "A" => architecture = Some(value),
                "o" => origin = Some(value),
                "L" => license = Some(value),
                _ => {}
            }
        }
        let (Some(name), Some(version)) = (name, version.filter(|v| !v.trim().is_empty())) else {
            if let Some(name) = name {
                unread.push(format!(
                    "the installed package {} has no version (`V:`); it could not be matched",
                    portcullis_model::quote(name)
                ));
            }
            continue;
        };
        let namespace = os.map_or("alpine".to_owned(), |os| os.ecosystem.purl_namespace());
        let purl = Purl::new("apk", name)
            .with_namespace(&namespace)
            .with_version(version)
            .with_qualifier("arch", architecture.unwrap_or(""))
            .with_qualifier(
                "distro",
                &os.map(OperatingSystem::distro_qualifier)
                    .unwrap_or_default(),
            );
        packages.push(Package {
            kind: PackageKind::Apk,
            name: name.to_owned(),
            version: version.to_owned(),
            architecture: architecture.map(str::to_owned),
            ecosystem: os.map(|os| os.ecosystem.clone()),
            purl,
            source: origin.map(|origin| SourcePackage {
                name: origin.to_owned(),
                version: version.to_owned(),
            }),
            licenses: license.map(|l| vec![l.to_owned()]).unwrap_or_default(),
            locations: vec![Location::of(file, Proof::Database)],
            dev: false,
            aliases: Vec::new(),
        });
    }
    (packages, unread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_name_the_branch() {
        // Source: /etc/apk/repositories of alpine:3.20.
        let text = "https://dl-cdn.alpinelinux.org/alpine/v3.20/main\nhttps://dl-cdn.alpinelinux.org/alpine/v3.20/community\n";
        assert_eq!(branch_in(text).as_deref(), Some("v3.20"));
        assert_eq!(
            branch_in("https://dl-cdn.alpinelinux.org/alpine/edge/main").as_deref(),
            Some("edge")
        );
        assert_eq!(branch_in("# nothing\n"), None);
    }
}
