#!/usr/bin/env python3
"""Copy the real OSV records that concern the demo image's language packages
out of the shared corpus into demo/osv-sample/, unchanged, one file each;
with a CVE zip and a third folder, also the CVE records (JSON 5) of the CVEs
those records name, unchanged, into that folder.

    python3 demo/make-osv-sample.py ../shared/vulndb/osv demo/osv-sample \
        ../shared/vulndb/cve/vulnrichment.zip demo/cve-sample
"""
import json, os, sys, zipfile

WANTED = {
    "PyPI": {"urllib3", "requests", "pyyaml"},
    "crates.io": {"regex", "smallvec", "time", "chrono", "tokio"},
}

def main(corpus, out, cve_zip=None, cve_out=None):
    os.makedirs(out, exist_ok=True)
    count = 0
    cves = set()
    for ecosystem, names in WANTED.items():
        with zipfile.ZipFile(f"{corpus}/{ecosystem}/all.zip") as archive:
            for member in sorted(archive.namelist()):
                raw = archive.read(member)
                record = json.loads(raw)
                packages = {a.get("package", {}).get("name", "").lower() for a in record.get("affected", [])}
                if packages & names:
                    cves.update(i for i in [record["id"], *record.get("aliases", [])] if i.startswith("CVE-"))
                    with open(os.path.join(out, os.path.basename(member)), "wb") as fh:
                        fh.write(raw)
                    count += 1
    print(f"{count} records")
    if cve_zip:
        os.makedirs(cve_out, exist_ok=True)
        copied = 0
        with zipfile.ZipFile(cve_zip) as archive:
            for member in sorted(archive.namelist()):
                if os.path.basename(member)[:-len(".json")] in cves:
                    with open(os.path.join(cve_out, os.path.basename(member)), "wb") as fh:
                        fh.write(archive.read(member))
                    copied += 1
        print(f"{copied} CVE records")

if __name__ == "__main__":
    main(*sys.argv[1:5])
