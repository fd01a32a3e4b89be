//! The wasmtime host that runs policy modules: one `Engine` per process
//! configured for fuel, epoch interruption, a bounded stack and memories sized
//! to their cap; a fresh `Store` per evaluation with in-memory pipes and no
//! files, environment or network (`host.rs`), whose WASI preview-1 calls the
//! host serves itself (`wasi.rs`); the OPA Wasm ABI (`opa.rs`);
//! and what a module is, told by its shape (`module.rs`). It takes bytes in
//! and gives bytes (or OPA result sets) out; the policy stage gives them meaning.

mod error;
mod host;
mod module;
mod opa;
mod wasi;

pub use error::Error;
pub use host::{Host, Limits, ModuleCache, Run};
pub use module::{check_header, custom_section, kind, ModuleKind, METADATA_SECTION};
pub use opa::OpaResults;
pub use portcullis_seal::{SealKey, KEY_FILE_NAME};
pub use wasmtime::Module;
