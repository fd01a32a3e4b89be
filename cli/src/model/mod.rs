//! Vocabulary shared by three or more stages: digests, purls, ecosystems, platforms.
//!
//! Nothing here does I/O or imports from the engine.

mod digest;
mod ecosystem;
mod platform;
mod purl;
mod severity;
mod timestamp;

pub(crate) use digest::{Digest, DigestError, Hasher};
pub(crate) use ecosystem::Ecosystem;
pub(crate) use platform::Platform;
pub(crate) use purl::Purl;
pub(crate) use severity::Severity;
pub(crate) use timestamp::{parse_duration, Timestamp};
