//! The git pre-push hook: `hook install` writes `.git/hooks/pre-push`
//! (chaining a hook that was there), and `hook pre-push` works out from git's
//! stdin which folders the pushed commits change lock files or a Dockerfile
//! in, so that only those are scanned, as the pushed commit has them, by the
//! engine in this process (`run.rs`).

mod error;
mod git;
mod install;
mod pre_push;
mod run;

pub use error::Error;
pub use install::install;
pub use pre_push::{export_folder, folders_to_scan, parse_updates, Plan, Update};
pub use run::{run, HookImage, Outcome};
