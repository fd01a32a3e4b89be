#!/usr/bin/env bash
# tests/bench/scan.sh -- what matching, scoring and the JSON report add to a
# cold read of debian-app (OCI dir), against the whole shared corpus DB.
#
# Prints, best of N cold runs each (empty layer cache): `sbom` (inventory
# only) and `scan --format json` (inventory + match + score + report), and
# their difference; and a cold scan with `--no-checks`, for what the hygiene
# and secret checks cost. Targets: scan cold within the foundation targets
# (cold <= 0.4 x gzip, see bench/sbom.sh) plus at most 50 ms for matching
# (issue 5); the checks add at most 20% to the cold scan (issue 8).
#
#   bash tests/bench/scan.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-5}"
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
IMAGE="$FIXTURES/debian-app.oci"
[ -f "$IMAGE/index.json" ] || { echo "no $IMAGE: run tests/run.sh first" >&2; exit 2; }
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
"$BIN" db --db "$WORK/p.db" import "$SHARED"/vulndb/osv/*/all.zip "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > /dev/null

best() { sort -g | head -n1; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
sbom_times=() scan_times=() warm_times=() bare_times=()
for _ in $(seq "$RUNS"); do
  rm -rf "$WORK/cache"; sbom_times+=("$(timed "$BIN" sbom --cache-dir "$WORK/cache" "$IMAGE")")
  rm -rf "$WORK/cache"; scan_times+=("$(timed "$BIN" scan --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE")")
  warm_times+=("$(timed "$BIN" scan --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE")")
  rm -rf "$WORK/cache/layers"; bare_times+=("$(timed "$BIN" scan --no-checks --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE")")
  rm -rf "$WORK/cache/layers"; scan_times+=("$(timed "$BIN" scan --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE")")
done
sbom_s=$(printf '%s\n' "${sbom_times[@]}" | best)
scan_s=$(printf '%s\n' "${scan_times[@]}" | best)
warm_s=$(printf '%s\n' "${warm_times[@]}" | best)
bare_s=$(printf '%s\n' "${bare_times[@]}" | best)
checks_pct=$(echo "($scan_s - $bare_s) * 100 / $bare_s" | bc -l)
extra_ms=$(echo "($scan_s - $sbom_s) * 1000" | bc)
findings=$({ "$BIN" scan --db "$WORK/p.db" --format json --cache-dir "$WORK/cache" "$IMAGE" || true; } | jq '.findings | length')
printf 'debian-app (OCI dir) against the shared corpus (%s findings), best of %d runs\n' "$findings" "$RUNS"
printf '  sbom cold             %6.3f s\n' "$sbom_s"
printf '  scan cold, json       %6.3f s\n' "$scan_s"
printf '  scan warm, json       %6.3f s\n' "$warm_s"
printf '  match+score+report    %6.0f ms  (target <= 50)\n' "$extra_ms"
printf '  scan cold, no checks  %6.3f s\n' "$bare_s"
printf '  hygiene+secret checks %6.1f %%  (target <= 20)\n' "$checks_pct"
[ "$(echo "$extra_ms <= 50" | bc)" = 1 ] || { echo "MISSED: matching overhead"; exit 1; }
[ "$(echo "$checks_pct <= 20" | bc)" = 1 ] || { echo "MISSED: checks overhead"; exit 1; }
