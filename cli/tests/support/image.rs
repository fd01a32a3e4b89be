//! Small hand-made images for tests: tar layers written entry by entry (also
//! the malformed ones a real tool would never write), packed as OCI layouts,
//! OCI archives or docker-archives.

use std::io::Write;
use std::path::Path;

use sha2::{Digest as _, Sha256};

/// A real excerpt of Debian 12's `var/lib/dpkg/status` (fields trimmed to
/// those dpkg needs). Source: the debian-slim fixture, bookworm.
pub(crate) const DPKG_STATUS: &str = "Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2026b-0+deb12u1\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";
pub(crate) const OS_RELEASE: &str =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";

/// One tar entry; names are written raw, so unsafe ones can be made.
pub(crate) enum Entry<'a> {
    File(&'a str, &'a [u8]),
    /// A regular file with its mode (setuid, world-writable…).
    FileMode(&'a str, &'a [u8], u32),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Dir(&'a str),
}

fn header(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    let bytes = name.as_bytes();
    let field = &mut header.as_old_mut().name;
    field[..bytes.len()].copy_from_slice(bytes);
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(1_704_067_200);
    header
}

fn set_link(header: &mut tar::Header, target: &str) {
    let field = &mut header.as_old_mut().linkname;
    field[..target.len()].copy_from_slice(target.as_bytes());
}

/// A tar stream holding `entries`, in order.
pub(crate) fn tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        match entry {
            Entry::File(name, bytes) => {
                let mut h = header(name, tar::EntryType::Regular, bytes.len() as u64);
                h.set_cksum();
                builder.append(&h, *bytes).unwrap();
            }
            Entry::FileMode(name, bytes, mode) => {
                let mut h = header(name, tar::EntryType::Regular, bytes.len() as u64);
                h.set_mode(*mode);
                h.set_cksum();
                builder.append(&h, *bytes).unwrap();
            }
            Entry::Symlink(name, target) | Entry::Hardlink(name, target) => {
                let kind = if matches!(entry, Entry::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                };
                let mut h = header(name, kind, 0);
                set_link(&mut h, target);
                h.set_cksum();
                builder.append(&h, std::io::empty()).unwrap();
            }
            Entry::Dir(name) => {
                let mut h = header(name, tar::EntryType::Directory, 0);
                h.set_mode(0o755);
                h.set_cksum();
                builder.append(&h, std::io::empty()).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// How a layer blob is stored.
#[derive(Clone, Copy)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
    Plain,
}

pub(crate) fn compress(tar: &[u8], compression: Compression) -> Vec<u8> {
    match compression {
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(tar).unwrap();
            encoder.finish().unwrap()
        }
        Compression::Zstd => zstd::stream::encode_all(tar, 3).unwrap(),
        Compression::Plain => tar.to_vec(),
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn media_type(compression: Compression) -> &'static str {
    match compression {
        Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        Compression::Plain => "application/vnd.oci.image.layer.v1.tar",
    }
}

/// An image under construction.
pub(crate) struct Image {
    pub(crate) layers: Vec<(Vec<u8>, Compression)>,
    pub(crate) architecture: String,
    /// Overrides the config's JSON when set (to make a bad one).
    pub(crate) raw_config: Option<Vec<u8>>,
    /// Changes each layer blob after compression, before it is digested.
    pub(crate) mangle: Option<fn(&mut Vec<u8>)>,
    /// The manifest's own `mediaType`.
    pub(crate) manifest_media_type: &'static str,
    /// Overrides every layer descriptor's `mediaType` when set.
    pub(crate) layer_media_type: Option<&'static str>,
}

impl Image {
    pub(crate) fn new(layers: Vec<Vec<u8>>) -> Image {
        Image {
            layers: layers.into_iter().map(|t| (t, Compression::Gzip)).collect(),
            architecture: "amd64".to_owned(),
            raw_config: None,
            mangle: None,
            manifest_media_type: "application/vnd.oci.image.manifest.v1+json",
            layer_media_type: None,
        }
    }

    pub(crate) fn config(&self) -> Vec<u8> {
        if let Some(raw) = &self.raw_config {
            return raw.clone();
        }
        let diff_ids: Vec<String> = self.layers.iter().map(|(tar, _)| sha256(tar)).collect();
        serde_json::to_vec(&serde_json::json!({
            "architecture": self.architecture,
            "os": "linux",
            "config": {"User": "app", "ExposedPorts": {"8080/tcp": {}}},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }))
        .unwrap()
    }

    /// Writes the blobs and returns the manifest's (digest, bytes).
    pub(crate) fn write_blobs(&self, blobs: &Path) -> (String, Vec<u8>) {
        std::fs::create_dir_all(blobs).unwrap();
        let put = |bytes: &[u8]| {
            let digest = sha256(bytes);
            std::fs::write(blobs.join(&digest[7..]), bytes).unwrap();
            digest
        };
        let config = self.config();
        let config_digest = put(&config);
        let layers: Vec<serde_json::Value> = self
            .layers
            .iter()
            .map(|(tar, compression)| {
                let mut blob = compress(tar, *compression);
                if let Some(mangle) = self.mangle {
                    mangle(&mut blob);
                }
                let media_type = self.layer_media_type.unwrap_or(media_type(*compression));
                serde_json::json!({"mediaType": media_type, "digest": put(&blob), "size": blob.len()})
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": self.manifest_media_type,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": layers,
        }))
        .unwrap();
        (put(&manifest), manifest)
    }

    /// Writes an OCI layout directory whose index names the manifest(s) of `images`.
    pub(crate) fn write_oci_dir(&self, dir: &Path) -> String {
        let (digest, manifest) = self.write_blobs(&dir.join("blobs/sha256"));
        write_index(dir, &[(digest.clone(), manifest.len(), None)]);
        digest
    }

    /// Writes a docker-archive: classic (`<id>/layer.tar`) or Docker 25+ (`blobs/sha256/…`).
    pub(crate) fn write_docker_archive(&self, path: &Path, oci_flavoured: bool) {
        let config = self.config();
        let config_name = if oci_flavoured {
            format!("blobs/sha256/{}", &sha256(&config)[7..])
        } else {
            format!("{}.json", &sha256(&config)[7..])
        };
        let mut members: Vec<(String, Vec<u8>)> = vec![(config_name.clone(), config)];
        let mut layer_names = Vec::new();
        for (index, (tar, _)) in self.layers.iter().enumerate() {
            let name = if oci_flavoured {
                format!("blobs/sha256/{}", &sha256(tar)[7..])
            } else {
                format!("layer{index}/layer.tar")
            };
            layer_names.push(name.clone());
            members.push((name, tar.clone()));
        }
        let manifest = serde_json::to_vec(&serde_json::json!([{
            "Config": config_name, "RepoTags": ["test/image:latest"], "Layers": layer_names,
        }]))
        .unwrap();
        members.push(("manifest.json".to_owned(), manifest));
        let entries: Vec<Entry<'_>> = members
            .iter()
            .map(|(name, bytes)| Entry::File(name, bytes))
            .collect();
        std::fs::write(path, tar(&entries)).unwrap();
    }
}

/// Writes `oci-layout` and an `index.json` naming `manifests` (digest, size, platform).
pub(crate) fn write_index(dir: &Path, manifests: &[(String, usize, Option<&str>)]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let entries: Vec<serde_json::Value> = manifests
        .iter()
        .map(|(digest, size, platform)| {
            let mut entry = serde_json::json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest, "size": size,
            });
            if let Some(platform) = platform {
                let (os, arch) = platform.split_once('/').unwrap();
                entry["platform"] = serde_json::json!({"os": os, "architecture": arch});
            }
            entry
        })
        .collect();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": entries});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// A plain Debian-like base layer.
pub(crate) fn base_layer() -> Vec<u8> {
    tar(&[
        Entry::Dir("etc/"),
        Entry::File("usr/lib/os-release", OS_RELEASE.as_bytes()),
        Entry::Symlink("etc/os-release", "../usr/lib/os-release"),
        Entry::Dir("var/lib/dpkg/"),
        Entry::File("var/lib/dpkg/status", DPKG_STATUS.as_bytes()),
    ])
}
