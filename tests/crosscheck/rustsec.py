#!/usr/bin/env python3
"""An independent reading of RustSec's OSV data for one Cargo.lock: which
advisories apply to which locked crate, by the OSV evaluation rules, with the
PyPI `semver` package doing the version order. The e2e tests compare it with
what `portcullis scan` reports for the same lock file and the same data.

    crosscheck/rustsec.py CRATES_IO_ALL_ZIP CARGO_LOCK   -> one "crate version ADVISORY" line each
"""
import json, re, sys, tomllib, zipfile

import semver


def parse(text):
    text = text.strip()
    try:
        return semver.Version.parse(text)
    except ValueError:
        parts = text.split("-", 1)
        core = parts[0].split(".")
        core += ["0"] * (3 - len(core))
        return semver.Version.parse(".".join(core) + ("-" + parts[1] if len(parts) > 1 else ""))


def affected(version, events):
    """OSV's evaluation: sort by version, introduced opens, fixed/last_affected close."""
    def key(event):
        (kind, value), = event.items()
        return (0, None) if value == "0" and kind == "introduced" else (1, parse(value))
    ordered = sorted(events, key=lambda e: (key(e)[0], key(e)[1] or semver.Version(0)))
    hit = False
    for event in ordered:
        (kind, value), = event.items()
        if kind == "introduced" and (value == "0" or version >= parse(value)):
            hit = True
        elif kind == "fixed" and version >= parse(value):
            hit = False
        elif kind == "last_affected" and version > parse(value):
            hit = False
        elif kind == "limit" and version >= parse(value):
            return False
    return hit


def main(zip_path, lock_path):
    with open(lock_path, "rb") as fh:
        locked = [(p["name"], p["version"]) for p in tomllib.load(fh)["package"] if "source" in p]
    out = set()
    with zipfile.ZipFile(zip_path) as archive:
        for member in archive.namelist():
            record = json.loads(archive.read(member))
            if record.get("withdrawn"):
                continue
            for entry in record.get("affected", []):
                name = entry.get("package", {}).get("name")
                for crate, version in locked:
                    if crate != name:
                        continue
                    v = parse(version)
                    listed = version in entry.get("versions", [])
                    in_range = any(affected(v, r["events"]) for r in entry.get("ranges", []) if r["type"] in ("SEMVER", "ECOSYSTEM"))
                    if listed or in_range:
                        out.add(f"{crate} {version} {record['id']}")
    print("\n".join(sorted(out)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
