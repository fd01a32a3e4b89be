//! `portcullis.toml`: the policies to run and their settings, and scan
//! defaults. Flags win over the environment, the environment over this file.
//!
//! ```toml
//! [[policy]]
//! module = "builtin:severity-gate"     # or a path to a .wasm file
//! settings = { fail-on = "high", max-medium = 10 }
//!
//! [[policy]]
//! module = "builtin:known-exploited"
//!
//! [scan]
//! ignore-file = ".portcullis-ignore.toml"
//! vex = ["vex/app.openvex.json"]
//! db-max-age = "3d"
//!
//! [hook]                               # the pre-push hook
//! image = "app:pre-push"               # scanned when a pushed commit changes a Dockerfile
//! build = "docker build -t app:pre-push ."
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// The config read when `--config` is not given and the file exists.
const DEFAULT_CONFIG: &str = "portcullis.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    #[serde(default)]
    pub(crate) policy: Vec<PolicyEntry>,
    #[serde(default)]
    pub(crate) scan: ScanDefaults,
    #[serde(default)]
    pub(crate) hook: HookSettings,
}

/// What the pre-push hook builds and scans when a Dockerfile changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HookSettings {
    /// The image to scan (any TARGET).
    pub(crate) image: Option<String>,
    /// The shell command that builds it.
    pub(crate) build: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyEntry {
    pub(crate) module: String,
    #[serde(default)]
    pub(crate) settings: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ScanDefaults {
    pub(crate) ignore_file: Option<String>,
    #[serde(default)]
    pub(crate) vex: Vec<String>,
    pub(crate) db_max_age: Option<String>,
    pub(crate) db_warn_age: Option<String>,
    pub(crate) allow_partial: Option<bool>,
}

/// A TOML setting as the JSON value policies receive.
pub(crate) fn to_json(value: &toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            serde_json::Value::Object(table.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Reads `--config FILE`, else `portcullis.toml` when present, else nothing.
pub(crate) fn load(flag: Option<&Path>) -> anyhow::Result<ConfigFile> {
    let path = match flag {
        Some(path) => path.to_owned(),
        None if Path::new(DEFAULT_CONFIG).is_file() => Path::new(DEFAULT_CONFIG).to_owned(),
        None => return Ok(ConfigFile::default()),
    };
    let text = fs_err::read_to_string(&path)?;
    toml::from_str(&text)
        .with_context(|| format!("`{}` is not a valid portcullis config", path.display()))
}
