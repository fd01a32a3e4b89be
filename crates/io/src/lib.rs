//! The I/O primitives every stage uses: a write that others see whole or
//! not at all (temp file in the target's directory, then rename), a read
//! that stops one byte past a cap, so no input decides how much is held in
//! memory, and the retry schedule of network reads (`retry.rs`).
//!
//! As `uv/crates/uv-fs/src/lib.rs` (`write_atomic_sync`) and
//! `rustsec/cargo-audit/src/auditor.rs` (`read_binary_with_limit`).

mod atomic;
mod bounded;
pub mod retry;

pub use atomic::{remove_leftovers, write_atomic, AtomicFile};
pub use bounded::{read_bounded, read_bounded_into};
