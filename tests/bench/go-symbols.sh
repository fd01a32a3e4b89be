#!/usr/bin/env bash
# tests/bench/go-symbols.sh -- what reading Go binaries' function tables
# (pclntab) costs a cold scan of debian-app (OCI dir), against the whole
# shared corpus DB: callgrind counts the instructions of the whole scan and
# those spent under `go_pclntab::linked_symbols` (inclusive), which is
# repeatable whatever else the machine does. Target: under 5 % (issue 17).
# Also prints the scan's Go determinations (present / not present / unknown).
#
#   bash tests/bench/go-symbols.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
IMAGE="$FIXTURES/debian-app.oci"
[ -f "$IMAGE/index.json" ] || { echo "no $IMAGE: run tests/run.sh first" >&2; exit 2; }
command -v valgrind > /dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
"$BIN" db --db "$WORK/p.db" import "$SHARED"/vulndb/osv/*/all.zip "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > /dev/null

# The first scan compiles the policies into the cache; the measured one reads
# every layer cold (no layer cache), with the compiled policies warm, so the
# policy compile (issue 16) does not dilute the share.
{ "$BIN" scan --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE" || true; } > "$WORK/report.json"
rm -rf "$WORK/cache/layers"
valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
  "$BIN" scan --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE" > /dev/null 2> "$WORK/valgrind.log" || true
grep -q "Collected" "$WORK/valgrind.log" || { cat "$WORK/valgrind.log" >&2; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$WORK/cg.out" > "$WORK/annotated.txt"
total=$(grep -m1 "PROGRAM TOTALS" "$WORK/annotated.txt" | awk '{gsub(",","",$1); print $1}')
read_ir=$(grep "go_pclntab::linked_symbols" "$WORK/annotated.txt" | head -n1 | awk '{gsub(",","",$1); print $1}')
read_ir="${read_ir:-0}"
pct=$(echo "$read_ir * 100 / $total" | bc -l)
printf 'debian-app (OCI dir), scan --format json with no layer cache, against the shared corpus\n'
printf '  instructions, whole scan      %15d\n' "$total"
printf '  instructions, pclntab reads   %15d\n' "$read_ir"
printf '  share                         %15.2f %%  (target < 5)\n' "$pct"
jq -r '[.findings[] | select(.vulnerableCode) | .vulnerableCode.state] | group_by(.) | map("  Go findings \(.[0]): \(length)") | .[]' "$WORK/report.json"
jq -r '"  findings in all: \(.findings | length), counted by the gate: \([.findings[] | select(.suppressed == null and (.vulnerableCode.state // "") != "not-present")] | length)"' "$WORK/report.json"
[ "$read_ir" -gt 0 ] || { echo "MISSED: no pclntab read seen (symbols stripped from the release build?)"; exit 1; }
[ "$(echo "$pct < 5" | bc)" = 1 ] || { echo "MISSED: pclntab read cost"; exit 1; }
