#!/usr/bin/env bash
# tests/bench/base.sh -- what `--base` costs (issue 32), on the fixture pair
# debian-slim (the base) and debian-app (built on it: its first layer is
# debian-slim's), release build, warm layer cache, DB of the shared corpus +
# KEV, JSON written; median of 5 runs each:
#   - debian-app with no base (today's scan);
#   - layered: `--base oci-dir:debian-slim.oci` (the diff_id chains agree, so
#     the image is read once and split at the base's last layer);
#   - inventory: debian-app's root filesystem (no layers) against the same
#     base, read in full and compared package by package;
#   - candidates: layered, plus `--base-candidates` debian-slim and rpm-min.
# Trivy and Grype have no base-image split (aquasecurity/trivy#1198); their
# figure is none. No target: the note and the README quote the figures.
#
#   bash tests/bench/base.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
[ -f "$FIXTURES/debian-app.oci/index.json" ] || { echo "no fixtures in $FIXTURES: run tests/run.sh first" >&2; exit 2; }
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
"$BIN" db --db "$WORK/p.db" import "$SHARED"/vulndb/osv/*/all.zip \
  "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > /dev/null

APP="oci-dir:$FIXTURES/debian-app.oci"
SLIM="oci-dir:$FIXTURES/debian-slim.oci"
ROOTFS="rootfs:$FIXTURES/debian-app.rootfs"
RPM="oci-dir:$FIXTURES/rpm-min.oci"

# median LABEL COMMAND...: one warm-up run, then the median of 5 and the
# exit code (0 or 1: the gate decided).
median() {
  local label="$1"; shift
  "$@" > /dev/null 2> "$WORK/err" || true
  local times=()
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > /dev/null 2> "$WORK/err" && code=0 || code=$?
    times+=("$(tail -n1 "$WORK/time")")
  done
  [ "$code" -le 1 ] || { echo "$label: did not decide (exit $code): $(grep -m1 error "$WORK/err")" >&2; exit 1; }
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | {
    read -r seconds kib
    printf '  %-34s %6.3f s %5d MiB  exit %d\n' "$label" "$seconds" "$((kib / 1024))" "$code"
  }
}

scan=("$BIN" scan --no-progress --db "$WORK/p.db" --cache-dir "$WORK/cache" -f json -o "$WORK/r.json")
echo "debian-app (237 packages) over debian-slim (88 packages)"
median "no base" "${scan[@]}" "$APP"
median "layered (--base)" "${scan[@]}" --base "$SLIM" "$APP"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["base"]; print("    comparison:", b["comparison"], "| base packages:", b["packages"])' "$WORK/r.json"
median "rootfs, no base" "${scan[@]}" "$ROOTFS"
median "inventory (rootfs --base)" "${scan[@]}" --base "$SLIM" "$ROOTFS"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["base"]; print("    comparison:", b["comparison"], "| base packages:", b["packages"])' "$WORK/r.json"
median "layered + 2 candidates" "${scan[@]}" --base "$SLIM" --base-candidates "$SLIM,$RPM" "$APP"
echo "  Trivy, Grype: no base-image split (aquasecurity/trivy#1198)"
