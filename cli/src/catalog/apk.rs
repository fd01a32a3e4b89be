//! Alpine (and Wolfi) packages from apk's database, `lib/apk/db/installed`;
//! the Alpine branch from `etc/apk/repositories` when present, since it says
//! which advisories apply more exactly than os-release does.
//!
//! Format: <https://wiki.alpinelinux.org/wiki/Apk_spec#Package_database_format>.

use super::os::OperatingSystem;
use super::package::{Location, Package, PackageKind, Proof, SourcePackage};
use super::Error;
use crate::layer::{View, Want};
use crate::model::{Ecosystem, Purl};

/// The installed database of a large image is a few MiB.
const MAX_INSTALLED_BYTES: u64 = 64 << 20;
const MAX_REPOSITORIES_BYTES: u64 = 64 << 10;

pub(super) const WANTS: [Want; 2] = [
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
pub(super) fn refine_ecosystem(view: &View, os: &mut OperatingSystem) -> Result<(), Error> {
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

pub(super) fn catalog(
    view: &View,
    os: Option<&OperatingSystem>,
    owned: &mut std::collections::BTreeSet<String>,
) -> Result<Vec<Package>, Error> {
    let Some(file) = view.file("lib/apk/db/installed")? else {
        return Ok(Vec::new());
    };
    let text = String::from_utf8_lossy(file.bytes);
    super::ownership::apk_owned(&text, owned);
    let mut packages = Vec::new();
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
        let (Some(name), Some(version)) = (name, version) else {
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
            locations: vec![Location::of(&file, Proof::Database)],
            dev: false,
        });
    }
    Ok(packages)
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
