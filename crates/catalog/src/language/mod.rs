//! Catalogers of language packages: lock files and manifests (declared), and
//! installed metadata and binaries (installed). A language package whose files
//! the distro owns is dropped in favour of the distro package (`reconcile.rs`).

pub(crate) mod cargo;
pub(crate) mod composer;
pub(crate) mod dotnet;
mod elf;
pub(crate) mod executable;
pub(crate) mod gem;
mod go_binary;
pub(crate) mod go_mod;
pub(crate) mod go_pclntab;
pub(crate) mod java_archive;
pub(crate) mod npm;
pub(crate) mod npm_lock;
pub(crate) mod pnpm_lock;
pub(crate) mod python;
pub(crate) mod python_lock;
pub(crate) mod python_toml_lock;
pub(crate) mod yarn_lock;
