//! The git pre-push hook: `hook install` writes `.git/hooks/pre-push`
//! (chaining a hook that was there), and `hook pre-push` works out from git's
//! stdin which folders the pushed commits change lock files or a Dockerfile
//! in, so that only those are scanned, as the pushed commit has them.

mod error;
mod git;
mod install;
mod pre_push;

pub(crate) use error::Error;
pub(crate) use install::install;
pub(crate) use pre_push::{export_folder, folders_to_scan, parse_updates};
