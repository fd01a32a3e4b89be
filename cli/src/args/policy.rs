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
    /// Run a policy module on a saved input and print its decision; exit 1 when it fails
    /// the target, 3 when it errs.
    Test {
        /// A `.wasm` file or `builtin:NAME`.
        module: String,
        /// A `portcullis.policy/v1` input document, the JSON lines `scan --policy-input` wrote
        /// (the module runs on each), or a scan's `--format json` report.
        #[arg(long)]
        input: PathBuf,
        /// A setting for the module when the input is a scan report (its own documents carry
        /// theirs); repeatable (`fail-on=high`).
        #[arg(long, value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
}
