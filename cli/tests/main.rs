//! End-to-end tests over the built `portcullis` binary, one module per area.

// Test code may panic on its own fixtures and use std::fs directly.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

mod support;

mod bad_input;
mod cache_trust;
mod checks;
mod daemon;
mod db;
mod fail_closed;
mod first_hour;
mod github;
mod go_symbols;
mod hook;
mod hostile;
mod language;
mod layers;
mod origin;
mod policy;
mod registry;
mod reports;
mod sbom;
mod scan;
mod scoring;
mod snapshots;
mod suppress;
