//! Every environment variable Portcullis reads, in one table. Flags win over
//! these, and these over `portcullis.toml`.
//!
//! As `uv/crates/uv-static/src/env_vars.rs`.

use std::ffi::OsString;

/// One environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnvVar {
    /// The DB file (`--db`).
    Db,
    /// The cache directory (`--cache-dir`).
    CacheDir,
    /// The secret layer-cache and compiled-policy entries are sealed with.
    CacheKey,
    /// Space-separated mirrors for `db update` (`--mirror`).
    Mirror,
    /// A `tracing` filter for the logs, instead of `-v`.
    Log,
    /// The folder holding Docker's `config.json` (registry credentials).
    DockerConfig,
    /// The Docker Engine's socket for `docker:` and bare names (`unix:///…`).
    DockerHost,
    /// Podman's API socket for `podman:` and bare names (`unix:///…`).
    ContainerHost,
    /// Where the user's Podman socket is by default (`$XDG_RUNTIME_DIR/podman/podman.sock`).
    XdgRuntimeDir,
    /// The table's width, instead of the terminal's.
    Columns,
    /// Set (to anything but `0`) for colour on stdout that is no terminal.
    ClicolorForce,
    /// Seconds since the epoch that reports give as their creation time.
    SourceDateEpoch,
    /// The AWS account ASFF findings are filed under (`--aws-account-id`).
    AwsAccountId,
    /// The AWS region ASFF findings are filed in (`--aws-region`).
    AwsRegion,
    AwsDefaultRegion,
    /// Set (to anything) to turn colour off.
    NoColor,
    /// GitHub Actions' token, API URL, repository, commit and ref (`portcullis github`).
    GithubToken,
    GithubApiUrl,
    GithubRepository,
    GithubSha,
    GithubRef,
}

impl EnvVar {
    pub(crate) const ALL: [EnvVar; 21] = [
        EnvVar::Db,
        EnvVar::CacheDir,
        EnvVar::CacheKey,
        EnvVar::Mirror,
        EnvVar::Log,
        EnvVar::DockerConfig,
        EnvVar::DockerHost,
        EnvVar::ContainerHost,
        EnvVar::XdgRuntimeDir,
        EnvVar::Columns,
        EnvVar::ClicolorForce,
        EnvVar::SourceDateEpoch,
        EnvVar::AwsAccountId,
        EnvVar::AwsRegion,
        EnvVar::AwsDefaultRegion,
        EnvVar::NoColor,
        EnvVar::GithubToken,
        EnvVar::GithubApiUrl,
        EnvVar::GithubRepository,
        EnvVar::GithubSha,
        EnvVar::GithubRef,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            EnvVar::Db => "PORTCULLIS_DB",
            EnvVar::CacheDir => "PORTCULLIS_CACHE_DIR",
            EnvVar::CacheKey => "PORTCULLIS_CACHE_KEY",
            EnvVar::Mirror => "PORTCULLIS_MIRROR",
            EnvVar::Log => "PORTCULLIS_LOG",
            EnvVar::DockerConfig => "DOCKER_CONFIG",
            EnvVar::DockerHost => "DOCKER_HOST",
            EnvVar::ContainerHost => "CONTAINER_HOST",
            EnvVar::XdgRuntimeDir => "XDG_RUNTIME_DIR",
            EnvVar::Columns => "COLUMNS",
            EnvVar::ClicolorForce => "CLICOLOR_FORCE",
            EnvVar::SourceDateEpoch => "SOURCE_DATE_EPOCH",
            EnvVar::AwsAccountId => "AWS_ACCOUNT_ID",
            EnvVar::AwsRegion => "AWS_REGION",
            EnvVar::AwsDefaultRegion => "AWS_DEFAULT_REGION",
            EnvVar::NoColor => "NO_COLOR",
            EnvVar::GithubToken => "GITHUB_TOKEN",
            EnvVar::GithubApiUrl => "GITHUB_API_URL",
            EnvVar::GithubRepository => "GITHUB_REPOSITORY",
            EnvVar::GithubSha => "GITHUB_SHA",
            EnvVar::GithubRef => "GITHUB_REF",
        }
    }

    /// The value, when set and valid UTF-8.
    pub(crate) fn get(self) -> Option<String> {
        std::env::var(self.name()).ok()
    }

    /// The value as the OS has it, when set.
    pub(crate) fn get_os(self) -> Option<OsString> {
        std::env::var_os(self.name())
    }

    /// Looks a variable of the table up by name; others are not read.
    pub(crate) fn lookup(name: &str) -> Option<String> {
        EnvVar::ALL
            .into_iter()
            .find(|var| var.name() == name)
            .and_then(EnvVar::get)
    }
}
