//! End-to-end tests over the built `portcullis` binary, one module per area.

mod support;

mod bad_input;
mod layers;
mod registry;
mod sbom;
