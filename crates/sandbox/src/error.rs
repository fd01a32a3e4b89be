//! Sandbox errors: every breach has its own variant that names the
//! module, the limit and the setting that raises it. All fail closed.

/// Why a policy could not decide.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("policy `{module}` is not a WebAssembly module")]
    NotWasm { module: String },
    #[error("policy `{module}` is {what}; portcullis runs WASI command modules (the native ABI) and OPA Wasm modules")]
    Unsupported { module: String, what: &'static str },
    #[error("policy `{module}` does not compile")]
    Compile {
        module: String,
        #[source]
        source: anyhow::Error,
    },
    #[error("policy `{module}` ran out of fuel ({fuel} units; raise `policy-fuel`)")]
    OutOfFuel { module: String, fuel: u64 },
    #[error("policy `{module}` ran past its {seconds} s deadline (raise `--policy-timeout`)")]
    Deadline { module: String, seconds: u64 },
    #[error(
        "policy `{module}` tried to grow its memory past {limit} bytes (raise `--policy-memory`)"
    )]
    Memory { module: String, limit: usize },
    #[error("policy `{module}` overflowed its {limit}-byte stack (raise `--policy-stack`)")]
    StackOverflow { module: String, limit: usize },
    #[error("policy `{module}` called `{call}` (a sleep or wait), which the sandbox refuses: policy time is bounded by `--policy-timeout`")]
    Refused { module: String, call: &'static str },
    #[error("policy `{module}` trapped: {message}")]
    Trap { module: String, message: String },
    #[error("policy `{module}` exited with status {code}{}", if .stderr.is_empty() { String::new() } else { format!(": {}", .stderr) })]
    Exit {
        module: String,
        code: i32,
        stderr: String,
    },
    #[error("policy `{module}` wrote more than {limit} bytes to stdout (raise `--policy-output`)")]
    OutputTooLarge { module: String, limit: usize },
    #[error("policy `{module}` needs OPA builtins this host does not provide: {builtins}")]
    OpaBuiltins { module: String, builtins: String },
    #[error("policy `{module}` could not be set up")]
    Setup {
        module: String,
        #[source]
        source: anyhow::Error,
    },
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::NotWasm { .. }
            | Error::Unsupported { .. }
            | Error::Compile { .. }
            | Error::OpaBuiltins { .. } => false,
            Error::OutOfFuel { .. }
            | Error::Deadline { .. }
            | Error::Memory { .. }
            | Error::StackOverflow { .. }
            | Error::Trap { .. }
            | Error::Refused { .. }
            | Error::Exit { .. }
            | Error::OutputTooLarge { .. }
            | Error::Setup { .. } => true,
        }
    }
}
