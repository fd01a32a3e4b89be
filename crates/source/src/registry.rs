//! Images in an OCI registry, through `oci-client`: manifests and configs are
//! read into memory (they are small), each layer blob is downloaded to a
//! scratch file only when the layer cache does not already hold it. Blobs
//! come through `blob_pull.rs` (resumes, retries, a read timeout); manifest
//! requests are retried on the same faults.
//!
//! Credentials come from Docker's `config.json` (`auths.<registry>.auth`,
//! `username`/`password`, or `registrytoken` as a bearer token); oci-client
//! performs the bearer-token exchange a registry asks for. Plain HTTP is used
//! only for loopback registries and those named as insecure.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use base64::Engine as _;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde::Deserialize;

use super::blob_pull::{self, BlobPuller, Sink};
use super::manifest::{self, BlobFetch, MAX_MANIFEST_BYTES};
use super::{BlobStore, Contents, Error, Image, LayerBlob, SourceConfig, TargetKind};
use portcullis_io::retry;
use portcullis_model::Digest;

const ACCEPTED_MANIFEST_TYPES: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

struct Registry {
    connection: RegistryConnection,
    location: String,
    scratch_dir: Option<PathBuf>,
}

impl Registry {
    fn error(&self, source: oci_client::errors::OciDistributionError) -> Error {
        Error::Registry {
            reference: self.location.clone(),
            source,
        }
    }

    fn pull_to(&self, digest: &Digest, sink: Sink<'_>) -> Result<(), Error> {
        let connection = &self.connection;
        let puller = BlobPuller {
            client: &connection.client,
            auth: &connection.auth,
            reference: &connection.reference,
            http: &connection.http,
            scheme: connection.scheme,
            location: &self.location,
            read_timeout: connection.read_timeout,
        };
        connection.runtime.block_on(puller.pull(digest, sink))
    }
}

impl BlobFetch for Registry {
    fn location(&self) -> &str {
        &self.location
    }

    fn fetch(&self, digest: &Digest, what: &str) -> Result<Vec<u8>, Error> {
        let mut bytes = Vec::new();
        let sink = Sink::Memory {
            bytes: &mut bytes,
            limit: MAX_MANIFEST_BYTES,
        };
        match self.pull_to(digest, sink) {
            Err(Error::BlobPull { why, .. }) if why.contains("larger than any manifest") => {
                Err(Error::TooLarge {
                    location: self.location.clone(),
                    what: what.to_owned(),
                    limit: MAX_MANIFEST_BYTES,
                })
            }
            other => other.map(|()| bytes),
        }
    }

    fn fetch_manifest(&self, digest: &Digest, _what: &str) -> Result<Vec<u8>, Error> {
        self.manifest_bytes(digest)
    }
}

impl Registry {
    /// Manifests come from the manifests endpoint, not the blobs one.
    fn manifest_bytes(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        let reference = Reference::with_digest(
            self.connection.reference.registry().to_owned(),
            self.connection.reference.repository().to_owned(),
            digest.to_string(),
        );
        let (bytes, _) = self
            .connection
            .pull_manifest(&reference)
            .map_err(|source| self.error(source))?;
        Ok(bytes)
    }
}

impl BlobStore for Registry {
    fn open(&self, layer: &LayerBlob) -> Result<Box<dyn Read + Send + '_>, Error> {
        let scratch = match &self.scratch_dir {
            Some(dir) => {
                fs_err::create_dir_all(dir).map_err(|source| Error::Io {
                    path: dir.clone(),
                    source,
                })?;
                tempfile::tempfile_in(dir)
            }
            None => tempfile::tempfile(),
        }
        .map_err(|source| Error::Io {
            path: self.scratch_dir.clone().unwrap_or_else(std::env::temp_dir),
            source,
        })?;
        let mut file = scratch;
        self.pull_to(&layer.expected, Sink::File(&mut file))?;
        std::io::Seek::rewind(&mut file).map_err(|source| Error::Io {
            path: PathBuf::from("scratch file"),
            source,
        })?;
        Ok(Box::new(std::io::BufReader::with_capacity(256 << 10, file)))
    }
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, DockerAuth>,
}

#[derive(Deserialize, Default)]
struct DockerAuth {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    registrytoken: Option<String>,
}

/// The host a `config.json` key names: `https://index.docker.io/v1/` → `index.docker.io`.
fn auth_key_host(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

fn credentials(dir: Option<&Path>, registry: &str) -> Result<RegistryAuth, Error> {
    let Some(dir) = dir else {
        return Ok(RegistryAuth::Anonymous);
    };
    let path = dir.join("config.json");
    if !path.is_file() {
        return Ok(RegistryAuth::Anonymous);
    }
    let bad = |source: Box<dyn std::error::Error + Send + Sync>| Error::Credentials {
        path: path.clone(),
        source,
    };
    let bytes = fs_err::read(&path).map_err(|e| bad(Box::new(e)))?;
    let config: DockerConfig = serde_json::from_slice(&bytes).map_err(|e| bad(Box::new(e)))?;
    let wanted = match registry {
        "docker.io" | "registry-1.docker.io" => "index.docker.io",
        other => other,
    };
    let Some(entry) = config
        .auths
        .iter()
        .find(|(key, _)| auth_key_host(key) == wanted)
        .map(|(_, entry)| entry)
    else {
        return Ok(RegistryAuth::Anonymous);
    };
    if let Some(token) = &entry.registrytoken {
        return Ok(RegistryAuth::Bearer(token.clone()));
    }
    if let (Some(user), Some(password)) = (&entry.username, &entry.password) {
        return Ok(RegistryAuth::Basic(user.clone(), password.clone()));
    }
    if let Some(auth) = &entry.auth {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|e| bad(Box::new(e)))?;
        let text = String::from_utf8(decoded).map_err(|e| bad(Box::new(e)))?;
        if let Some((user, password)) = text.split_once(':') {
            return Ok(RegistryAuth::Basic(user.to_owned(), password.to_owned()));
        }
    }
    Ok(RegistryAuth::Anonymous)
}

fn is_loopback(registry: &str) -> bool {
    let host = registry.rsplit_once(':').map_or(registry, |(host, _)| host);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

/// A client, credentials and runtime for one registry reference.
pub(crate) struct RegistryConnection {
    pub client: Client,
    pub auth: RegistryAuth,
    pub reference: Reference,
    pub runtime: tokio::runtime::Runtime,
    /// The blob downloads' own client (status, headers, ranges, read timeout).
    pub http: reqwest::Client,
    pub scheme: &'static str,
    pub read_timeout: std::time::Duration,
}

/// Attempts per manifest request.
const MANIFEST_ATTEMPTS: u32 = blob_pull::ATTEMPTS;

impl RegistryConnection {
    /// A manifest by tag or digest, retried on the faults a flaky network or a
    /// busy registry gives (oci-client hides `Retry-After`, so this backs off).
    pub(crate) fn pull_manifest(
        &self,
        reference: &Reference,
    ) -> Result<(Vec<u8>, String), oci_client::errors::OciDistributionError> {
        let mut attempt = 0;
        loop {
            let result = self.runtime.block_on(self.client.pull_manifest_raw(
                reference,
                &self.auth,
                &ACCEPTED_MANIFEST_TYPES,
            ));
            match result {
                Ok((bytes, digest)) => return Ok((bytes.to_vec(), digest)),
                Err(error) if is_transient(&error) && attempt + 1 < MANIFEST_ATTEMPTS => {
                    let wait = retry::backoff(
                        attempt,
                        std::time::Duration::from_millis(500),
                        std::time::Duration::from_secs(8),
                    );
                    tracing::info!(
                        "`{reference}`: {}; attempt {} in {} ms",
                        retry::error_chain(&error),
                        attempt + 2,
                        wait.as_millis()
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// Whether a registry error may pass on another attempt: a dropped or timed
/// out connection, a 5xx, a 408 or a 429 (also as an OCI `TOOMANYREQUESTS`).
pub(crate) fn is_transient(error: &oci_client::errors::OciDistributionError) -> bool {
    use oci_client::errors::{OciDistributionError as E, OciErrorCode};
    match error {
        E::RequestError(error) => !error.is_builder() && !error.is_redirect(),
        E::ServerError { code, .. } => *code >= 500 || *code == 429 || *code == 408,
        E::RegistryError { envelope, .. } => envelope
            .errors
            .iter()
            .any(|e| e.code == OciErrorCode::Toomanyrequests),
        E::IoError(_) => true,
        _ => false,
    }
}

/// Connects to the registry of `location` with the credentials and plain-HTTP
/// rules of `config`.
pub(crate) fn connect(location: &str, config: &SourceConfig) -> Result<RegistryConnection, Error> {
    let reference =
        Reference::from_str(location).map_err(|_| Error::BadReference(location.to_owned()))?;
    let registry = reference.resolve_registry().to_owned();
    let plain = is_loopback(&registry) || config.insecure_registries.contains(&registry);
    let plain_http: Vec<String> = if plain {
        vec![registry.clone()]
    } else {
        Vec::new()
    };
    let read_timeout = config
        .registry_timeout
        .unwrap_or(blob_pull::DEFAULT_READ_TIMEOUT);
    super::http::install_crypto_provider();
    let client = Client::new(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(plain_http),
        read_timeout: Some(read_timeout),
        connect_timeout: Some(std::time::Duration::from_secs(15)),
        ..ClientConfig::default()
    });
    let auth = credentials(config.docker_config_dir.as_deref(), &registry)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    Ok(RegistryConnection {
        client,
        auth,
        reference,
        runtime,
        http: blob_pull::http_client(read_timeout)?,
        scheme: if plain { "http" } else { "https" },
        read_timeout,
    })
}

pub(super) fn open(location: &str, config: &SourceConfig) -> Result<Image, Error> {
    let connection = connect(location, config)?;
    let source = Registry {
        connection,
        location: location.to_owned(),
        scratch_dir: config.scratch_dir.clone(),
    };
    let (bytes, digest) = source
        .connection
        .pull_manifest(&source.connection.reference)
        .map_err(|e| source.error(e))?;
    let digest: Digest = digest.parse().map_err(|e| Error::BadDigest {
        location: location.to_owned(),
        what: "the manifest digest the registry sent".to_owned(),
        source: e,
    })?;
    let mut hasher = digest.hasher();
    hasher.update(&bytes);
    let actual = hasher.finish();
    if actual != digest {
        return Err(Error::DigestMismatch {
            location: location.to_owned(),
            what: "the manifest".to_owned(),
            expected: digest,
            actual,
        });
    }
    let resolved = if is_index(&bytes) {
        let index = manifest::parse_index(&bytes, location, "the image index")?;
        manifest::resolve_index(&source, &index, config.platform.as_ref())?
    } else {
        manifest::resolve_manifest(&source, &digest, None, config.platform.as_ref())?
    };
    Ok(Image {
        kind: TargetKind::Registry,
        reference: location.to_owned(),
        manifest_digest: Some(resolved.manifest_digest),
        platform: resolved.platform,
        config: resolved.config,
        contents: Contents::Layers {
            layers: resolved.layers,
            store: Box::new(source),
        },
    })
}

/// Whether manifest bytes are an index (by `mediaType`, or by having `manifests`).
fn is_index(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(probe) => match probe.media_type.as_deref() {
            Some(media_type) => media_type.contains("index") || media_type.contains("list"),
            None => probe.manifests.is_some(),
        },
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries_are_recognised() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(!is_loopback("ghcr.io"));
    }

    #[test]
    fn docker_config_keys_match_by_host() {
        assert_eq!(
            auth_key_host("https://index.docker.io/v1/"),
            "index.docker.io"
        );
        assert_eq!(auth_key_host("127.0.0.1:5000"), "127.0.0.1:5000");
    }
}
