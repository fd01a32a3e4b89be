//! The `portcullis` binary: a vulnerability gate for CI/CD pipelines.

mod catalog;
mod checks;
mod cmd;
mod github;
mod hook;
mod layer;
mod matcher;
mod model;
mod policy;
mod report;
mod scan;
mod score;
mod source;
mod suppress;
mod version;
mod vulndb;

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cmd::run() {
        Ok(code) => code,
        Err(error) => {
            if let Some(text) = cmd::render_error(&error) {
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
            cmd::exit_code(&error)
        }
    }
}
