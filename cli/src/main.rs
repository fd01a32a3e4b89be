//! The `portcullis` binary: the command line over `portcullis-engine`.

mod args;
mod cmd;
mod settings;

use std::io::Write as _;
use std::process::ExitCode;

/// mimalloc, not glibc's malloc: a scan of 100,000 packages spends a
/// quarter of its time allocating and freeing small strings and nodes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
