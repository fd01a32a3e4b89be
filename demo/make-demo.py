#!/usr/bin/env python3
"""Build demo/debian-demo.oci.tar, the small image the README's quick start scans.

Every file in it is real, nothing invented: the first layer holds
/etc/os-release, /var/lib/dpkg/status and the /usr/share/doc/*/copyright files
of the debian-slim fixture rootfs (shared/fixtures/build-images.sh, Debian
bookworm minbase); the second adds the installed-package METADATA of three old
PyPI releases and a Cargo.lock, taken from the debian-app fixture rootfs; the
third deletes /etc/motd with a whiteout.

    python3 demo/make-demo.py target/fixture-images demo/debian-demo.oci.tar
"""
import gzip, hashlib, io, json, os, sys, tarfile

MTIME = 1704067200  # 2024-01-01, fixed so rebuilds are byte-identical

def add(tar, name, data=None, link=None):
    info = tarfile.TarInfo(name)
    info.mtime = MTIME
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
        tar.addfile(info)
    else:
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))

def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data, link in files:
            add(tar, name, data, link)
    plain = raw.getvalue()
    return plain, gzip.compress(plain, mtime=0)

APP_FILES = [
    "usr/local/lib/python3.11/dist-packages/urllib3-1.23.dist-info/METADATA",
    "usr/local/lib/python3.11/dist-packages/requests-2.19.1.dist-info/METADATA",
    "srv/pyapp/.venv/lib/python3.11/site-packages/pyyaml-5.3.dist-info/METADATA",
    "app/rust-svc/Cargo.lock",
]

def main(fixtures, out):
    rootfs = f"{fixtures}/debian-slim.rootfs"
    app = f"{fixtures}/debian-app.rootfs"
    files = [("usr/lib/os-release", open(f"{rootfs}/usr/lib/os-release", "rb").read(), None),
             ("etc/os-release", None, "../usr/lib/os-release"),
             ("etc/motd", open(f"{rootfs}/etc/motd", "rb").read(), None),
             ("var/lib/dpkg/status", open(f"{rootfs}/var/lib/dpkg/status", "rb").read(), None)]
    doc = f"{rootfs}/usr/share/doc"
    for package in sorted(os.listdir(doc)):
        path = f"{doc}/{package}/copyright"
        if os.path.isfile(path) and not os.path.islink(path):
            files.append((f"usr/share/doc/{package}/copyright", open(path, "rb").read(), None))
    app_files = [(path, open(f"{app}/{path}", "rb").read(), None) for path in APP_FILES]
    layers = [layer(files), layer(app_files), layer([("etc/.wh.motd", b"", None)])]
    blobs = {}
    def put(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return digest, len(data)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "0", "Cmd": ["bash"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(p).hexdigest() for p, _ in layers]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "debootstrap --variant=minbase bookworm"},
                    {"created": "2024-01-01T00:00:00Z", "created_by": "RUN pip install urllib3==1.23 requests==2.19.1 PyYAML==5.3 && COPY rust-svc/Cargo.lock /app/rust-svc/"},
                    {"created": "2024-01-01T00:00:00Z", "created_by": "RUN rm /etc/motd"}],
    }, sort_keys=True).encode()
    config_digest, config_size = put(config)
    layer_descriptors = []
    for _, compressed in layers:
        digest, size = put(compressed)
        layer_descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size})
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
                           "layers": layer_descriptors}, sort_keys=True).encode()
    manifest_digest, manifest_size = put(manifest)
    index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": manifest_digest, "size": manifest_size,
                        "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}, sort_keys=True).encode()
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add(tar, "index.json", index)
        for digest, data in sorted(blobs.items()):
            add(tar, "blobs/sha256/" + digest[7:], data)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
