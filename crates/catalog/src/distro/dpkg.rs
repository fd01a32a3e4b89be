//! Debian packages from dpkg's database: `var/lib/dpkg/status`, and the
//! per-package files distroless images keep in `var/lib/dpkg/status.d/`.
//! Licences come from machine-readable `usr/share/doc/<pkg>/copyright` files.
//!
//! Format: deb-control(5), <https://man7.org/linux/man-pages/man5/deb-control.5.html>;
//! copyright: <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>.

use std::collections::BTreeSet;

use portcullis_layer::{KeptFile, View, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use crate::os::OperatingSystem;
use crate::package::{Location, Package, PackageKind, Proof, SourcePackage};
use portcullis_model::Purl;

/// A status file of a large image is a few MiB; 64 MiB is far past any real one.
const MAX_STATUS_BYTES: u64 = 64 << 20;
/// Copyright files are text; 1 MiB covers the largest in Debian.
const MAX_COPYRIGHT_BYTES: u64 = 1 << 20;

const WANTS: [Want; 3] = [
    Want::whole("var/lib/dpkg/status", MAX_STATUS_BYTES),
    Want::whole("var/lib/dpkg/status.d/*", MAX_STATUS_BYTES),
    Want::whole("usr/share/doc/*/copyright", MAX_COPYRIGHT_BYTES),
];

/// One control paragraph, as (field, value) pairs with continuation lines joined.
fn paragraphs(text: &str) -> Vec<Vec<(&str, String)>> {
    let mut all = Vec::new();
    let mut current: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                all.push(std::mem::take(&mut current));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
        } else if let Some((field, value)) = line.split_once(':') {
            current.push((field.trim(), value.trim().to_owned()));
        }
    }
    if !current.is_empty() {
        all.push(current);
    }
    all
}

fn field<'a>(paragraph: &'a [(&str, String)], name: &str) -> Option<&'a str> {
    paragraph
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// `Source: openssl (3.0.11-1)` names the source and its version; a bare name
/// means the same version as the binary package.
fn source_of(paragraph: &[(&str, String)], version: &str) -> Option<SourcePackage> {
    let source = field(paragraph, "Source")?;
    let (name, source_version) = match source.split_once('(') {
        Some((name, rest)) => (name.trim(), rest.trim_end_matches(')').trim()),
        None => (source.trim(), version),
    };
    Some(SourcePackage {
        name: name.to_owned(),
        version: source_version.to_owned(),
    })
}

/// The distinct `License:` short names of a DEP-5 copyright file.
fn licenses_in(copyright: &str) -> Vec<String> {
    let mut names = BTreeSet::new();
    for line in copyright.lines() {
        if let Some(value) = line.strip_prefix("License:") {
            let value = value.trim();
            if !value.is_empty() {
                names.insert(value.to_owned());
            }
        }
    }
    names.into_iter().collect()
}

fn packages_in(
    file: &KeptFile<'_>,
    os: Option<&OperatingSystem>,
    view: &View,
    found: &mut Found,
) -> Result<(), ParseError> {
    let text = String::from_utf8_lossy(file.bytes);
    // dpkg's own database says for each stanza whether it is on disk;
    // distroless `status.d` files hold one installed package and no Status.
    let status_required = file.path == "var/lib/dpkg/status";
    let paragraphs = paragraphs(&text);
    // dpkg refuses a database it cannot parse; an empty one is a fresh root.
    if !text.trim().is_empty() && !paragraphs.iter().any(|p| field(p, "Package").is_some()) {
        return Err(ParseError::text(
            "it holds no package stanza (no `Package:` field): not a dpkg database",
        ));
    }
    for paragraph in paragraphs {
        let Some(name) = field(&paragraph, "Package") else {
            continue;
        };
        // `Status: install ok installed`: only the last word says it is on disk.
        let installed = match field(&paragraph, "Status") {
            Some(status) => status.split_whitespace().last() == Some("installed"),
            None => !status_required,
        };
        if !installed {
            continue;
        }
        let Some(version) = field(&paragraph, "Version") else {
            found.unread.push(format!(
                "the installed package {} has no `Version`; it could not be matched",
                portcullis_model::quote(name)
            ));
            continue;
        };
        let architecture = field(&paragraph, "Architecture").map(str::to_owned);
        let namespace = os.map_or("debian".to_owned(), |os| os.ecosystem.purl_namespace());
        let purl = Purl::new("deb", name)
            .with_namespace(&namespace)
            .with_version(version)
            .with_qualifier("arch", architecture.as_deref().unwrap_or(""))
            .with_qualifier(
                "distro",
                &os.map(OperatingSystem::distro_qualifier)
                    .unwrap_or_default(),
            );
        let package_name = name.split(':').next().unwrap_or(name);
        let licenses = match view.file(&format!("usr/share/doc/{package_name}/copyright"))? {
            Some(copyright) => licenses_in(&String::from_utf8_lossy(copyright.bytes)),
            None => Vec::new(),
        };
        found.packages.push(Package {
            kind: PackageKind::Deb,
            name: name.to_owned(),
            version: version.to_owned(),
            source: source_of(&paragraph, version),
            architecture,
            ecosystem: os.map(|os| os.ecosystem.clone()),
            purl,
            licenses,
            locations: vec![Location::of(file, Proof::Database)],
            dev: false,
            aliases: Vec::new(),
        });
    }
    Ok(())
}

/// dpkg's database: `status`, and distroless images' `status.d/*` files.
pub(crate) struct Dpkg;

impl Cataloger for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn family(&self) -> Family {
        Family::Distro
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, context: &Context<'_>) -> Result<Found, ParseError> {
        // Copyright files are read beside their package, not on their own.
        let database = file.path == "var/lib/dpkg/status"
            || (file.path.starts_with("var/lib/dpkg/status.d/")
                && !file.path.ends_with(".md5sums"));
        let mut found = Found::default();
        if database {
            packages_in(file, context.os, context.view, &mut found)?;
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Source: /var/lib/dpkg/status of the debian-slim fixture (Debian 12), two entries.
    const STATUS: &str = "Package: libssl3\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 6161\nMaintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>\nArchitecture: amd64\nMulti-Arch: same\nSource: openssl\nVersion: 3.0.15-1~deb12u1\nDepends: libc6 (>= 2.34)\nDescription: Secure Sockets Layer toolkit - shared libraries\n This package is part of the OpenSSL project's implementation of the SSL\n and TLS cryptographic protocols for secure communication over the\n Internet.\n\nPackage: removed-pkg\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: libgcc-s1\nStatus: install ok installed\nArchitecture: amd64\nSource: gcc-12 (12.2.0-14)\nVersion: 12.2.0-14\n";

    #[test]
    fn status_paragraphs_give_installed_packages_with_their_source() {
        let paragraphs = paragraphs(STATUS);
        assert_eq!(paragraphs.len(), 3);
        let first = &paragraphs[0];
        assert_eq!(field(first, "Package"), Some("libssl3"));
        let source = source_of(first, "3.0.15-1~deb12u1").unwrap();
        assert_eq!(
            (source.name.as_str(), source.version.as_str()),
            ("openssl", "3.0.15-1~deb12u1")
        );
        let gcc = source_of(&paragraphs[2], "12.2.0-14").unwrap();
        assert_eq!(
            (gcc.name.as_str(), gcc.version.as_str()),
            ("gcc-12", "12.2.0-14")
        );
        assert!(field(first, "Description").unwrap().contains("\nand TLS"));
    }

    #[test]
    fn copyright_licenses_are_distinct_short_names() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n\nFiles: debian/*\nLicense: GPL-2+\n\nLicense: GPL-2+\n This program is free software\n";
        assert_eq!(licenses_in(text), vec!["GPL-2+".to_owned()]);
    }

    fn read(path: &str, text: &str) -> Found {
        let file = KeptFile {
            path,
            bytes: text.as_bytes(),
            layer: None,
        };
        let mut found = Found::default();
        packages_in(&file, None, &View::default(), &mut found).unwrap();
        found
    }

    #[test]
    fn only_installed_stanzas_are_packages_and_a_versionless_one_is_said() {
        // STATUS above, then a stanza with no Status and one with no Version.
        let text = format!(
            "{STATUS}\nPackage: no-status\nVersion: 1.0\n\nPackage: no-version\nStatus: install ok installed\n"
        );
        let found = read("var/lib/dpkg/status", &text);
        let names: Vec<&str> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["libssl3", "libgcc-s1"]);
        assert_eq!(found.unread.len(), 1);
        assert!(found.unread[0].contains("no-version"), "{:?}", found.unread);
        // A distroless status.d file has no Status: its package is installed.
        let found = read(
            "var/lib/dpkg/status.d/base",
            "Package: base-files\nVersion: 12.4\n",
        );
        assert_eq!(found.packages.len(), 1);
    }
}
