#!/usr/bin/env python3
"""Big targets for tests/bench/big.sh (issue 29), from real inputs.

  big_target.py image VULNDB BASE.oci OUT.oci NPM PYPI
      BASE (an OCI layout: debian-app) plus one gzip layer holding NPM
      installed npm packages (app/node_modules/NAME/package.json) and PYPI
      installed Python distributions (usr/lib/python3/dist-packages/
      NAME-VERSION.dist-info/METADATA). The first packages of each are the
      names the shared OSV corpus has advisories for, at version 0.0.1, so
      their findings are real; the rest are unique names no advisory names.

  big_target.py sbom VULNDB OUT.cdx.json COMPONENTS COPIES
      A CycloneDX 1.6 SBOM of COMPONENTS library components: every
      (ecosystem, name) of the corpus's npm, PyPI, Go and crates.io records
      at COPIES low versions (0.0.1, 0.0.2, ...: below every fix, so each is
      affected by every record that starts at 0), then unique clean names
      up to COMPONENTS.

Standard library only, so it runs on the machine's Python.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import zipfile

PURL_TYPES = {"npm": "npm", "PyPI": "pypi", "Go": "golang", "crates.io": "cargo"}


def corpus_names(vulndb, ecosystem):
    """The package names the corpus's records of ECOSYSTEM affect, sorted."""
    names = set()
    with zipfile.ZipFile(os.path.join(vulndb, "osv", ecosystem, "all.zip")) as archive:
        for member in archive.namelist():
            record = json.loads(archive.read(member))
            for affected in record.get("affected", []):
                package = affected.get("package", {})
                if package.get("ecosystem") == ecosystem and package.get("name"):
                    names.add(package["name"])
    return sorted(names)


def add_file(tar, path, data):
    info = tarfile.TarInfo(path)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = 1704067200
    tar.addfile(info, io.BytesIO(data))


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_blob(layout, data):
    digest = sha256(data)
    path = os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])
    with open(path, "wb") as out:
        out.write(data)
    return digest


def image(base, out, npm_count, pypi_count, vulndb):
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(base, out)
    npm_real = corpus_names(vulndb, "npm")
    pypi_real = corpus_names(vulndb, "PyPI")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for index in range(npm_count):
            if index < len(npm_real):
                name, version = npm_real[index], "0.0.1"
            else:
                name, version = f"bench-npm-{index:06d}", "1.0.0"
            manifest = json.dumps({"name": name, "version": version, "license": "MIT"}).encode()
            add_file(tar, f"app/node_modules/{name}/package.json", manifest)
        for index in range(pypi_count):
            if index < len(pypi_real):
                name, version = pypi_real[index], "0.0.1"
            else:
                name, version = f"bench-pypi-{index:06d}", "1.0.0"
            metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()
            folder = name.replace("-", "_")
            add_file(tar, f"usr/lib/python3/dist-packages/{folder}-{version}.dist-info/METADATA", metadata)
    layer = raw.getvalue()
    compressed = gzip.compress(layer, compresslevel=6, mtime=0)
    layer_digest = write_blob(out, compressed)
    index_path = os.path.join(out, "index.json")
    with open(index_path) as f:
        index = json.load(f)
    descriptor = index["manifests"][0]
    blob = lambda digest: os.path.join(out, "blobs", "sha256", digest.split(":", 1)[1])
    with open(blob(descriptor["digest"])) as f:
        manifest = json.load(f)
    with open(blob(manifest["config"]["digest"])) as f:
        config = json.load(f)
    config["rootfs"]["diff_ids"].append(sha256(layer))
    config.setdefault("history", []).append(
        {"created": "2024-01-01T00:00:00Z", "created_by": "COPY big app /app"})
    config_bytes = json.dumps(config).encode()
    manifest["config"] = {"mediaType": manifest["config"]["mediaType"],
                          "digest": write_blob(out, config_bytes), "size": len(config_bytes)}
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                               "digest": layer_digest, "size": len(compressed)})
    manifest_bytes = json.dumps(manifest).encode()
    descriptor["digest"] = write_blob(out, manifest_bytes)
    descriptor["size"] = len(manifest_bytes)
    index["manifests"] = [descriptor]
    with open(index_path, "w") as f:
        json.dump(index, f)


def sbom(vulndb, out, count, copies):
    components = []
    for ecosystem, kind in PURL_TYPES.items():
        for name in corpus_names(vulndb, ecosystem):
            for copy in range(1, copies + 1):
                version = f"0.0.{copy}" if kind != "golang" else f"v0.0.{copy}"
                namespace, _, last = name.rpartition("/")
                path = f"{namespace}/{last}" if namespace else last
                encoded = "/".join(part.replace("@", "%40") for part in path.split("/"))
                components.append({"type": "library", "name": name, "version": version,
                                   "purl": f"pkg:{kind}/{encoded}@{version}"})
    index = 0
    while len(components) < count:
        name = f"bench-clean-{index:06d}"
        components.append({"type": "library", "name": name, "version": "1.0.0",
                           "purl": f"pkg:npm/{name}@1.0.0"})
        index += 1
    document = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                "components": components[:max(count, 0)]}
    with open(out, "w") as f:
        json.dump(document, f)


def main(argv):
    if len(argv) == 7 and argv[1] == "image":
        image(argv[3], argv[4], int(argv[5]), int(argv[6]), argv[2])
    elif len(argv) == 6 and argv[1] == "sbom":
        sbom(argv[2], argv[3], int(argv[4]), int(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
