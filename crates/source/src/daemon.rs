//! Images in the local Docker or Podman store, read through the Engine API on
//! its Unix socket: `GET /images/{name}/json` says whether the image is there
//! and gives its ID (the digest of its config); `GET /images/{name}/get`
//! streams it as a `docker save` archive, read once as it arrives (see
//! `portcullis_layer`'s export reader): nothing is copied to disk.
//!
//! The socket is `DOCKER_HOST` (`unix://PATH`, default `/var/run/docker.sock`)
//! for Docker, `CONTAINER_HOST` for Podman (default
//! `$XDG_RUNTIME_DIR/podman/podman.sock`, then `/run/podman/podman.sock`), as
//! the CLI read them into [`EngineHosts`].
//! See <https://docs.docker.com/reference/api/engine/version/v1.41/#tag/Image>.
//!
//! HTTP/1.1 is spoken by hand over `std`'s `UnixStream` (`httparse` for the
//! head, `chunked_transfer` for the body): the layer walker reads
//! synchronously, and an async client would need a runtime and a bridge.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{Contents, EngineHosts, Error, ExportStream, Image, ImageConfig, TargetKind};
use portcullis_model::{Digest, Platform};

/// The longest response head accepted (64 KiB).
const MAX_HEAD_BYTES: usize = 64 << 10;
/// The longest inspect answer accepted (4 MiB).
const MAX_INSPECT_BYTES: u64 = 4 << 20;
/// How long connecting and the inspect call may take when probing for a
/// bare reference, before the registry is tried.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A container engine with a Docker-compatible API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Docker,
    Podman,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Docker => "Docker",
            Engine::Podman => "Podman",
        }
    }

    pub(super) fn kind(self) -> TargetKind {
        match self {
            Engine::Docker => TargetKind::Docker,
            Engine::Podman => TargetKind::Podman,
        }
    }

    /// The variable that names this engine's socket.
    fn host_variable(self) -> &'static str {
        match self {
            Engine::Docker => "DOCKER_HOST",
            Engine::Podman => "CONTAINER_HOST",
        }
    }

    /// The socket this engine answers on, from its variable or the defaults.
    pub(super) fn socket(self, hosts: &EngineHosts) -> Result<PathBuf, Error> {
        let host = match self {
            Engine::Docker => &hosts.docker,
            Engine::Podman => &hosts.podman,
        };
        if let Some(host) = host {
            return match host.strip_prefix("unix://") {
                Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
                _ => Err(Error::DaemonHost {
                    variable: self.host_variable(),
                    value: host.clone(),
                }),
            };
        }
        Ok(match self {
            Engine::Docker => PathBuf::from("/var/run/docker.sock"),
            Engine::Podman => hosts
                .runtime_dir
                .as_ref()
                .map(|dir| dir.join("podman/podman.sock"))
                .filter(|path| path.exists())
                .unwrap_or_else(|| PathBuf::from("/run/podman/podman.sock")),
        })
    }
}

/// What `GET /images/{name}/json` tells.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    id: String,
    #[serde(default)]
    os: Option<String>,
    #[serde(default)]
    architecture: Option<String>,
    #[serde(default)]
    variant: Option<String>,
}

/// The error body the Engine API sends with a 4xx or 5xx.
#[derive(Deserialize)]
struct ApiMessage {
    message: String,
}

/// One response: its status and its body, chunked or not.
struct Response {
    status: u16,
    body: Box<dyn Read + Send>,
}

/// A GET over the socket at `socket`; each read waits at most `timeout`.
fn get(socket: &Path, path: &str, timeout: Duration) -> io::Result<Response> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: portcullis/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    )?;
    stream.flush()?;
    let mut reader = BufReader::with_capacity(256 << 10, stream);
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut line = Vec::new();
        let read = (&mut reader)
            .take((MAX_HEAD_BYTES - head.len()) as u64)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the answer ended inside its head, or the head is over 64 KiB",
            ));
        }
        head.extend_from_slice(&line);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    let status = match response.parse(&head) {
        Ok(httparse::Status::Complete(_)) => response.code.unwrap_or(0),
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the answer is not HTTP/1.1",
            ))
        }
    };
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let body: Box<dyn Read + Send> =
        if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            Box::new(chunked_transfer::Decoder::new(reader))
        } else if let Some(length) = header("content-length") {
            let length: u64 = length.parse().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "its Content-Length is no number",
                )
            })?;
            Box::new(Exact {
                inner: reader.take(length),
                left: length,
            })
        } else {
            Box::new(reader)
        };
    Ok(Response { status, body })
}

/// A body of a known length that must arrive whole: an early end is an
/// error, not a short image.
struct Exact<R> {
    inner: io::Take<R>,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        if count == 0 && self.left > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the answer ended {} bytes early", self.left),
            ));
        }
        self.left -= count as u64;
        Ok(count)
    }
}

/// Reads a small body whole, capped.
fn read_small(body: &mut dyn Read, limit: u64) -> io::Result<Vec<u8>> {
    portcullis_io::read_bounded(body, limit)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the answer is over {limit} bytes"),
        )
    })
}

/// The image's path segment: names keep their `/`, `:` and `@` (the API
/// routes `{name:.*}`); anything else is percent-encoded.
fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"._-/:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where an image is read from, for messages: `docker:NAME (/var/run/docker.sock)`.
fn location(engine: Engine, name: &str, socket: &Path) -> String {
    format!("{}:{name} ({})", engine.kind().name(), socket.display())
}

/// What asking the engine about an image came to.
enum Found {
    Image(Inspect),
    Missing(String),
}

/// The error for an engine that did not answer (or broke off) on `socket`.
fn unreachable(engine: Engine, socket: &Path) -> impl Fn(io::Error) -> Error + Copy + '_ {
    move |source| Error::DaemonUnreachable {
        engine: engine.name(),
        socket: socket.to_owned(),
        source,
    }
}

fn inspect(engine: Engine, name: &str, socket: &Path, timeout: Duration) -> Result<Found, Error> {
    let unreachable = unreachable(engine, socket);
    let mut response = get(
        socket,
        &format!("/images/{}/json", path_segment(name)),
        timeout,
    )
    .map_err(unreachable)?;
    let body = read_small(response.body.as_mut(), MAX_INSPECT_BYTES).map_err(unreachable)?;
    match response.status {
        200 => serde_json::from_slice(&body)
            .map(Found::Image)
            .map_err(|source| Error::Malformed {
                location: location(engine, name, socket),
                what: "the engine's inspect answer".to_owned(),
                source,
            }),
        404 => Ok(Found::Missing(api_message(&body))),
        status => Err(Error::DaemonRefused {
            engine: engine.name(),
            socket: socket.to_owned(),
            status,
            message: api_message(&body),
        }),
    }
}

fn api_message(body: &[u8]) -> String {
    serde_json::from_slice::<ApiMessage>(body)
        .map(|m| m.message)
        .unwrap_or_else(|_| portcullis_model::quote(&String::from_utf8_lossy(body)))
}

/// Opens `name` from `engine`'s store, streaming its export.
pub(super) fn open(
    name: &str,
    engine: Engine,
    hosts: &EngineHosts,
    timeout: Duration,
) -> Result<Image, Error> {
    let socket = engine.socket(hosts)?;
    match inspect(engine, name, &socket, timeout)? {
        Found::Image(found) => export(name, engine, &socket, found, timeout),
        Found::Missing(message) => Err(Error::NoLocalImage {
            engine: engine.name(),
            name: name.to_owned(),
            socket,
            message,
        }),
    }
}

/// For a bare `NAME:TAG`: the image from the first engine whose socket
/// answers and holds it, or `None` to go to the registry. An engine that
/// does not answer is passed over; one that answers and then fails is an error.
pub(super) fn find_local(
    name: &str,
    hosts: &EngineHosts,
    timeout: Duration,
) -> Result<Option<Image>, Error> {
    for engine in [Engine::Docker, Engine::Podman] {
        let Ok(socket) = engine.socket(hosts) else {
            continue;
        };
        if !socket.exists() {
            continue;
        }
        match inspect(engine, name, &socket, PROBE_TIMEOUT.min(timeout)) {
            Ok(Found::Image(found)) => {
                tracing::info!(
                    "`{name}` is in the local {} store ({}): reading it from there",
                    engine.name(),
                    socket.display()
                );
                return export(name, engine, &socket, found, timeout).map(Some);
            }
            Ok(Found::Missing(_)) => {
                tracing::debug!("`{name}` is not in the local {} store", engine.name());
            }
            Err(Error::DaemonUnreachable { source, .. }) => {
                tracing::debug!(
                    "the {} socket {} does not answer ({source})",
                    engine.name(),
                    socket.display()
                );
            }
            Err(error) => return Err(error),
        }
    }
    Ok(None)
}

fn export(
    name: &str,
    engine: Engine,
    socket: &Path,
    found: Inspect,
    timeout: Duration,
) -> Result<Image, Error> {
    let where_from = location(engine, name, socket);
    let config_digest: Digest = found.id.parse().map_err(|source| Error::BadDigest {
        location: where_from.clone(),
        what: "the image ID".to_owned(),
        source,
    })?;
    let unreachable = unreachable(engine, socket);
    // By ID, so a tag moved between the two calls cannot swap the image.
    let mut response = get(
        socket,
        &format!("/images/{}/get", path_segment(&config_digest.to_string())),
        timeout,
    )
    .map_err(unreachable)?;
    if response.status != 200 {
        let body = read_small(response.body.as_mut(), MAX_INSPECT_BYTES).map_err(unreachable)?;
        return Err(Error::DaemonRefused {
            engine: engine.name(),
            socket: socket.to_owned(),
            status: response.status,
            message: api_message(&body),
        });
    }
    let platform = match (found.os, found.architecture) {
        (Some(os), Some(architecture)) => {
            Some(Platform::new(&os, &architecture, found.variant.as_deref()))
        }
        _ => None,
    };
    Ok(Image {
        kind: engine.kind(),
        reference: name.to_owned(),
        manifest_digest: None,
        platform,
        config: ImageConfig::default(),
        contents: Contents::Export(ExportStream {
            reader: response.body,
            config_digest,
            location: where_from,
        }),
    })
}
