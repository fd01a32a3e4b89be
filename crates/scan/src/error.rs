//! Why a scan failed, naming the target; each stage's error is kept as the cause.

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not open `{target}`")]
    Source {
        target: String,
        #[source]
        source: Box<portcullis_source::Error>,
    },
    #[error("could not read the layers of `{target}`")]
    Layer {
        target: String,
        #[source]
        source: Box<portcullis_layer::Error>,
    },
    #[error("`{path}` is not a usable SBOM: {message}")]
    Sbom { path: String, message: String },
    #[error("could not read the SBOM `{path}`")]
    SbomIo {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("a policy could not decide")]
    Policy(#[source] Box<portcullis_policy::Error>),
    #[error("the vulnerability DB cannot be used")]
    Db(#[source] Box<portcullis_vulndb::Error>),
    #[error("could not catalog the packages of `{target}`")]
    Catalog {
        target: String,
        #[source]
        source: Box<portcullis_catalog::Error>,
    },
    #[error(transparent)]
    Dockerfile(Box<portcullis_source::DockerfileError>),
    #[error("the base image of `{target}` is not named: its annotations and labels have no `org.opencontainers.image.base.name`, and no --dockerfile names it; name it with --base TARGET")]
    NoBase { target: String },
    #[error("could not read the base image `{base}`")]
    Base {
        base: String,
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// Whether the gate could not decide (exit 3) rather than the input being bad (exit 2).
    pub fn is_undecided(&self) -> bool {
        match self {
            Error::Source { source, .. } => source.is_undecided(),
            Error::Layer { source, .. } => source.is_undecided(),
            Error::Catalog { source, .. } => source.is_undecided(),
            Error::Db(source) => source.is_undecided(),
            Error::Policy(source) => source.is_undecided(),
            Error::Base { source, .. } => source.is_undecided(),
            Error::Sbom { .. }
            | Error::SbomIo { .. }
            | Error::Dockerfile(_)
            | Error::NoBase { .. } => false,
        }
    }
}
