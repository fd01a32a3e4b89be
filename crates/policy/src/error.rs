//! Why the policy stage could not decide: a module that could not be loaded
//! or fetched, a sandbox breach (see `portcullis-sandbox`), or a decision that
//! is not of the ABI's shape. All fail closed.

/// Why a policy could not decide.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sandbox(#[from] portcullis_sandbox::Error),
    #[error("policy `{module}` is {what}; portcullis runs WASI command modules (the native ABI) and OPA Wasm modules")]
    Unsupported { module: String, what: &'static str },
    #[error("policy `{module}` wrote a decision that is not valid JSON of the ABI's shape")]
    BadDecision {
        module: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("policy `{reference}` could not be fetched: {message}")]
    Registry { reference: String, message: String },
    #[error("setting `{key}` is not one that the policies in use take ({known})")]
    UnknownSetting { key: String, known: String },
    #[error("setting `{key}` = {value} is refused by `{module}`: it takes {accepts}")]
    BadSetting {
        key: String,
        module: String,
        value: String,
        accepts: String,
    },
    #[error("could not read policy `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::Sandbox(error) => error.is_undecided(),
            Error::Unsupported { .. }
            | Error::Read { .. }
            | Error::UnknownSetting { .. }
            | Error::BadSetting { .. } => false,
            Error::BadDecision { .. } | Error::Registry { .. } => true,
        }
    }
}
