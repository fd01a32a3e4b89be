//! The Portcullis engine as a library, the way `rustsec` sits under
//! `cargo-audit`: the `portcullis` binary is a thin command line over it.
//!
//! - [`Scanner`] reads a target and decides on it ([`ReadConfig`] says how
//!   the target is read, [`GateSettings`] what it is matched and decided
//!   with); [`inventory`] only reads it. Both return values the renderers take.
//! - [`vulndb`] builds, updates and queries the offline vulnerability DB.
//! - [`policy`] loads and runs policy modules in the [`sandbox`].
//! - [`report`] renders a [`Report`] or an inventory in every format.
//! - [`diagnose`] tells, for any error the engine returns, whose fault it is
//!   (exit 2 or 3) and what to do about it.
//!
//! Each stage is its own crate, re-exported here by name, so that an import
//! against the pipeline order does not compile: source → layer → catalog
//! (and checks) → vulndb + match → assess → policy → scan → report.

mod diagnose;

pub use diagnose::{diagnose, Diagnosis, Fault};
pub use portcullis_scan::{
    inventory, BaseReport, BaseRequest, BaseSettings, Comparison, DbSummary, Error as ScanError,
    GateSettings, Inventoried, ReadConfig, Report, Scanner,
};

pub use portcullis_assess as assess;
pub use portcullis_catalog as catalog;
pub use portcullis_checks as checks;
pub use portcullis_layer as layer;
pub use portcullis_match as matcher;
pub use portcullis_model as model;
pub use portcullis_policy as policy;
pub use portcullis_report as report;
pub use portcullis_sandbox as sandbox;
pub use portcullis_source as source;
pub use portcullis_vulndb as vulndb;
