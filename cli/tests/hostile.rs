//! The hostile-input table: each row builds one malicious or broken input in
//! a scratch dir and runs `portcullis` on it, with a canary in the
//! environment and another in a file outside the input (which the row's
//! escapes point at). Every row must end in its exit code (2: the input is
//! refused; 3: the analysis is partial, fail closed) with a clear `error:`
//! line, no panic, no canary in any output, and nothing written outside the
//! scratch dir. The policy modules' rows are in `policy.rs`
//! (`hostile_modules_fail_closed`, 10 rows) and count with these.

use std::path::{Path, PathBuf};

use crate::support::image::{
    base_layer, compress, tar, write_index, Compression, Entry, Image, DPKG_STATUS, OS_RELEASE,
};
use crate::support::{portcullis, stderr};

const ENV_CANARY: &str = "canary-env-5b1e0c";
const FILE_CANARY: &str = "canary-file-93d2aa";

/// A row's scratch: `input/` for what it builds, `outside/secret` holding
/// the file canary.
struct Scratch {
    root: tempfile::TempDir,
}

impl Scratch {
    fn input(&self) -> PathBuf {
        self.root.path().join("input")
    }
    fn secret(&self) -> PathBuf {
        self.root.path().join("outside/secret")
    }
    fn at(&self, name: &str) -> String {
        self.input().join(name).to_string_lossy().into_owned()
    }
    /// Writes `image` as an OCI layout at `input/layout`.
    fn layout(&self, image: &Image) -> String {
        let dir = self.input().join("layout");
        image.write_oci_dir(&dir);
        dir.to_string_lossy().into_owned()
    }
    fn blobs(&self) -> PathBuf {
        self.input().join("layout/blobs/sha256")
    }
    /// The layout's blob that starts with `magic`.
    fn blob_starting(&self, magic: &[u8]) -> PathBuf {
        std::fs::read_dir(self.blobs())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| std::fs::read(p).unwrap().starts_with(magic))
            .expect("a blob with that magic")
    }
    /// The layout's blob that is JSON holding `needle`.
    fn json_blob(&self, needle: &str) -> PathBuf {
        std::fs::read_dir(self.blobs())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).contains(needle))
            .expect("a JSON blob holding the needle")
    }
    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.input().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    }
}

fn layout_of(scratch: &Scratch, layers: Vec<Vec<u8>>) -> Vec<String> {
    sbom(scratch.layout(&Image::new(layers)))
}

fn sbom(target: String) -> Vec<String> {
    vec!["sbom".to_owned(), target]
}

fn scan(target: String) -> Vec<String> {
    vec![
        "scan".to_owned(),
        target,
        "--db".to_owned(),
        crate::scan::corpus_db().to_string_lossy().into_owned(),
    ]
}

/// A one-layer image whose layer holds `path` with `bytes`, on the base layer.
fn with_file(scratch: &Scratch, path: &str, bytes: &[u8]) -> Vec<String> {
    scan(scratch.layout(&Image::new(vec![
        base_layer(),
        tar(&[Entry::File(path, bytes)]),
    ])))
}

/// A raw tar header (512 bytes) for `name`, with `edit` applied, checksummed.
fn raw_member(name: &str, size: u64, edit: impl FnOnce(&mut tar::Header)) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    edit(&mut header);
    header.set_cksum();
    let mut bytes = header.as_bytes().to_vec();
    bytes.resize(512 + (size as usize).div_ceil(512) * 512, 0);
    bytes
}

fn end_of_tar(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes.extend_from_slice(&[0u8; 1024]);
    bytes
}

/// A PAX extended header record list followed by `name`.
fn pax_then(records: &str, name: &str, size: u64) -> Vec<u8> {
    let mut bytes = raw_member("././@PaxHeader", records.len() as u64, |h| {
        h.set_entry_type(tar::EntryType::XHeader)
    });
    bytes[512..512 + records.len()].copy_from_slice(records.as_bytes());
    bytes.extend(raw_member(name, size, |_| {}));
    end_of_tar(bytes)
}

fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}{body}").len() != len {
        len += 1;
    }
    format!("{len}{body}")
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Stored)
}

/// A zip of `entries`, each compressed with `method` (Deflated: a bomb of zeros).
fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, bytes) in entries {
        writer.start_file(*name, options).unwrap();
        std::io::Write::write_all(&mut writer, bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// A scan of a small pinned project with `flag FILE` (an ignore file, a VEX document).
fn project_scan_with(s: &Scratch, flag: &str, file: String) -> Vec<String> {
    s.write("project/requirements.txt", b"PyYAML==5.3\n");
    let mut args = scan(format!("dir:{}", s.input().join("project").display()));
    args.extend([flag.to_owned(), file]);
    args
}

/// What a row builds: the arguments to run, given its scratch.
type Build = Box<dyn Fn(&Scratch) -> Vec<String>>;

struct Row {
    what: &'static str,
    build: Build,
    code: i32,
    says: &'static str,
}

fn row(
    what: &'static str,
    code: i32,
    says: &'static str,
    build: impl Fn(&Scratch) -> Vec<String> + 'static,
) -> Row {
    Row {
        what,
        build: Box::new(build),
        code,
        says,
    }
}

fn image_rows() -> Vec<Row> {
    vec![
        row("tar entry `../`", 2, "climbs out", |s| {
            layout_of(s, vec![tar(&[Entry::File("../../etc/evil", b"x")])])
        }),
        row("tar entry `a/../../`", 2, "climbs out", |s| {
            layout_of(s, vec![tar(&[Entry::File("a/../../evil", b"x")])])
        }),
        row("absolute tar entry", 2, "absolute", |s| {
            layout_of(s, vec![tar(&[Entry::File("/etc/passwd", b"x")])])
        }),
        row(
            "symlink out of the image",
            2,
            "points out of the image",
            |s| {
                layout_of(
                    s,
                    vec![tar(&[Entry::Symlink(
                        "etc/os-release",
                        "../../../../outside/secret",
                    )])],
                )
            },
        ),
        row("hard link out of the image", 2, "hard link", |s| {
            layout_of(
                s,
                vec![tar(&[Entry::Hardlink(
                    "var/lib/dpkg/status",
                    "../../../outside/secret",
                )])],
            )
        }),
        row("absolute hard link", 2, "hard link", |s| {
            let target = s.secret().to_string_lossy().into_owned();
            layout_of(
                s,
                vec![tar(&[Entry::Hardlink("var/lib/dpkg/status", &target)])],
            )
        }),
        row("PAX size of 2^64+1", 2, "PAX `size`", |s| {
            layout_of(
                s,
                vec![pax_then(
                    &pax_record("size", "18446744073709551617"),
                    "var/lib/dpkg/status",
                    0,
                )],
            )
        }),
        row("PAX path climbing out", 2, "climbs out", |s| {
            layout_of(
                s,
                vec![pax_then(
                    &pax_record("path", "../../outside/secret"),
                    "x",
                    0,
                )],
            )
        }),
        row(
            "PAX linkpath out of the image",
            2,
            "out of the image",
            |s| {
                let records = pax_record("linkpath", "../../../outside/secret");
                let mut bytes = raw_member("././@PaxHeader", records.len() as u64, |h| {
                    h.set_entry_type(tar::EntryType::XHeader)
                });
                bytes[512..512 + records.len()].copy_from_slice(records.as_bytes());
                bytes.extend(raw_member("etc/os-release", 0, |h| {
                    h.set_entry_type(tar::EntryType::Symlink)
                }));
                layout_of(s, vec![end_of_tar(bytes)])
            },
        ),
        row("GNU sparse member", 2, "GNU sparse", |s| {
            layout_of(
                s,
                vec![end_of_tar(raw_member("var/lib/dpkg/status", 0, |h| {
                    h.set_entry_type(tar::EntryType::GNUSparse);
                    h.as_gnu_mut()
                        .unwrap()
                        .realsize
                        .copy_from_slice(b"00000000000\0");
                }))],
            )
        }),
        row("unknown tar member type", 2, "entry type", |s| {
            layout_of(
                s,
                vec![end_of_tar(raw_member("var/lib/dpkg/status", 0, |h| {
                    h.set_entry_type(tar::EntryType::new(b'Z'))
                }))],
            )
        }),
        row("tar header with a bad checksum", 2, "layer 1", |s| {
            let mut bytes = end_of_tar(raw_member("var/lib/dpkg/status", 4, |_| {}));
            bytes[148..156].copy_from_slice(b"0000001\0");
            layout_of(s, vec![bytes])
        }),
        row("tar size field not octal", 2, "layer 1", |s| {
            let mut bytes = end_of_tar(raw_member("var/lib/dpkg/status", 0, |_| {}));
            bytes[124..136].copy_from_slice(b"zzzzzzzzzzz\0");
            let mut header = tar::Header::new_old();
            header.as_mut_bytes().copy_from_slice(&bytes[..512]);
            header.set_cksum();
            bytes[..512].copy_from_slice(header.as_bytes());
            layout_of(s, vec![bytes])
        }),
        row("tar cut inside a member", 2, "layer 1", |s| {
            let mut bytes = raw_member("var/lib/dpkg/status", 4096, |_| {});
            bytes.truncate(1000);
            layout_of(s, vec![bytes])
        }),
        row("truncated gzip layer", 2, "corrupt or truncated", |s| {
            let mut image = Image::new(vec![base_layer()]);
            image.mangle = Some(|blob| blob.truncate(blob.len() / 2));
            sbom(s.layout(&image))
        }),
        row("truncated zstd layer", 2, "layer 1", |s| {
            let mut image = Image::new(vec![base_layer()]);
            image.layers[0].1 = Compression::Zstd;
            image.mangle = Some(|blob| blob.truncate(blob.len() / 2));
            sbom(s.layout(&image))
        }),
        row(
            "gzip bomb past --max-layer-bytes",
            2,
            "--max-layer-bytes",
            |s| {
                let zeros = vec![0u8; 8 << 20];
                let mut args =
                    layout_of(s, vec![tar(&[Entry::File("var/lib/dpkg/status", &zeros)])]);
                args.extend(["--max-layer-bytes".to_owned(), "1048576".to_owned()]);
                args
            },
        ),
        row(
            "zstd bomb past --max-image-bytes",
            2,
            "--max-image-bytes",
            |s| {
                let zeros = vec![0u8; 8 << 20];
                let mut image =
                    Image::new(vec![tar(&[Entry::File("var/lib/dpkg/status", &zeros)])]);
                image.layers[0].1 = Compression::Zstd;
                let mut args = sbom(s.layout(&image));
                args.extend(["--max-image-bytes".to_owned(), "1048576".to_owned()]);
                args
            },
        ),
        row("layer of an unknown media type", 2, "media type", |s| {
            let mut image = Image::new(vec![base_layer()]);
            image.layer_media_type = Some("application/vnd.example.layer.v1.tar+lz4");
            sbom(s.layout(&image))
        }),
        row("layer blob with the wrong digest", 2, "was expected", |s| {
            let args = layout_of(s, vec![base_layer()]);
            let blob = s.blob_starting(&[0x1f, 0x8b]);
            std::fs::write(
                blob,
                compress(&tar(&[Entry::File("etc/x", b"y")]), Compression::Gzip),
            )
            .unwrap();
            args
        }),
        row("missing layer blob", 2, "is missing from", |s| {
            let args = layout_of(s, vec![base_layer()]);
            std::fs::remove_file(s.blob_starting(&[0x1f, 0x8b])).unwrap();
            args
        }),
        row(
            "layer blob linked to a file outside",
            2,
            "resolves outside it",
            |s| {
                let args = layout_of(s, vec![base_layer()]);
                let blob = s.blob_starting(&[0x1f, 0x8b]);
                std::fs::remove_file(&blob).unwrap();
                std::os::unix::fs::symlink(s.secret(), &blob).unwrap();
                args
            },
        ),
        row(
            "config blob linked to a file outside",
            2,
            "resolves outside it",
            |s| {
                let args = layout_of(s, vec![base_layer()]);
                let blob = s.json_blob("diff_ids");
                std::fs::remove_file(&blob).unwrap();
                std::os::unix::fs::symlink(s.secret(), &blob).unwrap();
                args
            },
        ),
        row("layer blob that is a directory", 2, "layer 1", |s| {
            let args = layout_of(s, vec![base_layer()]);
            let blob = s.blob_starting(&[0x1f, 0x8b]);
            std::fs::remove_file(&blob).unwrap();
            std::fs::create_dir(&blob).unwrap();
            args
        }),
        row("descriptor digest with `../`", 2, "index.json", |s| {
            let dir = s.input().join("layout");
            write_index(
                &dir,
                &[("sha256:../../../outside/secret".to_owned(), 10, None)],
            );
            sbom(dir.to_string_lossy().into_owned())
        }),
        row(
            "descriptor digest of an unknown algorithm",
            2,
            "digest",
            |s| {
                let dir = s.input().join("layout");
                write_index(
                    &dir,
                    &[("md5:d41d8cd98f00b204e9800998ecf8427e".to_owned(), 10, None)],
                );
                sbom(dir.to_string_lossy().into_owned())
            },
        ),
        row("index.json that is not JSON", 2, "index.json", |s| {
            let args = layout_of(s, vec![base_layer()]);
            std::fs::write(s.input().join("layout/index.json"), "{ not json").unwrap();
            args
        }),
        row("index with no manifests", 2, "no image manifest", |s| {
            let dir = s.input().join("layout");
            write_index(&dir, &[]);
            sbom(dir.to_string_lossy().into_owned())
        }),
        row("index that names itself", 2, "layout", |s| {
            let dir = s.input().join("layout");
            std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
            // An index blob whose one entry is an index naming its own digest is impossible
            // to write (the digest covers itself), so name a nested index that names the first.
            let inner = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2}]}"#;
            let digest = crate::support::image::sha256(inner);
            std::fs::write(dir.join("blobs/sha256").join(&digest[7..]), inner).unwrap();
            std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
            let index = format!(
                r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{digest}","size":{}}}]}}"#,
                inner.len()
            );
            std::fs::write(dir.join("index.json"), index).unwrap();
            sbom(dir.to_string_lossy().into_owned())
        }),
        row(
            "manifest of the wrong media type",
            2,
            "is not an image manifest",
            |s| {
                let mut image = Image::new(vec![base_layer()]);
                image.manifest_media_type = "application/vnd.oci.image.index.v1+json";
                sbom(s.layout(&image))
            },
        ),
        row("config that is not JSON", 2, "not valid JSON", |s| {
            let mut image = Image::new(vec![base_layer()]);
            image.raw_config = Some(b"this is not json".to_vec());
            sbom(s.layout(&image))
        }),
        row(
            "config with fewer diff_ids than layers",
            2,
            "diff_ids",
            |s| {
                let mut image = Image::new(vec![base_layer(), tar(&[Entry::File("etc/x", b"y")])]);
                image.raw_config = Some(br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec());
                sbom(s.layout(&image))
            },
        ),
        row("a million layers", 2, "larger than", |s| {
            let args = layout_of(s, vec![base_layer()]);
            let manifest_path = s.json_blob("\"layers\"");
            let mut manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
            let layer = manifest["layers"][0].clone();
            manifest["layers"] = serde_json::Value::Array(vec![layer; 1_000_000]);
            let bytes = serde_json::to_vec(&manifest).unwrap();
            std::fs::remove_file(&manifest_path).unwrap();
            let digest = crate::support::image::sha256(&bytes);
            std::fs::write(s.blobs().join(&digest[7..]), &bytes).unwrap();
            write_index(&s.input().join("layout"), &[(digest, bytes.len(), None)]);
            args
        }),
        row(
            "docker-archive missing its layer member",
            2,
            "is missing",
            |s| {
                sbom(s.write("image.tar", &tar(&[
                Entry::File("config.json", br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#),
                Entry::File("manifest.json", br#"[{"Config":"config.json","Layers":["layer0/layer.tar"]}]"#),
            ])))
            },
        ),
        row(
            "docker-archive manifest.json not JSON",
            2,
            "manifest.json",
            |s| {
                sbom(s.write(
                    "image.tar",
                    &tar(&[Entry::File("manifest.json", b"[{ nope")]),
                ))
            },
        ),
        row("docker-archive naming a layer `../`", 2, "..", |s| {
            sbom(s.write("image.tar", &tar(&[
                Entry::File("config.json", br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#),
                Entry::File("manifest.json", br#"[{"Config":"config.json","Layers":["../../outside/secret"]}]"#),
            ])))
        }),
        row(
            "docker-archive whose outer `../` member is never read",
            2,
            "no image manifest",
            |s| {
                sbom(s.write(
                    "image.tar",
                    &tar(&[
                        Entry::File("../evil", b"x"),
                        Entry::File("manifest.json", b"[]"),
                    ]),
                ))
            },
        ),
        row(
            "docker-archive whose layer is a symlink out",
            2,
            "is missing",
            |s| {
                sbom(s.write("image.tar", &tar(&[
                Entry::File("config.json", br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#),
                Entry::Symlink("layer.tar", "../../outside/secret"),
                Entry::File("manifest.json", br#"[{"Config":"config.json","Layers":["layer.tar"]}]"#),
            ])))
            },
        ),
        row("an empty file", 2, "input", |s| {
            sbom(s.write("input.tar", b""))
        }),
        row("a file that is no image", 2, "neither a tar archive", |s| {
            sbom(s.write("notes.txt", b"hello"))
        }),
        row("a zip that is a bomb", 3, "larger than", |s| {
            let zeros = vec![0u8; 2 << 20];
            let bytes = zip_with(
                &[("package.json", &zeros)],
                zip::CompressionMethod::Deflated,
            );
            let mut args = scan(s.write("lambda.zip", &bytes));
            args.extend(["--max-layer-bytes".to_owned(), "1048576".to_owned()]);
            args
        }),
        row("a zip entry climbing out", 2, "climbs out", |s| {
            sbom(s.write("lambda.zip", &zip_of(&[("../../evil.py", b"x")])))
        }),
    ]
}

fn package_rows() -> Vec<Row> {
    vec![
        row("dpkg stanza installed without Version", 3, "Version", |s| {
            with_file(
                s,
                "var/lib/dpkg/status",
                b"Package: evil\nStatus: install ok installed\nArchitecture: amd64\n",
            )
        }),
        row("dpkg Version that is not a version", 3, "evil", |s| {
            with_file(
                s,
                "var/lib/dpkg/status",
                format!(
                    "{DPKG_STATUS}\nPackage: evil\nStatus: install ok installed\nVersion: :::\n"
                )
                .as_bytes(),
            )
        }),
        row("dpkg status not text", 3, "var/lib/dpkg/status", |s| {
            with_file(s, "var/lib/dpkg/status", &[0xff, 0xfe, 0, 1, 2, 3])
        }),
        row(
            "apk record without a version",
            3,
            "lib/apk/db/installed",
            |s| {
                scan(s.layout(&Image::new(vec![tar(&[
                    Entry::File("etc/os-release", b"ID=alpine\nVERSION_ID=3.19.1\n"),
                    Entry::File("lib/apk/db/installed", b"P:musl\nA:x86_64\n\n"),
                ])])))
            },
        ),
        row("rpmdb.sqlite that is not SQLite", 2, "rpmdb.sqlite", |s| {
            scan(s.layout(&Image::new(vec![tar(&[
                Entry::File("etc/os-release", b"ID=almalinux\nVERSION_ID=\"9.4\"\n"),
                Entry::File(
                    "var/lib/rpm/rpmdb.sqlite",
                    b"SQLite format 3\0 but then garbage",
                ),
            ])])))
        }),
        row("package-lock.json not JSON", 3, "package-lock.json", |s| {
            with_file(
                s,
                "app/package-lock.json",
                b"{\"lockfileVersion\": 3, \"packages\": {",
            )
        }),
        row(
            "package-lock entry without a version",
            3,
            "package-lock.json",
            |s| {
                with_file(s, "app/package-lock.json", br#"{"lockfileVersion":3,"packages":{"":{},"node_modules/lodash":{"resolved":"x"}}}"#)
            },
        ),
        row("yarn.lock that is not a lock", 3, "yarn.lock", |s| {
            with_file(s, "app/yarn.lock", b"\"lodash@^4\":\n  version\n")
        }),
        row("pnpm-lock.yaml not YAML", 3, "pnpm-lock.yaml", |s| {
            with_file(
                s,
                "app/pnpm-lock.yaml",
                b"lockfileVersion: '9.0'\npackages: [\n",
            )
        }),
        row("Cargo.lock not TOML", 3, "Cargo.lock", |s| {
            with_file(s, "app/Cargo.lock", b"[[package]\nname = ")
        }),
        row("composer.lock not JSON", 3, "composer.lock", |s| {
            with_file(s, "app/composer.lock", b"{\"packages\": [")
        }),
        row("deps.json not JSON", 3, "deps.json", |s| {
            with_file(s, "app/x.deps.json", b"{\"targets\": ")
        }),
        row("Pipfile.lock not JSON", 3, "Pipfile.lock", |s| {
            with_file(s, "app/Pipfile.lock", b"{\"default\": {")
        }),
        row("poetry.lock not TOML", 3, "poetry.lock", |s| {
            with_file(s, "app/poetry.lock", b"[[package]]\nname = \"x\nversion")
        }),
        row("METADATA without a Version", 3, "METADATA", |s| {
            with_file(
                s,
                "usr/lib/python3/dist-packages/evil-1.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: evil\n",
            )
        }),
        row("a jar that is not a zip", 3, "x.jar", |s| {
            with_file(s, "app/lib/x.jar", b"PK\x03\x04 not really a zip")
        }),
        row("a jar whose entries are a bomb", 3, "larger than", |s| {
            let zeros = vec![0u8; 2 << 20];
            let pom = "META-INF/maven/x/y/pom.properties";
            let bytes = zip_with(&[(pom, &zeros)], zip::CompressionMethod::Deflated);
            with_file(s, "app/lib/x.jar", &bytes)
        }),
        row(
            "os-release naming nothing known, packages present",
            3,
            "not one Portcullis has advisories for",
            |s| {
                scan(s.layout(&Image::new(vec![tar(&[
                    Entry::File("etc/os-release", b"ID=\"\x01\x02\"\n"),
                    Entry::File("var/lib/dpkg/status", DPKG_STATUS.as_bytes()),
                ])])))
            },
        ),
    ]
}

fn sbom_rows() -> Vec<Row> {
    let cdx = |components: &str| {
        format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{components}]}}"#
        )
    };
    vec![
        row("SBOM that is not JSON", 2, "bom.json", |s| {
            scan(format!("sbom:{}", s.write("bom.json", b"{\"bomFormat\": ")))
        }),
        // Issue 33: a component the gate cannot place is partial analysis
        // naming it, never a pass on what is left.
        row(
            "CycloneDX component with a garbage purl",
            3,
            "`x 1` has the purl `pkg:%%%/::@@@/%%%`",
            move |s| {
                scan(format!(
                    "sbom:{}",
                    s.write(
                        "bom.json",
                        cdx(
                            r#"{"type":"library","name":"x","version":"1","purl":"pkg:%%%/::@@@/%%%"}"#
                        )
                        .as_bytes()
                    )
                ))
            },
        ),
        row(
            "CycloneDX library without a purl",
            3,
            "`lodash 4.17.4` has no purl",
            move |s| {
                scan(format!(
                    "sbom:{}",
                    s.write(
                        "bom.json",
                        cdx(concat!(
                            r#"{"type":"library","name":"lodash","version":"4.17.4"},"#,
                            r#"{"type":"library","name":"requests","version":"2.19.0","purl":"pkg:pypi/requests@2.19.0"}"#
                        ))
                        .as_bytes()
                    )
                ))
            },
        ),
        row(
            "CycloneDX library of a purl type without advisories",
            3,
            "a purl type Portcullis has no advisories for",
            move |s| {
                scan(format!(
                    "sbom:{}",
                    s.write(
                        "bom.json",
                        cdx(r#"{"type":"library","name":"zlib","version":"1.3","purl":"pkg:generic/zlib@1.3"}"#)
                            .as_bytes()
                    )
                ))
            },
        ),
        row(
            "CycloneDX component with a versionless purl",
            3,
            "has no version",
            move |s| {
                scan(format!(
                    "sbom:{}",
                    s.write(
                        "bom.json",
                        cdx(r#"{"type":"library","name":"x","purl":"pkg:npm/x"}"#).as_bytes()
                    )
                ))
            },
        ),
        row(
            "SPDX package with a garbage purl",
            3,
            "`x 1` has the purl",
            |s| {
                let doc = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[{"SPDXID":"SPDXRef-1","name":"x","versionInfo":"1","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:%%%/::@@@/%%%"}]}]}"#;
                scan(format!("sbom:{}", s.write("bom.spdx.json", doc.as_bytes())))
            },
        ),
        row(
            "SPDX library without a purl",
            3,
            "`lodash 4.17.4` has no purl",
            |s| {
                let doc = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[{"SPDXID":"SPDXRef-1","name":"lodash","versionInfo":"4.17.4","primaryPackagePurpose":"LIBRARY"}]}"#;
                scan(format!("sbom:{}", s.write("bom.spdx.json", doc.as_bytes())))
            },
        ),
        row("SBOM of another format", 2, "bom.json", |s| {
            scan(format!(
                "sbom:{}",
                s.write("bom.json", br#"{"hello":"world"}"#)
            ))
        }),
        row("SBOM nested ten thousand deep", 2, "bom.json", |s| {
            let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
            scan(format!("sbom:{}", s.write("bom.json", deep.as_bytes())))
        }),
    ]
}

fn db_rows() -> Vec<Row> {
    let import = |s: &Scratch, name: &str, bytes: &[u8]| -> Vec<String> {
        let record = s.write(&format!("osv/{name}"), bytes);
        let folder = Path::new(&record)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        vec![
            "db".into(),
            "--db".into(),
            s.at("db.sqlite"),
            "import".into(),
            folder,
        ]
    };
    vec![
        row(
            "OSV record that is not JSON",
            3,
            "no valid records",
            move |s| import(s, "RECORD-1.json", b"{\"id\": "),
        ),
        row(
            "OSV record without an id",
            3,
            "no valid records",
            move |s| {
                import(
                    s,
                    "RECORD-1.json",
                    br#"{"modified":"2024-01-01T00:00:00Z","affected":[]}"#,
                )
            },
        ),
        row(
            "a feed of only broken records",
            3,
            "no valid records",
            move |s| import(s, "RECORD-1.json", b"[1,2,3]"),
        ),
        row(
            "an ignore file that is not TOML",
            2,
            ".portcullis-ignore.toml",
            |s| {
                let ignore = s.write(".portcullis-ignore.toml", b"[[ignore]\nid = ");
                project_scan_with(s, "--ignore-file", ignore)
            },
        ),
        row("an ignore entry without a reason", 2, "reason", |s| {
            let ignore = s.write(
                ".portcullis-ignore.toml",
                b"[[ignore]]\nid = \"CVE-2020-14343\"\n",
            );
            project_scan_with(s, "--ignore-file", ignore)
        }),
        row(
            "a VEX document that is not OpenVEX",
            2,
            "not OpenVEX",
            |s| {
                let vex = s.write(
                    "vex.json",
                    br#"{"@context":"https://example.com/vex","statements":[]}"#,
                );
                project_scan_with(s, "--vex", vex)
            },
        ),
        row("a Dockerfile without FROM", 2, "FROM", |s| {
            let dockerfile = s.write("Dockerfile", b"RUN echo hi\n");
            let mut args = scan(s.layout(&Image::new(vec![base_layer()])));
            args.extend(["--dockerfile".to_owned(), dockerfile]);
            args
        }),
    ]
}

#[test]
fn every_hostile_input_ends_in_its_exit_code_with_one_clear_line() {
    let rows: Vec<Row> = [image_rows(), package_rows(), sbom_rows(), db_rows()]
        .into_iter()
        .flatten()
        .collect();
    assert!(rows.len() + 10 >= 60, "{} rows", rows.len());
    let mut failures = Vec::new();
    // One cache for all rows, so the built-in policies compile once.
    let cache = tempfile::tempdir().unwrap();
    for row in &rows {
        let scratch = Scratch {
            root: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(scratch.input()).unwrap();
        std::fs::create_dir_all(scratch.secret().parent().unwrap()).unwrap();
        std::fs::write(
            scratch.secret(),
            format!("root:x:0:0:{FILE_CANARY}:/root:/bin/bash\n"),
        )
        .unwrap();
        let args = (row.build)(&scratch);
        let work = scratch.root.path().join("work");
        std::fs::create_dir_all(work.join("tmp")).unwrap();
        // Each row has its own layer cache (a blob must be read, not recalled
        // from another row's image of the same digest) and the compiled
        // policies of the first row's (compiling them takes seconds here).
        let row_cache = work.join("cache");
        let compiled = cache.path().join("policies");
        if compiled.is_dir() {
            std::fs::create_dir_all(row_cache.join("policies")).unwrap();
            for entry in std::fs::read_dir(&compiled).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(
                    &path,
                    row_cache.join("policies").join(path.file_name().unwrap()),
                )
                .unwrap();
            }
        }
        let output = portcullis(&row_cache)
            .args(&args)
            .current_dir(&work)
            .env("TMPDIR", work.join("tmp"))
            // Shared, so the compiled policies' seal key is too.
            .env("HOME", cache.path().join("home"))
            .env("PORTCULLIS_TEST_SECRET", ENV_CANARY)
            .output()
            .unwrap();
        if !compiled.is_dir() && row_cache.join("policies").is_dir() {
            std::fs::rename(row_cache.join("policies"), &compiled).unwrap();
        }
        let code = output.status.code().unwrap_or(-1);
        let err = stderr(&output);
        let out = String::from_utf8_lossy(&output.stdout);
        let errors = err.lines().filter(|l| l.starts_with("error: ")).count();
        let mut wrong = Vec::new();
        if code != row.code {
            wrong.push(format!("exit {code}, not {}", row.code));
        }
        // Refused (2): one `error:` line, its causes below it. Partial (3):
        // the report says the analysis was partial and names the part.
        let said = format!("{err}{out}");
        if row.code == 2 && errors != 1 {
            wrong.push(format!("{errors} error lines"));
        }
        if row.code == 3 && !(said.contains("partial") || errors == 1) {
            wrong.push("does not say the analysis was partial".to_owned());
        }
        if !said.contains(row.says) {
            wrong.push(format!("does not say `{}`", row.says));
        }
        if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
            wrong.push("panicked".to_owned());
        }
        if [ENV_CANARY, FILE_CANARY]
            .iter()
            .any(|c| err.contains(c) || out.contains(c))
        {
            wrong.push("echoed a canary".to_owned());
        }
        let outside: Vec<_> = std::fs::read_dir(scratch.secret().parent().unwrap())
            .unwrap()
            .collect();
        if outside.len() != 1 {
            wrong.push("wrote outside the scratch input".to_owned());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n    {}",
                row.what,
                wrong.join("; "),
                err.lines()
                    .filter(|l| !l.starts_with("warning"))
                    .take(4)
                    .collect::<Vec<_>>()
                    .join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn os_release_alone_is_not_an_error() {
    // The table's inputs are hostile; this one is merely small.
    let dir = tempfile::tempdir().unwrap();
    Image::new(vec![tar(&[Entry::File(
        "etc/os-release",
        OS_RELEASE.as_bytes(),
    )])])
    .write_oci_dir(dir.path());
    let output = portcullis(&dir.path().join("cache"))
        .args(["sbom", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}
