//! Vocabulary shared by three or more stages: digests, purls, ecosystems,
//! platforms, severities, vulnerability ids, package names, times, and how
//! input text is quoted in messages.
//!
//! Nothing here does I/O or imports from the rest of the engine; every other
//! Portcullis crate may import it.

mod digest;
mod ecosystem;
mod package_name;
mod platform;
mod purl;
mod quote;
mod severity;
mod timestamp;
mod vuln_id;

pub use digest::{Digest, DigestAlgorithm, DigestError, Hasher};
pub use ecosystem::Ecosystem;
pub use package_name::pep503_normalise;
pub use platform::{Platform, PlatformError};
pub use purl::{Purl, PurlError};
pub use quote::{quote, quote_bytes, QUOTE_LIMIT};
pub use severity::{Severity, SeverityError};
pub use timestamp::{parse_duration, DurationError, Timestamp, TimestampError};
pub use vuln_id::{IdKind, VulnId};

/// The tool's name as every report names it.
pub const TOOL_NAME: &str = "portcullis";
/// The tool's version (the workspace's), as every report names it.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
