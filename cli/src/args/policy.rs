//! `portcullis policy` flags.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    #[command(subcommand)]
    pub(crate) command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Print a policy module's metadata (its `portcullis.policy.metadata` section).
    Inspect {
        /// A `.wasm` file or `builtin:NAME`.
        module: String,
    },
    /// Push a policy module to a registry as an OCI artifact; prints the reference to pin.
    Push {
        /// The `.wasm` file.
        module: PathBuf,
        /// Where to push it (`host/repo:tag`).
        reference: String,
        /// Allow plain HTTP to this registry (host:port); loopback always may.
        #[arg(long)]
        insecure_registry: Vec<String>,
    },
    /// Run a policy module on a saved input document and print its decision.
    Test {
        /// A `.wasm` file or `builtin:NAME`.
        module: String,
        /// The input document (`portcullis.policy/v1` JSON).
        #[arg(long)]
        input: PathBuf,
    },
}
