#!/usr/bin/env bash
# tests/bench/db.sh -- the vulnerability DB built from the whole shared corpus
# (every OSV zip, KEV and the CVE records): import time, size per OSV record,
# per-ecosystem sizes, the bundle `db export` writes, 300 lookups, and the
# projection to the public OSV export (tests/bench/osv-export-counts.tsv).
#
# Targets (issue 31): import <= 3 s, <= 600 bytes per OSV record, 300 lookups
# <= 20 ms, bundle <= 1/3 of the DB file, projection <= 300 MB (bundle <= 100 MB).
# Exits 1 on a miss.
#
#   bash tests/bench/db.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-3}"
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
COUNTS="$PWD/tests/bench/osv-export-counts.tsv"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
ZIPS=("$SHARED"/vulndb/osv/*/all.zip)
INPUTS=("${ZIPS[@]}" "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" "$SHARED/vulndb/cve/vulnrichment.zip")
now() { date +%s.%N; }

best=""
for _ in $(seq "$RUNS"); do
  rm -f "$WORK/p.db"
  t0=$(now); "$BIN" db --db "$WORK/p.db" import "${INPUTS[@]}" > /dev/null; t1=$(now)
  t=$(echo "$t1 - $t0" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
size=$(stat -c %s "$WORK/p.db")
osv_records=$("$BIN" db --db "$WORK/p.db" status | awk '$1 ~ /^osv:/ {s += $2} END {print s}')

# The bundle: its size against the DB file's, and what export and import cost.
t0=$(now); "$BIN" db --db "$WORK/p.db" export "$WORK/p.bundle" 2> /dev/null; t1=$(now)
export_s=$(echo "$t1 - $t0" | bc)
t0=$(now); "$BIN" db --db "$WORK/copy.db" import "$WORK/p.bundle" > /dev/null; t1=$(now)
install_s=$(echo "$t1 - $t0" | bc)
bundle=$(stat -c %s "$WORK/p.bundle")

# Each ecosystem alone, less what a one-record DB takes (empty tables, meta):
# the bytes its pages use (SQLite's dbstat), not the file size, as the free
# space at the end of each table's last pages is a few pages per table
# whatever the DB holds (a tenth of npm's 467-record file).
python3 - "$SHARED/vulndb/osv/npm/all.zip" "$WORK/one/tiny/all.zip" <<'PY'
import os, sys, zipfile
src = zipfile.ZipFile(sys.argv[1]); first = sorted(src.namelist())[0]
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
with zipfile.ZipFile(sys.argv[2], "w") as out:
    out.writestr(first, src.read(first))
PY
"$BIN" db --db "$WORK/base.db" import "$WORK/one/tiny/all.zip" > /dev/null
used() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT SUM(pgsize - unused) FROM dbstat").fetchone()[0])' "$1"; }
base=$(used "$WORK/base.db")
: > "$WORK/ecosystems.tsv"
for zip in "${ZIPS[@]}"; do
  ecosystem=$(basename "$(dirname "$zip")")
  "$BIN" db --db "$WORK/$ecosystem.db" import "$zip" > /dev/null
  records=$("$BIN" db --db "$WORK/$ecosystem.db" status | awk '$1 ~ /^osv:/ {s += $2} END {print s}')
  printf '%s\t%s\t%s\n' "$ecosystem" "$records" $(( $(used "$WORK/$ecosystem.db") - base )) >> "$WORK/ecosystems.tsv"
done

# 250 (ecosystem, name) pairs the DB holds, chosen with a fixed seed, and 50 it does not.
python3 - "$WORK/p.db" > "$WORK/pairs.tsv" <<'PY'
import random, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT e.name, a.name FROM affected a JOIN ecosystems e ON e.id = a.ecosystem ORDER BY 1, 2").fetchall()
random.seed(300)
for ecosystem, name in random.sample(rows, 250) + [("Debian:12", f"absent-{i}") for i in range(50)]:
    print(f"{ecosystem}\t{name}")
PY
lookup_ms=$(for _ in 1 2 3 4 5; do
  NO_COLOR=1 PORTCULLIS_LOG=info "$BIN" db --db "$WORK/p.db" lookup --batch "$WORK/pairs.tsv" 2>&1 >/dev/null \
    | sed -n 's/.*300 lookups in \([0-9.]*\) ms.*/\1/p'
done | sort -g | head -n1)

printf 'shared corpus: %d OSV records in %d zips, KEV, CVE records\n' "$osv_records" "${#ZIPS[@]}"
printf '  import (best of %d)  %6.2f s    (target <= 3)\n' "$RUNS" "$best"
printf '  DB size              %6.1f MB   %d bytes per OSV record (target <= 600)\n' \
  "$(echo "$size / 1000000" | bc -l)" $((size / osv_records))
printf '  bundle               %6.1f MB   %.0f %% of the DB (target <= 33 %%); export %.1f s, import %.2f s\n' \
  "$(echo "$bundle / 1000000" | bc -l)" "$(echo "100 * $bundle / $size" | bc -l)" "$export_s" "$install_s"
printf '  300 lookups          %6.2f ms   (target <= 20)\n' "$lookup_ms"
python3 - "$WORK/ecosystems.tsv" "$COUNTS" "$base" "$bundle" "$size" > "$WORK/projection.txt" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
per = {e: int(b) / int(r) for e, r, b in rows}
base, bundle, size = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print("  per ecosystem (each alone: bytes its pages use, less a one-record DB's %d):" % base)
for e, r, b in sorted(rows, key=lambda row: -int(row[2])):
    print(f"    {e:<12} {int(r):>7} records {int(b)/1e6:7.2f} MB {per[e]:6.0f} B/record")
total, lines = size - sum(int(b) for _, _, b in rows), []
for line in open(sys.argv[2]):
    if line.startswith("#") or not line.strip():
        continue
    name, count, shape = line.rstrip("\n").split("\t")
    part = int(count) * per[shape]
    total += part
    lines.append((part, f"    {name:<44} {int(count):>7} x {per[shape]:4.0f} B ({shape:<9}) = {part/1e6:6.1f} MB"))
print("  projection to the public OSV export (records: tests/bench/osv-export-counts.tsv, estimates):")
for _, text in sorted(lines, reverse=True):
    print(text)
records = sum(int(l.split("\t")[1]) for l in open(sys.argv[2]) if l.strip() and not l.startswith("#"))
print(f"    total {records} records: {total/1e6:.0f} MB (target <= 300); bundle at this corpus's ratio {total*bundle/size/1e6:.0f} MB (target <= 100)")
print(f"PROJECTED {total:.0f} {total*bundle/size:.0f}")
PY
grep -v '^PROJECTED' "$WORK/projection.txt"
read -r _ projected projected_bundle < <(grep '^PROJECTED' "$WORK/projection.txt")

fail=0
[ "$(echo "$best <= 3" | bc)" = 1 ] || { echo "MISSED: import time"; fail=1; }
[ $((size / osv_records)) -le 600 ] || { echo "MISSED: bytes per record"; fail=1; }
[ $((bundle * 3)) -le "$size" ] || { echo "MISSED: bundle ratio"; fail=1; }
[ "$(echo "$lookup_ms <= 20" | bc)" = 1 ] || { echo "MISSED: lookups"; fail=1; }
[ "$projected" -le 300000000 ] || { echo "MISSED: projected size"; fail=1; }
[ "$projected_bundle" -le 100000000 ] || { echo "MISSED: projected bundle"; fail=1; }
exit $fail
