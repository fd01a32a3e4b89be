//! Bad input: exit 2, one clear `error:` line naming the file and the fault,
//! no panic, and nothing written outside the cache dir and the requested output.

use std::path::Path;

use crate::support::image::{base_layer, tar, Entry, Image};
use crate::support::{portcullis, stderr};

/// Runs `sbom` on `target` asking for an output file; checks the failure shape
/// and returns stderr.
fn fails(target: &str, extra: &[&str]) -> String {
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("bom.json");
    let output = portcullis(cache.path())
        .args(["sbom", target, "--output", path.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{text}"
    );
    assert!(!path.exists(), "a failed run wrote its output");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "temp files left behind"
    );
    text
}

fn layout_with(layers: Vec<Vec<u8>>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Image::new(layers).write_oci_dir(dir.path());
    dir
}

fn target(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn entry_climbing_out_with_dot_dot_is_refused() {
    let dir = layout_with(vec![tar(&[Entry::File("../../etc/evil", b"x")])]);
    let text = fails(target(dir.path()), &[]);
    assert!(
        text.contains("`../../etc/evil`") && text.contains("layer 1"),
        "{text}"
    );
}

#[test]
fn absolute_entry_path_is_refused() {
    let dir = layout_with(vec![tar(&[Entry::File("/etc/passwd", b"x")])]);
    let text = fails(target(dir.path()), &[]);
    assert!(
        text.contains("`/etc/passwd`") && text.contains("absolute"),
        "{text}"
    );
}

#[test]
fn symlink_pointing_out_of_the_image_is_refused() {
    let dir = layout_with(vec![tar(&[Entry::Symlink(
        "etc/os-release",
        "../../../../etc/os-release",
    )])]);
    let text = fails(target(dir.path()), &[]);
    assert!(text.contains("points out of the image"), "{text}");
}

#[test]
fn hardlink_pointing_out_of_the_image_is_refused() {
    let dir = layout_with(vec![tar(&[Entry::Hardlink(
        "var/lib/dpkg/status",
        "../../../etc/shadow",
    )])]);
    let text = fails(target(dir.path()), &[]);
    assert!(
        text.contains("hard link") && text.contains("`..`"),
        "{text}"
    );
}

#[test]
fn truncated_gzip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut image = Image::new(vec![base_layer()]);
    image.mangle = Some(|blob| blob.truncate(blob.len() / 2));
    image.write_oci_dir(dir.path());
    let text = fails(target(dir.path()), &[]);
    assert!(
        text.contains("corrupt or truncated") && text.contains("layer 1"),
        "{text}"
    );
}

#[test]
fn layer_with_a_wrong_digest_is_refused() {
    let dir = layout_with(vec![base_layer()]);
    let image = Image::new(vec![base_layer()]);
    // Re-write the layer blob with other content under the same name.
    let blobs = dir.path().join("blobs/sha256");
    let layer_blob = std::fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap().starts_with(&[0x1f, 0x8b]))
        .unwrap();
    let other = crate::support::image::compress(
        &tar(&[Entry::File("etc/other", b"y")]),
        crate::support::image::Compression::Gzip,
    );
    std::fs::write(&layer_blob, other).unwrap();
    drop(image);
    let text = fails(target(dir.path()), &[]);
    assert!(
        text.contains("but sha256:") && text.contains("was expected"),
        "{text}"
    );
}

#[test]
fn missing_blob_is_refused() {
    let dir = layout_with(vec![base_layer()]);
    let blobs = dir.path().join("blobs/sha256");
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let path = entry.unwrap().path();
        if std::fs::read(&path).unwrap().starts_with(&[0x1f, 0x8b]) {
            std::fs::remove_file(path).unwrap();
        }
    }
    let text = fails(target(dir.path()), &[]);
    assert!(text.contains("is missing from"), "{text}");
}

#[test]
fn manifest_with_the_wrong_media_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut image = Image::new(vec![base_layer()]);
    image.manifest_media_type = "application/vnd.oci.image.index.v1+json";
    image.write_oci_dir(dir.path());
    let text = fails(target(dir.path()), &[]);
    assert!(text.contains("is not an image manifest"), "{text}");
}

#[test]
fn config_that_is_not_json_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut image = Image::new(vec![base_layer()]);
    image.raw_config = Some(b"this is not json".to_vec());
    image.write_oci_dir(dir.path());
    let text = fails(target(dir.path()), &[]);
    assert!(
        text.contains("the image config") && text.contains("not valid JSON"),
        "{text}"
    );
}

#[test]
fn decompression_bomb_stops_at_the_layer_cap() {
    let zeros = vec![0u8; 4 << 20];
    let dir = layout_with(vec![tar(&[Entry::File("var/lib/dpkg/status", &zeros)])]);
    let text = fails(target(dir.path()), &["--max-layer-bytes", "1048576"]);
    assert!(
        text.contains("--max-layer-bytes") && text.contains("1048576"),
        "{text}"
    );
    let text = fails(target(dir.path()), &["--max-image-bytes", "1048576"]);
    assert!(text.contains("--max-image-bytes"), "{text}");
}

#[test]
fn a_file_that_is_not_an_image_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "hello").unwrap();
    let text = fails(path.to_str().unwrap(), &[]);
    assert!(
        text.contains("notes.txt") && text.contains("neither a tar archive"),
        "{text}"
    );
}

#[test]
fn docker_archive_with_a_missing_layer_member_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    Image::new(vec![base_layer()]).write_docker_archive(&path, false);
    // Rename the layer member inside the tarball by rewriting its header name.
    let mut bytes = std::fs::read(&path).unwrap();
    let needle = b"layer0/layer.tar";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    bytes[at..at + needle.len()].copy_from_slice(b"layerX/layer.tar");
    // Fix the header checksum so the tar stays readable.
    let start = at - at % 512;
    let mut header = tar::Header::new_old();
    header
        .as_mut_bytes()
        .copy_from_slice(&bytes[start..start + 512]);
    header.set_cksum();
    bytes[start..start + 512].copy_from_slice(header.as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let text = fails(path.to_str().unwrap(), &[]);
    assert!(
        text.contains("`layer0/layer.tar`") && text.contains("is missing"),
        "{text}"
    );
}
