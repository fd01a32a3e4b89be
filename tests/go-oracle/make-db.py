#!/usr/bin/env python3
"""make-db.py GO_ALL_ZIP OUT -- a govulncheck database from OSV Go records.

Writes the layout golang.org/x/vuln's client read before its v1 database
(index.json: module -> last modified; <escaped module>.json: the module's
records; ID/index.json and ID/<id>.json; aliases.json), which Debian 12's
govulncheck (a 2023-02 build) reads through GOVULNDB=file:///OUT, and the
v1 layout (index/db.json, index/modules.json) beside it for newer clients.
"""
import collections
import json
import os
import sys
import zipfile


def escape(path):
    # golang.org/x/mod/module.EscapePath: an upper-case letter is '!' + lower.
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def write(out, name, value):
    target = os.path.join(out, name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w") as f:
        json.dump(value, f)


def main(zip_path, out):
    by_module = collections.defaultdict(list)
    records = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            record = json.loads(z.read(name))
            if record.get("withdrawn"):
                continue
            records[record["id"]] = record
            for module in {a["package"]["name"] for a in record.get("affected", [])}:
                by_module[module].append(record)
    index = {}
    for module, entries in sorted(by_module.items()):
        write(out, escape(module) + ".json", entries)
        index[module] = max(e["modified"] for e in entries)
    write(out, "index.json", index)
    write(out, "ID/index.json", sorted(records))
    aliases = collections.defaultdict(list)
    for record in records.values():
        write(out, "ID/%s.json" % record["id"], record)
        for alias in record.get("aliases", []):
            aliases[alias].append(record["id"])
    write(out, "aliases.json", aliases)
    modified = max(r["modified"] for r in records.values())
    write(out, "index/db.json", {"modified": modified})
    write(out, "index/modules.json", [
        {"path": module, "vulns": [{"id": e["id"], "modified": e["modified"]} for e in entries]}
        for module, entries in sorted(by_module.items())
    ])
    print("%d records, %d modules" % (len(records), len(by_module)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
