//! Why the hook could not do its work.

/// Errors of `hook install` and `hook pre-push`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("`git {args}` failed: {stderr}")]
    Git { args: String, stderr: String },
    #[error("could not run git")]
    Spawn(#[source] std::io::Error),
    #[error("could not write `{path}`")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not run the hook's build command `{command}`")]
    Build {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("line {line} of git's pre-push input is not `<local ref> <local sha> <remote ref> <remote sha>`: `{text}`")]
    BadInput { line: usize, text: String },
}
