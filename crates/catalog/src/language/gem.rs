//! Ruby gems: installed `specifications/*.gemspec` files (Ruby source, from
//! which the `name` and `version` assignments are read) and `Gemfile.lock`
//! (the `specs:` entries of its `GEM` section).
//!
//! Formats: <https://guides.rubygems.org/specification-reference/>,
//! <https://bundler.io/guides/gemfile_lock.html>.

use crate::package::{Location, Package, PackageKind, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};
use portcullis_model::Purl;

const MAX_GEM_FILE_BYTES: u64 = 8 << 20;

const WANTS: [Want; 2] = [
    Want::whole("**/specifications/*.gemspec", MAX_GEM_FILE_BYTES),
    Want::whole("**/Gemfile.lock", MAX_GEM_FILE_BYTES),
];

fn package(name: &str, version: &str, location: Location) -> Package {
    let purl = Purl::new("gem", name).with_version(version);
    Package::language(PackageKind::Gem, name, version, purl, location)
}

/// The string assigned in `s.name = "rake".freeze` or `s.version = "13.0.6"`.
fn assigned<'a>(text: &'a str, attribute: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let rest = line
            .strip_prefix("s.")
            .or_else(|| line.strip_prefix("spec."))?
            .strip_prefix(attribute)?
            .trim_start()
            .strip_prefix('=')?
            .trim();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let inner = rest.get(1..)?;
        inner.get(..inner.find(quote)?)
    })
}

pub(super) fn gemspec(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(file.bytes);
    // `Gem::Version.new("1.0")` is the older way to write a version.
    let version = assigned(&text, "version").or_else(|| {
        let at = text.find("Gem::Version.new(\"")? + "Gem::Version.new(\"".len();
        text.get(at..).and_then(|rest| rest.get(..rest.find('"')?))
    });
    match (assigned(&text, "name"), version) {
        (Some(name), Some(version)) => Ok(vec![package(
            name,
            version,
            Location::of(file, Proof::Metadata),
        )]),
        _ => Err(ParseError::text("it assigns no `name` and `version`")),
    }
}

pub(super) fn gemfile_lock(file: &KeptFile<'_>) -> Result<Vec<Package>, ParseError> {
    let text = String::from_utf8_lossy(file.bytes);
    let location = Location::of(file, Proof::LockFile);
    let mut out = Vec::new();
    let mut in_specs = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_specs = false;
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        // Gems are indented four spaces; their dependencies six.
        let indent = line.len() - line.trim_start().len();
        if in_specs && indent == 4 {
            let entry = line.trim();
            if let Some((name, rest)) = entry.split_once(" (") {
                let version = rest.trim_end_matches(')');
                // `nokogiri (1.15.0-x86_64-linux)`: the platform is not part of the version.
                let version = version.split('-').next().unwrap_or(version);
                out.push(package(name, version, location.clone()));
            }
        }
    }
    Ok(out)
}

/// Installed gems' specifications and `Gemfile.lock`.
pub(crate) struct Gem;

impl Cataloger for Gem {
    fn name(&self) -> &'static str {
        "gem"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        if file.path.ends_with("Gemfile.lock") {
            gemfile_lock(file)
        } else {
            gemspec(file)
        }
        .map(Found::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_installed_gemspec_is_read() {
        let bytes = crate::testutil::testdata("rack-2.2.22.gemspec");
        let file = KeptFile {
            path: "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec",
            bytes: &bytes,
            layer: None,
        };
        let found = gemspec(&file).unwrap();
        assert_eq!(
            (found[0].name.as_str(), found[0].version.as_str()),
            ("rack", "2.2.22")
        );
        assert_eq!(found[0].purl.to_string(), "pkg:gem/rack@2.2.22");
    }

    #[test]
    fn gemspec_and_lock_entries_are_read() {
        // The shape RubyGems writes to specifications/rake-13.0.6.gemspec.
        let spec = "# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\nend\n";
        let file = KeptFile {
            path: "var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec",
            bytes: spec.as_bytes(),
            layer: None,
        };
        let found = gemspec(&file).unwrap();
        assert_eq!(
            (found[0].name.as_str(), found[0].version.as_str()),
            ("rake", "13.0.6")
        );
        let lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n    rails (7.0.4)\n      rack (>= 2.2)\n    nokogiri (1.15.0-x86_64-linux)\n\nPLATFORMS\n  ruby\n";
        let file = KeptFile {
            path: "app/Gemfile.lock",
            bytes: lock.as_bytes(),
            layer: None,
        };
        let names: Vec<(String, String)> = gemfile_lock(&file)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            names,
            vec![
                ("rack".into(), "2.2.3".into()),
                ("rails".into(), "7.0.4".into()),
                ("nokogiri".into(), "1.15.0".into())
            ]
        );
    }
}
