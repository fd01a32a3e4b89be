//! rpm packages from rpm's database, in whichever backend the image uses:
//! SQLite (`rpmdb.sqlite`, rpm ≥ 4.16), Berkeley DB (`Packages`, older rpm) or
//! NDB (`Packages.db`, SUSE). Each record is a header blob (see `header.rs`).

mod bdb;
pub(crate) mod header;
mod ndb;
mod sqlite;

use header::{split_source_rpm, Header};

use portcullis_layer::{KeptFile, Want};
use portcullis_model::Purl;

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::os::OperatingSystem;
use crate::package::{Location, Package, PackageKind, Proof, SourcePackage};
use crate::Error;

pub(crate) use header::HeaderError;

/// rpm databases of large images reach a few hundred MiB.
const MAX_RPMDB_BYTES: u64 = 512 << 20;

/// The database backends rpm has used.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    BerkeleyDb,
    Ndb,
}

/// Where each backend keeps its file, newest layout first; the first present wins.
const DATABASES: [(&str, Backend); 6] = [
    ("usr/lib/sysimage/rpm/rpmdb.sqlite", Backend::Sqlite),
    ("var/lib/rpm/rpmdb.sqlite", Backend::Sqlite),
    ("usr/lib/sysimage/rpm/Packages.db", Backend::Ndb),
    ("var/lib/rpm/Packages.db", Backend::Ndb),
    ("usr/lib/sysimage/rpm/Packages", Backend::BerkeleyDb),
    ("var/lib/rpm/Packages", Backend::BerkeleyDb),
];

const fn want(pattern: &'static str) -> Want {
    Want::whole(pattern, MAX_RPMDB_BYTES)
}

const WANTS: [Want; 6] = [
    want(DATABASES[0].0),
    want(DATABASES[1].0),
    want(DATABASES[2].0),
    want(DATABASES[3].0),
    want(DATABASES[4].0),
    want(DATABASES[5].0),
];

/// Why an rpm database could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    BerkeleyDb(#[from] bdb::BdbError),
    #[error(transparent)]
    Ndb(#[from] ndb::NdbError),
}

fn header_blobs(backend: Backend, bytes: &[u8]) -> Result<Vec<Vec<u8>>, DatabaseError> {
    Ok(match backend {
        Backend::Sqlite => sqlite::header_blobs(bytes)?,
        Backend::BerkeleyDb => bdb::values(bytes)?,
        Backend::Ndb => ndb::values(bytes)?,
    })
}

/// rpm's BDB stores a 4-byte instance counter beside the headers; skip such stubs.
const MIN_HEADER_BYTES: usize = 16;

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
        locations: vec![Location::of(file, Proof::Database)],
        dev: false,
        aliases: Vec::new(),
    })
}

/// rpm's database, in whichever backend the image has; the newest layout present wins.
pub(crate) struct Rpm;

impl Cataloger for Rpm {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn family(&self) -> Family {
        Family::Distro
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, context: &Context<'_>) -> Result<Found, ParseError> {
        let Some(position) = DATABASES.iter().position(|(path, _)| *path == file.path) else {
            return Ok(Found::default());
        };
        for (path, _) in DATABASES.iter().take(position) {
            if context.view.file(path)?.is_some() {
                return Ok(Found::default());
            }
        }
        let Some((_, backend)) = DATABASES.get(position) else {
            return Ok(Found::default());
        };
        let blobs = header_blobs(*backend, file.bytes).map_err(|source| Error::RpmDatabase {
            path: format!("/{}", file.path),
            layer: file.layer,
            source,
        })?;
        let mut found = Found::default();
        for (row, blob) in blobs.iter().enumerate() {
            if blob.len() < MIN_HEADER_BYTES {
                continue;
            }
            let mut header = Header::parse(blob).map_err(|source| Error::RpmHeader {
                path: format!("/{}", file.path),
                row,
                source,
            })?;
            found.owned_files.extend(std::mem::take(&mut header.files));
            found.packages.extend(package_of(header, file, context.os));
        }
        Ok(found)
    }
}
