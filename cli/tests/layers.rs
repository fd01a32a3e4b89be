//! Layer handling on hand-made images: compressions, whiteouts, archive
//! flavours, platform selection and the shared layer cache.

use crate::support::image::{self, base_layer, tar, Compression, Entry, Image};
use crate::support::{packages, portcullis, sbom, stderr};

fn names(bom: &serde_json::Value) -> Vec<String> {
    packages(bom).into_iter().map(|(_, name, _)| name).collect()
}

#[test]
fn gzip_zstd_and_plain_layers_read_alike() {
    let cache = tempfile::tempdir().unwrap();
    for compression in [Compression::Gzip, Compression::Zstd, Compression::Plain] {
        let dir = tempfile::tempdir().unwrap();
        let mut image = Image::new(vec![base_layer()]);
        image.layers[0].1 = compression;
        image.write_oci_dir(dir.path());
        let bom = sbom(cache.path(), dir.path().to_str().unwrap(), &["--no-cache"]);
        assert_eq!(names(&bom), ["tzdata", "zlib1g"]);
    }
}

#[test]
fn plain_whiteout_of_the_status_file_removes_its_packages() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let upper = tar(&[Entry::File("var/lib/dpkg/.wh.status", b"")]);
    Image::new(vec![base_layer(), upper]).write_oci_dir(dir.path());
    let bom = sbom(cache.path(), dir.path().to_str().unwrap(), &[]);
    assert!(names(&bom).is_empty(), "{bom}");
}

#[test]
fn opaque_whiteout_hides_lower_files_but_keeps_its_own() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let status = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u13\n";
    let upper = tar(&[
        Entry::File("var/lib/dpkg/.wh..wh..opq", b""),
        Entry::File("var/lib/dpkg/status", status.as_bytes()),
    ]);
    Image::new(vec![base_layer(), upper]).write_oci_dir(dir.path());
    let bom = sbom(cache.path(), dir.path().to_str().unwrap(), &[]);
    assert_eq!(names(&bom), ["libc6"]);
}

#[test]
fn classic_and_docker_25_archives_read_alike() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(vec![base_layer()]);
    for (name, oci_flavoured) in [("classic.tar", false), ("docker25.tar", true)] {
        let path = dir.path().join(name);
        image.write_docker_archive(&path, oci_flavoured);
        let bom = sbom(cache.path(), path.to_str().unwrap(), &[]);
        assert_eq!(names(&bom), ["tzdata", "zlib1g"], "{name}");
        assert_eq!(
            bom["metadata"]["component"]["properties"][0]["value"],
            "docker-archive"
        );
    }
}

fn multi_arch_layout(dir: &std::path::Path) {
    let blobs = dir.join("blobs/sha256");
    let amd = Image::new(vec![base_layer()]);
    let mut arm = Image::new(vec![tar(&[
        Entry::File("etc/os-release", image::OS_RELEASE.as_bytes()),
        Entry::File(
            "var/lib/dpkg/status",
            b"Package: arm-only\nStatus: install ok installed\nArchitecture: arm64\nVersion: 1.0-1\n",
        ),
    ])]);
    arm.architecture = "arm64".to_owned();
    let (amd_digest, amd_manifest) = amd.write_blobs(&blobs);
    let (arm_digest, arm_manifest) = arm.write_blobs(&blobs);
    image::write_index(
        dir,
        &[
            (amd_digest, amd_manifest.len(), Some("linux/amd64")),
            (arm_digest, arm_manifest.len(), Some("linux/arm64")),
        ],
    );
}

#[test]
fn platform_picks_the_image_from_a_multi_arch_index() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    multi_arch_layout(dir.path());
    let target = dir.path().to_str().unwrap();
    let bom = sbom(cache.path(), target, &["--platform", "linux/arm64"]);
    assert_eq!(names(&bom), ["arm-only"]);
    let bom = sbom(cache.path(), target, &["--platform", "linux/amd64"]);
    assert_eq!(names(&bom), ["tzdata", "zlib1g"]);
}

#[test]
fn unknown_platform_is_an_error_listing_the_platforms() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    multi_arch_layout(dir.path());
    let output = portcullis(cache.path())
        .args([
            "sbom",
            dir.path().to_str().unwrap(),
            "--platform",
            "linux/s390x",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("linux/amd64, linux/arm64"), "{text}");
    assert!(text.contains("linux/s390x"), "{text}");
}

#[test]
fn second_scan_reads_layers_from_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    Image::new(vec![base_layer()]).write_oci_dir(dir.path());
    let target = dir.path().to_str().unwrap();
    let first = portcullis(cache.path())
        .args(["-v", "sbom", target])
        .output()
        .unwrap();
    assert!(
        stderr(&first).contains("1 layers read, 0 from the cache"),
        "{}",
        stderr(&first)
    );
    let second = portcullis(cache.path())
        .args(["-v", "sbom", target])
        .output()
        .unwrap();
    assert!(
        stderr(&second).contains("0 layers read, 1 from the cache"),
        "{}",
        stderr(&second)
    );
    assert_eq!(first.stdout, second.stdout);
    // --no-cache neither reads nor writes it.
    let third = portcullis(cache.path())
        .args(["-v", "sbom", target, "--no-cache"])
        .output()
        .unwrap();
    assert!(stderr(&third).contains("1 layers read, 0 from the cache"));
}

#[test]
fn concurrent_scans_sharing_one_cache_both_succeed() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    Image::new(vec![
        base_layer(),
        tar(&[Entry::File("etc/motd", b"hello")]),
    ])
    .write_oci_dir(dir.path());
    let target = dir.path().to_str().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            portcullis(cache.path())
                .args(["sbom", target])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(output.status.success());
        assert_eq!(output.stdout, outputs[0].stdout);
    }
    let entries = std::fs::read_dir(cache.path().join("layers"))
        .unwrap()
        .count();
    assert_eq!(entries, 2, "one entry per layer, no temp files left");
}

#[test]
fn rootfs_prefix_forces_the_kind() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("var/lib/dpkg/status"), image::DPKG_STATUS).unwrap();
    std::fs::write(root.join("etc/os-release"), image::OS_RELEASE).unwrap();
    let bom = sbom(cache.path(), &format!("rootfs:{}", root.display()), &[]);
    assert_eq!(names(&bom), ["tzdata", "zlib1g"]);
    let purls: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert!(
        purls.contains(&"pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12"),
        "{purls:?}"
    );
}

#[test]
fn rpm_berkeley_db_packages_are_read_from_an_image_layer() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bdb = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/catalog/src/distro/rpm/testdata/Packages.bdb-512"
    ))
    .unwrap();
    let os_release = b"NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"8.9\"\n";
    Image::new(vec![tar(&[
        Entry::File("etc/os-release", os_release),
        Entry::File("var/lib/rpm/Packages", &bdb),
    ])])
    .write_oci_dir(dir.path());
    let bom = sbom(cache.path(), dir.path().to_str().unwrap(), &[]);
    let found: Vec<(String, String, String)> = packages(&bom).into_iter().collect();
    assert_eq!(found.len(), 3, "{bom}");
    assert!(found.contains(&(
        "rpm".into(),
        "openssl-libs".into(),
        "1:3.0.1-41.el9_0".into()
    )));
    let text = bom.to_string();
    assert!(text.contains("distro=almalinux-8.9&epoch=1"), "{text}");
    assert!(text.contains("AlmaLinux:8"), "{text}");
}

#[test]
fn alpine_packages_take_their_branch_from_the_repositories_file() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The shape of an alpine:3.20 `lib/apk/db/installed`, two entries, fields
    // trimmed (no real Alpine image is reachable here to copy one from).
    let installed = "C:Q1kZ2j0Zw5Zr0cM0m8t6Ah1bJQf7E=\nP:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\nC:Q1v1bHq3LR8aYxT2uVJ0XMl3u1Lw0=\nP:libcrypto3\nV:3.3.1-r0\nA:x86_64\nL:Apache-2.0\no:openssl\n\n";
    Image::new(vec![tar(&[
        Entry::File("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.1\n"),
        Entry::File(
            "etc/apk/repositories",
            b"https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n",
        ),
        Entry::File("lib/apk/db/installed", installed.as_bytes()),
    ])])
    .write_oci_dir(dir.path());
    let bom = sbom(cache.path(), dir.path().to_str().unwrap(), &[]);
    assert_eq!(names(&bom), ["libcrypto3", "musl"]);
    let text = bom.to_string();
    assert!(
        text.contains("pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&distro=alpine-3.20.1"),
        "{text}"
    );
    assert!(text.contains("\"Alpine:v3.20\""), "{text}");
    assert!(
        text.contains("\"openssl\""),
        "source package (origin) missing: {text}"
    );
}
