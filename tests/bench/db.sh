#!/usr/bin/env bash
# tests/bench/db.sh -- build the vulnerability DB from the whole shared corpus
# and time 300 package lookups against it.
#
# Prints build time (best of N), DB size, and the time for 300 lookups (250
# packages the DB holds, 50 it does not), measured inside one process.
# Targets (issue 4): build <= 5 s, 300 lookups <= 20 ms. Exits 1 on a miss.
#
#   bash tests/bench/db.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-3}"
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
INPUTS=("$SHARED"/vulndb/osv/*/all.zip "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json")

best=""
for _ in $(seq "$RUNS"); do
  rm -f "$WORK/p.db"
  t0=$(date +%s.%N); "$BIN" db --db "$WORK/p.db" import "${INPUTS[@]}" > /dev/null; t1=$(date +%s.%N)
  t=$(echo "$t1 - $t0" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
size=$(stat -c %s "$WORK/p.db")
zipped=$(cat "$SHARED"/vulndb/osv/*/all.zip | wc -c)

# 250 (ecosystem, name) pairs the DB holds, chosen with a fixed seed, and 50 it does not.
python3 - "$WORK/p.db" > "$WORK/pairs.tsv" <<'PY'
import random, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT DISTINCT ecosystem, name FROM affected ORDER BY 1, 2").fetchall()
random.seed(300)
for ecosystem, name in random.sample(rows, 250) + [("Debian:12", f"absent-{i}") for i in range(50)]:
    print(f"{ecosystem}\t{name}")
PY
lookup_ms=$(for _ in 1 2 3 4 5; do
  NO_COLOR=1 PORTCULLIS_LOG=info "$BIN" db --db "$WORK/p.db" lookup --batch "$WORK/pairs.tsv" 2>&1 >/dev/null \
    | sed -n 's/.*300 lookups in \([0-9.]*\) ms.*/\1/p'
done | sort -g | head -n1)
records=$("$BIN" db --db "$WORK/p.db" status | awk '/records/ {s += $2} END {print s}')

printf 'shared corpus: %d feeds, %s records (%d MB zipped)\n' "${#INPUTS[@]}" "$records" $((zipped / 1000000))
printf '  build (best of %d)   %6.2f s    (target <= 5)\n' "$RUNS" "$best"
printf '  DB size              %6.1f MB   (%d bytes per record)\n' "$(echo "$size / 1000000" | bc -l)" $((size / records))
printf '  300 lookups          %6.2f ms   (target <= 20)\n' "$lookup_ms"
fail=0
[ "$(echo "$best <= 5" | bc)" = 1 ] || { echo "MISSED: build time"; fail=1; }
[ "$(echo "$lookup_ms <= 20" | bc)" = 1 ] || { echo "MISSED: lookups"; fail=1; }
exit $fail
