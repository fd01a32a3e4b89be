#!/usr/bin/env python3
"""Copy the real OSV records that concern the demo image's language packages
out of the shared corpus into demo/osv-sample/, unchanged, one file each.

    python3 demo/make-osv-sample.py ../shared/vulndb/osv demo/osv-sample
"""
import json, os, sys, zipfile

WANTED = {
    "PyPI": {"urllib3", "requests", "pyyaml"},
    "crates.io": {"regex", "smallvec", "time", "chrono", "tokio"},
}

def main(corpus, out):
    os.makedirs(out, exist_ok=True)
    count = 0
    for ecosystem, names in WANTED.items():
        with zipfile.ZipFile(f"{corpus}/{ecosystem}/all.zip") as archive:
            for member in sorted(archive.namelist()):
                raw = archive.read(member)
                record = json.loads(raw)
                packages = {a.get("package", {}).get("name", "").lower() for a in record.get("affected", [])}
                if packages & names:
                    with open(os.path.join(out, os.path.basename(member)), "wb") as fh:
                        fh.write(raw)
                    count += 1
    print(f"{count} records")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
