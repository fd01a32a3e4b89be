//! `yarn.lock`, both the classic v1 format and berry's (v2+) YAML, read line
//! by line: an unindented header names one or more `name@range` specs, and an
//! indented `version` line gives what was locked. Workspace and patch entries
//! of berry are skipped.
//!
//! Formats: <https://classic.yarnpkg.com/lang/en/docs/yarn-lock/>,
//! <https://yarnpkg.com/configuration/yarnrc> (berry lock files are YAML).

use super::npm;
use crate::package::{Location, Proof};
use portcullis_layer::{KeptFile, Want};

use crate::cataloger::{Cataloger, Context, Family, Found, ParseError};

const WANTS: [Want; 1] = [Want::whole("**/yarn.lock", npm::MAX_LOCK_BYTES)];

/// The package a spec names: `@babel/core@^7.0.0` → `@babel/core`,
/// `lodash@npm:^4.17.21` → `lodash`, and an alias `foo@npm:bar@^1` → `bar`
/// (the package the advisories name). A spec without a range is its name.
fn spec_name(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let search_from = usize::from(spec.starts_with('@'));
    let Some(at) = spec.get(search_from..)?.find('@') else {
        return (!spec.is_empty()).then_some(spec);
    };
    let at = at + search_from;
    let range = spec.get(at + 1..)?;
    match range.strip_prefix("npm:") {
        Some(aliased) if aliased.get(1..).is_some_and(|rest| rest.contains('@')) => {
            spec_name(aliased)
        }
        _ => spec.get(..at),
    }
}

/// The value of an entry's `key` line, in any of the spellings yarn writes:
/// `key "v"` and `"key" "v"` (v1), `key: v` and `"key": "v"` (berry).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)
        .or_else(|| line.strip_prefix('"')?.strip_prefix(key)?.strip_prefix('"'))?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    rest.starts_with(' ').then(|| rest.trim().trim_matches('"'))
}

struct Entry {
    name: String,
    /// The name the header declares, when it is an alias of `name`.
    alias: Option<String>,
    version: Option<String>,
    skip: bool,
}

/// The name a spec declares, before any alias: `foo@npm:bar@^1` → `foo`.
fn declared_name(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let search_from = usize::from(spec.starts_with('@'));
    let at = spec.get(search_from..)?.find('@')? + search_from;
    spec.get(..at)
}

pub(super) fn parse(file: &KeptFile<'_>) -> Result<Found, ParseError> {
    let text = std::str::from_utf8(file.bytes).map_err(|_| ParseError::text("it is not UTF-8"))?;
    let location = Location::of(file, Proof::LockFile);
    let mut packages = Vec::new();
    let mut unread = Vec::new();
    let mut current: Option<Entry> = None;
    let mut finish = |entry: Option<Entry>| match entry {
        Some(Entry {
            name,
            alias,
            version: Some(version),
            skip: false,
        }) => {
            let package = npm::package(&name, &version, location.clone(), false);
            packages.push(match alias {
                Some(alias) => package.also_named(&alias),
                None => package,
            });
        }
        // yarn writes a version for every entry it locked.
        Some(Entry {
            name,
            version: None,
            skip: false,
            ..
        }) => unread.push(format!(
            "the entry for {} has no `version`; it could not be matched",
            portcullis_model::quote(&name)
        )),
        _ => {}
    };
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            finish(current.take());
            let header = line.trim_end().strip_suffix(':').ok_or_else(|| {
                ParseError::text(format!(
                    "line {}: expected an entry header ending in `:`",
                    number + 1
                ))
            })?;
            if header == "__metadata" {
                continue;
            }
            let first = header.split(',').next().unwrap_or(header);
            let skip = header.contains("@workspace:")
                || header.contains("@patch:")
                || header.contains("@link:");
            current = spec_name(first).map(|name| Entry {
                name: name.to_owned(),
                alias: declared_name(first).map(str::to_owned),
                version: None,
                skip,
            });
            continue;
        }
        // Only the entry's own fields, not those of its dependency maps.
        if line.len() - line.trim_start().len() != 2 {
            continue;
        }
        let Some(entry) = &mut current else { continue };
        let trimmed = line.trim();
        if let Some(version) = field(trimmed, "version") {
            entry.version = Some(version.to_owned());
        } else if let Some(resolution) = field(trimmed, "resolution") {
            // Berry resolves an alias to the real package: `bar@npm:1.0.0`.
            if let Some(real) = resolution
                .contains("@npm:")
                .then(|| spec_name(resolution))
                .flatten()
            {
                entry.name = real.to_owned();
            }
        }
    }
    finish(current);
    Ok(Found {
        packages,
        unread,
        ..Found::default()
    })
}

/// `yarn.lock`, v1 and berry.
pub(crate) struct YarnLock;

impl Cataloger for YarnLock {
    fn name(&self) -> &'static str {
        "yarn-lock"
    }

    fn family(&self) -> Family {
        Family::Language
    }

    fn wants(&self) -> &'static [Want] {
        &WANTS
    }

    fn parse(&self, file: &KeptFile<'_>, _context: &Context<'_>) -> Result<Found, ParseError> {
        parse(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_names_handle_scopes_and_protocols() {
        assert_eq!(spec_name("\"@babel/core@^7.0.0\""), Some("@babel/core"));
        assert_eq!(spec_name("lodash@npm:^4.17.21"), Some("lodash"));
        assert_eq!(spec_name("old-lodash@npm:lodash@4.17.4"), Some("lodash"));
        assert_eq!(
            spec_name("\"@my/is@npm:@sindresorhus/is@0.7.0\""),
            Some("@sindresorhus/is")
        );
        assert_eq!(spec_name("no-range"), Some("no-range"));
        assert_eq!(spec_name("\"\""), None);
    }

    fn parse_text(text: &str) -> Vec<(String, String)> {
        let file = KeptFile {
            path: "app/yarn.lock",
            bytes: text.as_bytes(),
            layer: None,
        };
        parse(&file)
            .map(|found| found.packages)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect()
    }

    #[test]
    fn real_yarn_v1_and_berry_locks_agree() {
        for name in ["yarn-v1.lock", "yarn-berry.lock"] {
            let bytes = crate::testutil::testdata(name);
            let file = KeptFile {
                path: "app/yarn.lock",
                bytes: &bytes,
                layer: None,
            };
            let mut found: Vec<(String, String)> = parse(&file)
                .map(|found| found.packages)
                .unwrap()
                .into_iter()
                .map(|p| (p.name, p.version))
                .collect();
            found.sort();
            assert_eq!(
                found,
                vec![
                    ("lodash".into(), "4.17.15".into()),
                    ("marked".into(), "0.3.6".into()),
                    ("minimist".into(), "1.2.0".into())
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn classic_and_berry_entries_are_read() {
        // Shapes as yarn 1.22 and yarn 4 write them.
        let classic = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n\"@types/node@*\", \"@types/node@^18.0.0\":\n  version \"18.18.14\"\n  resolved \"https://registry.yarnpkg.com/@types/node/-/node-18.18.14.tgz\"\n\nlodash@^4.17.15:\n  version \"4.17.21\"\n";
        assert_eq!(
            parse_text(classic),
            vec![
                ("@types/node".into(), "18.18.14".into()),
                ("lodash".into(), "4.17.21".into())
            ]
        );
        let berry = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"lodash@npm:^4.17.15\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n";
        assert_eq!(parse_text(berry), vec![("lodash".into(), "4.17.21".into())]);
    }

    #[test]
    fn real_v1_and_berry_locks_read_aliases_tarballs_and_git_as_yarn_does() {
        let read = |name: &str| {
            let bytes = crate::testutil::testdata(name);
            let file = KeptFile {
                path: "app/yarn.lock",
                bytes: &bytes,
                layer: None,
            };
            let mut found: Vec<(String, String)> = parse(&file)
                .map(|found| found.packages)
                .unwrap()
                .into_iter()
                .map(|p| (p.name, p.version))
                .collect();
            found.sort();
            found
        };
        let mut expected: Vec<(String, String)> = [
            ("@sindresorhus/is", "0.7.0"),
            ("localdep", "2.0.0"),
            ("lodash", "4.17.15"),
            ("lodash", "4.17.4"),
            ("marked", "0.3.6"),
            ("minimist", "1.2.0"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
        // Yarn 4 cannot resolve a `git+file:` dependency; only yarn 1's lock has one.
        assert_eq!(read("yarn-berry-shapes.lock"), expected);
        expected.insert(1, ("gitdep".to_owned(), "1.0.0".to_owned()));
        assert_eq!(read("yarn-v1-shapes.lock"), expected);
        // The aliases are those npm's own locks of the same project record.
        for lock_name in ["yarn-v1-shapes.lock", "yarn-berry-shapes.lock"] {
            let bytes = crate::testutil::testdata(lock_name);
            let file = KeptFile {
                path: "app/yarn.lock",
                bytes: &bytes,
                layer: None,
            };
            let mut aliased: Vec<(String, String, Vec<String>)> = parse(&file)
                .unwrap()
                .packages
                .into_iter()
                .filter(|p| !p.aliases.is_empty())
                .map(|p| (p.name, p.version, p.aliases))
                .collect();
            aliased.sort();
            assert_eq!(
                aliased,
                crate::language::npm_lock::tests::expected_aliases(),
                "{lock_name}"
            );
        }
    }

    #[test]
    fn quoted_keys_are_read() {
        let quoted = "\"left-pad@^1.3.0\":\n  \"version\" \"1.3.0\"\n\nberry@npm:1:\n  \"version\": \"1.0.0\"\n";
        assert_eq!(
            parse_text(quoted),
            vec![
                ("left-pad".into(), "1.3.0".into()),
                ("berry".into(), "1.0.0".into())
            ]
        );
    }
}
