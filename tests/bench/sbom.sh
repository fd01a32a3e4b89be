#!/usr/bin/env bash
# tests/bench/sbom.sh -- how fast `portcullis sbom` reads debian-app (OCI dir).
#
# Measures, best of N runs each (page cache warm for all, so only CPU counts):
#   gzip   GNU `gzip -dc` of the image's gzip layer blobs, two at a time
#   cold   `portcullis sbom` with an empty layer cache
#   warm   `portcullis sbom` with every layer cached
# and the peak RSS of a cold run. Targets (issue 2): cold <= 0.4 x gzip,
# warm <= 0.1 s, peak RSS <= 100 MiB. Exits 1 when a target is missed.
#
#   bash tests/bench/sbom.sh [RUNS]     (fixtures: tests/run.sh builds them)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-5}"
FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
IMAGE="$FIXTURES/debian-app.oci"
[ -f "$IMAGE/index.json" ] || { echo "no $IMAGE: run tests/run.sh first" >&2; exit 2; }
cargo build --release --quiet
BIN="$PWD/target/release/portcullis"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
best() { sort -g | head -n1; }

# The gzip layer blobs the manifest names.
manifest=$(jq -r '.manifests[0].digest' "$IMAGE/index.json" | cut -d: -f2)
mapfile -t blobs < <(jq -r '.layers[] | select(.mediaType | endswith("gzip")) | .digest' \
  "$IMAGE/blobs/sha256/$manifest" | cut -d: -f2 | sed "s|^|$IMAGE/blobs/sha256/|")

gzip_times=() cold_times=() warm_times=()
for _ in $(seq "$RUNS"); do
  t0=$(now); printf '%s\n' "${blobs[@]}" | xargs -P2 -n1 sh -c 'gzip -dc "$0" > /dev/null'; t1=$(now)
  gzip_times+=("$(echo "$t1 - $t0" | bc)")
  rm -rf "$WORK/cache"
  t0=$(now); "$BIN" sbom --cache-dir "$WORK/cache" "$IMAGE" > /dev/null; t1=$(now)
  cold_times+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now); "$BIN" sbom --cache-dir "$WORK/cache" "$IMAGE" > /dev/null; t1=$(now)
  warm_times+=("$(echo "$t1 - $t0" | bc)")
done
rm -rf "$WORK/cache"
rss_kib=$(/usr/bin/time -f '%M' "$BIN" sbom --cache-dir "$WORK/cache" "$IMAGE" 2>&1 >/dev/null | tail -n1)

gzip_s=$(printf '%s\n' "${gzip_times[@]}" | best)
cold_s=$(printf '%s\n' "${cold_times[@]}" | best)
warm_s=$(printf '%s\n' "${warm_times[@]}" | best)
ratio=$(echo "scale=3; $cold_s / $gzip_s" | bc)
rss_mib=$(echo "scale=1; $rss_kib / 1024" | bc)
printf 'debian-app (OCI dir, %d gzip layers), best of %d runs on %d cores\n' "${#blobs[@]}" "$RUNS" "$(nproc)"
printf '  gzip -dc, 2 at a time  %6.3f s\n' "$gzip_s"
printf '  sbom cold              %6.3f s   (%.3f x gzip; target <= 0.4)\n' "$cold_s" "$ratio"
printf '  sbom warm              %6.3f s   (target <= 0.1)\n' "$warm_s"
printf '  peak RSS cold          %6.1f MiB (target <= 100)\n' "$rss_mib"
fail=0
[ "$(echo "$ratio <= 0.4" | bc)" = 1 ] || { echo "MISSED: cold ratio"; fail=1; }
[ "$(echo "$warm_s <= 0.1" | bc)" = 1 ] || { echo "MISSED: warm time"; fail=1; }
[ "$(echo "$rss_mib <= 100" | bc)" = 1 ] || { echo "MISSED: peak RSS"; fail=1; }
exit $fail
