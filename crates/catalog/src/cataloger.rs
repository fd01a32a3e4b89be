//! The one interface every package format implements: which files it wants
//! kept while the layers stream, and how it turns one kept file into packages.
//! The list of catalogers is in `registry.rs`; nothing else names them.
//!
//! As `osv-scalibr/extractor/filesystem/filesystem.go` (`FileRequired` + `Extract`).

use portcullis_layer::{KeptFile, Sniff, View, Want};

use crate::os::OperatingSystem;
use crate::package::Package;
use crate::Error;

/// Whether a cataloger reads a package manager's database (its packages are
/// the distro's) or a language's lock files, manifests and binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Distro,
    Language,
}

/// What a cataloger can look at besides the file it parses.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The squashed view of every kept file (for files beside this one).
    pub view: &'a View,
    /// The detected operating system, when there is one.
    pub os: Option<&'a OperatingSystem>,
}

/// What one file gave.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub packages: Vec<Package>,
    /// Absolute paths the distro's package manager owns (from its database).
    pub owned_files: Vec<String>,
    /// Records in the file that name a package but could not be read (a
    /// stanza without a version): each becomes a diagnostic, so the gate
    /// says what it could not evaluate.
    pub unread: Vec<String>,
    /// The Go binaries it read, with their linked functions.
    pub go_binaries: Vec<crate::go_binaries::GoBinary>,
}

impl From<Vec<Package>> for Found {
    fn from(packages: Vec<Package>) -> Found {
        Found {
            packages,
            ..Found::default()
        }
    }
}

/// Why a cataloger could not use a file.
#[derive(Debug)]
pub enum ParseError {
    /// The file is not what its name says: it becomes a diagnostic, and the
    /// scan goes on without it.
    Unusable(String),
    /// The image itself is at fault (a link out of it, a broken package
    /// database): cataloging stops.
    Image(Box<Error>),
}

impl ParseError {
    pub fn text(message: impl Into<String>) -> ParseError {
        ParseError::Unusable(message.into())
    }

    pub fn json(error: serde_json::Error) -> ParseError {
        ParseError::Unusable(format!(
            "it is not valid JSON of the expected shape: {error}"
        ))
    }

    pub fn toml(error: toml::de::Error) -> ParseError {
        ParseError::Unusable(format!(
            "it is not valid TOML of the expected shape: {}",
            error.message()
        ))
    }
}

impl From<Error> for ParseError {
    fn from(error: Error) -> ParseError {
        ParseError::Image(Box::new(error))
    }
}

impl From<portcullis_layer::Error> for ParseError {
    fn from(error: portcullis_layer::Error) -> ParseError {
        ParseError::Image(Box::new(Error::Lookup(error)))
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Unusable(message) => f.write_str(message),
            ParseError::Image(error) => error.fmt(f),
        }
    }
}

/// One package format.
pub trait Cataloger: Sync {
    /// A short name, for logs.
    fn name(&self) -> &'static str;
    fn family(&self) -> Family;
    /// The files it wants kept, by path pattern (relative to the image root).
    fn wants(&self) -> &'static [Want];
    /// The files it wants kept by content, whatever their name.
    fn sniffs(&self) -> &'static [Sniff] {
        &[]
    }
    /// Parses one kept file that one of its wants (or sniffs) matched.
    fn parse(&self, file: &KeptFile<'_>, context: &Context<'_>) -> Result<Found, ParseError>;
}
