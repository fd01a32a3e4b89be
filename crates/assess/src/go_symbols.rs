//! Whether a Go finding's vulnerable code is in the binary: the advisory's
//! vulnerable packages and symbols (the Go vulnerability database's
//! `ecosystem_specific.imports`) against the functions each binary that
//! proves the package links (its pclntab). What govulncheck's binary mode
//! decides, per finding.
//!
//! - `Present`: a listed symbol (or, for a package listed without symbols,
//!   any function of it) is linked into some binary.
//! - `NotPresent`: every binary was read and none links any of them.
//! - `Unknown`: there is nothing to decide by (no symbol data, a table that
//!   could not be read, a lock file rather than a binary); the finding stays
//!   affected, as any scanner would report it.

use portcullis_catalog::{GoBinaries, GoTable, Package, PackageKind, Proof};
use portcullis_vulndb::GoImport;

/// What was decided about a Go finding's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeState {
    Present,
    NotPresent,
    Unknown,
}

impl CodeState {
    pub fn name(self) -> &'static str {
        match self {
            CodeState::Present => "present",
            CodeState::NotPresent => "not-present",
            CodeState::Unknown => "unknown",
        }
    }
}

/// The determination for one Go finding, with what it rests on; serialised
/// as the JSON report and the policy input carry it (`vulnerableCode`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeDetermination {
    pub state: CodeState,
    /// One sentence: why.
    pub reason: String,
    /// The symbols looked for, as `import/path.Symbol` (`import/path` alone:
    /// any function of the package).
    pub looked_for: Vec<String>,
    /// Those found linked in.
    pub found: Vec<String>,
}

fn applies(import: &GoImport, goos: Option<&str>, goarch: Option<&str>) -> bool {
    let fits = |listed: &[String], actual: Option<&str>| {
        listed.is_empty() || actual.is_none_or(|actual| listed.iter().any(|l| l == actual))
    };
    fits(&import.goos, goos) && fits(&import.goarch, goarch)
}

fn looked_for(imports: &[GoImport]) -> Vec<String> {
    let mut out = Vec::new();
    for import in imports {
        if import.symbols.is_empty() {
            out.push(import.path.clone());
        }
        for symbol in &import.symbols {
            out.push(format!("{}.{symbol}", import.path));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Decides `package`'s finding whose advisories name `imports`; `None` for
/// packages that are not Go modules.
pub fn determine(
    package: &Package,
    imports: Option<&[GoImport]>,
    binaries: &GoBinaries,
) -> Option<CodeDetermination> {
    if package.kind != PackageKind::Go {
        return None;
    }
    let unknown = |reason: String, looked_for: Vec<String>| CodeDetermination {
        state: CodeState::Unknown,
        reason,
        looked_for,
        found: Vec::new(),
    };
    let Some(imports) = imports else {
        return Some(unknown(
            "no symbol data: the advisory does not name the vulnerable functions".to_owned(),
            Vec::new(),
        ));
    };
    let wanted = looked_for(imports);
    let mut found = Vec::new();
    let mut read = Vec::new();
    for location in &package.locations {
        if location.proof != Proof::Binary {
            return Some(unknown(
                format!(
                    "declared in `{}`, not read from a binary, so its linked functions are unknown",
                    location.path
                ),
                wanted,
            ));
        }
        let Some(binary) = binaries.get(&location.path) else {
            return Some(unknown(
                format!("the function table of `{}` was not read", location.path),
                wanted,
            ));
        };
        let symbols = match &binary.table {
            GoTable::Read(symbols) => symbols,
            GoTable::Unread(why) => {
                return Some(unknown(format!("`{}`: {why}", location.path), wanted));
            }
        };
        read.push(location.path.as_str());
        for import in imports
            .iter()
            .filter(|i| applies(i, binary.goos.as_deref(), binary.goarch.as_deref()))
        {
            if import.symbols.is_empty() {
                if symbols.links_package(&import.path) {
                    found.push(import.path.clone());
                }
                continue;
            }
            for symbol in &import.symbols {
                if symbols.links(&import.path, symbol) {
                    found.push(format!("{}.{symbol}", import.path));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    let binaries = read.join("`, `");
    Some(if found.is_empty() {
        CodeDetermination {
            state: CodeState::NotPresent,
            reason: format!(
                "vulnerable code not present: none of the {} vulnerable symbols is linked into `{binaries}`",
                wanted.len()
            ),
            looked_for: wanted,
            found,
        }
    } else {
        CodeDetermination {
            state: CodeState::Present,
            reason: format!("`{binaries}` links {}", found.join(", ")),
            looked_for: wanted,
            found,
        }
    })
}
