//! rpm packages from rpm's database, in the backend the image uses: SQLite
//! (`rpmdb.sqlite`, rpm ≥ 4.16). Each row is a header blob (see `header.rs`).

mod header;
mod sqlite;

use header::{split_source_rpm, Header};

use super::os::OperatingSystem;
use super::package::{Location, Package, PackageKind, SourcePackage};
use super::Error;
use crate::layer::{KeptFile, View, Want};
use crate::model::Purl;

pub(crate) use header::HeaderError;

/// rpm databases of large images reach a few hundred MiB.
const MAX_RPMDB_BYTES: u64 = 512 << 20;

const SQLITE_PATHS: [&str; 2] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

pub(super) const WANTS: [Want; 2] = [
    Want {
        pattern: "var/lib/rpm/rpmdb.sqlite",
        max_bytes: MAX_RPMDB_BYTES,
    },
    Want {
        pattern: "usr/lib/sysimage/rpm/rpmdb.sqlite",
        max_bytes: MAX_RPMDB_BYTES,
    },
];

fn package_of(
    header: Header,
    file: &KeptFile<'_>,
    os: Option<&OperatingSystem>,
) -> Option<Package> {
    let name = header.name?;
    // rpm keeps imported signing keys as pseudo-packages.
    if name == "gpg-pubkey" {
        return None;
    }
    let version = header.version?;
    let release = header.release.unwrap_or_default();
    let version_release = if release.is_empty() {
        version
    } else {
        format!("{version}-{release}")
    };
    let full_version = match header.epoch {
        Some(epoch) => format!("{epoch}:{version_release}"),
        None => version_release.clone(),
    };
    let namespace = os.map_or("redhat".to_owned(), |os| os.ecosystem.purl_namespace());
    let purl = Purl::new("rpm", &name)
        .with_namespace(&namespace)
        .with_version(&version_release)
        .with_qualifier("arch", header.architecture.as_deref().unwrap_or(""))
        .with_qualifier(
            "epoch",
            &header.epoch.map(|e| e.to_string()).unwrap_or_default(),
        )
        .with_qualifier(
            "distro",
            &os.map(OperatingSystem::distro_qualifier)
                .unwrap_or_default(),
        );
    Some(Package {
        kind: PackageKind::Rpm,
        source: header
            .source_rpm
            .as_deref()
            .and_then(split_source_rpm)
            .map(|(name, version)| SourcePackage { name, version }),
        name,
        version: full_version,
        architecture: header.architecture,
        ecosystem: os.map(|os| os.ecosystem.clone()),
        purl,
        licenses: header.license.into_iter().collect(),
        location: Location {
            path: format!("/{}", file.path),
            layer: file.layer,
        },
    })
}

pub(super) fn catalog(view: &View, os: Option<&OperatingSystem>) -> Result<Vec<Package>, Error> {
    let mut packages = Vec::new();
    for path in SQLITE_PATHS {
        let Some(file) = view.file(path)? else {
            continue;
        };
        let blobs = sqlite::header_blobs(file.bytes).map_err(|source| Error::RpmSqlite {
            path: format!("/{}", file.path),
            layer: file.layer,
            source,
        })?;
        for (row, blob) in blobs.iter().enumerate() {
            let header = Header::parse(blob).map_err(|source| Error::RpmHeader {
                path: format!("/{}", file.path),
                row,
                source,
            })?;
            packages.extend(package_of(header, &file, os));
        }
        break;
    }
    Ok(packages)
}
