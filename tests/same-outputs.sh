#!/usr/bin/env bash
# tests/same-outputs.sh -- show that two builds of portcullis write the same
# reports: every `scan --format` and both `sbom` formats on the three shared
# fixture images (debian-app, debian-slim, rpm-min as OCI dirs, plus the demo
# image), against a DB each build makes itself from the whole shared corpus
# and KEV. Timestamps, durations and the DB's own digest and build time are
# masked; everything else must be byte-identical, exit codes too.
#
#   bash tests/same-outputs.sh OLD_BINARY [NEW_BINARY]
#   bash tests/same-outputs.sh --rev d39911b        # builds that commit in a worktree first
#
# NEW_BINARY defaults to target/debug/portcullis (built first). Prints one
# line per case and exits 1 when any differs; the masked outputs stay under
# target/same-outputs/{old,new} for `diff -r`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
[ -f "$FIXTURES/debian-app.oci/index.json" ] || { echo "no fixture images in $FIXTURES: run tests/run.sh first" >&2; exit 2; }

if [ "${1:-}" = "--rev" ]; then
  rev="${2:?--rev needs a commit}"
  tree="$PWD/target/same-outputs/worktree-$rev"
  [ -d "$tree" ] || git worktree add --detach "$tree" "$rev" >&2
  (cd "$tree" && cargo build --quiet --target-dir "$tree/target")
  OLD="$tree/target/debug/portcullis"
  shift 2
else
  OLD="${1:?usage: tests/same-outputs.sh OLD_BINARY [NEW_BINARY] | --rev REV}"
  shift
fi
if [ $# -gt 0 ]; then
  NEW="$1"
else
  cargo build --quiet
  NEW="$PWD/target/debug/portcullis"
fi

OUT="$PWD/target/same-outputs"
FORMATS=(table json sarif cyclonedx spdx junit teamcity markdown cyclonedx-vex asff)

# Masks what differs between two runs of the same build.
mask() {
  sed -E \
    -e 's/("(built|builtAt|fetchedAt|fetched_at|created|timestamp|startTimeUtc|endTimeUtc|CreatedAt|UpdatedAt|FirstObservedAt|LastObservedAt)": ?)"[^"]*"/\1"<time>"/g' \
    -e 's/built [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/built <time>/g' \
    -e 's/[0-9]+(\.[0-9]+)? ?(ms|s)\b/<duration>/g' \
    -e "s#$DB_DIR#<db-dir>#g" \
    -e "s/$DB_DIGEST/<db-digest>/g"
}

run_side() {
  local side="$1" bin="$2"
  local dir="$OUT/$side"
  mkdir -p "$dir"
  DB_DIR="$dir/db"
  mkdir -p "$DB_DIR"
  "$bin" db --db "$DB_DIR/p.db" import "$SHARED"/vulndb/osv/*/all.zip \
    "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > /dev/null
  "$bin" db --db "$DB_DIR/demo.db" import demo/osv-sample demo/cve-sample > /dev/null
  DB_DIGEST=$(sha256sum "$DB_DIR/p.db" | cut -c1-64)
  local targets=(debian-app debian-slim rpm-min demo)
  for name in "${targets[@]}"; do
    local target="$FIXTURES/$name.oci" db="$DB_DIR/p.db"
    if [ "$name" = demo ]; then target="demo/debian-demo.oci.tar" db="$DB_DIR/demo.db"; fi
    for format in "${FORMATS[@]}"; do
      local code=0
      SOURCE_DATE_EPOCH=1704067200 NO_COLOR=1 "$bin" scan --cache-dir "$dir/cache" --db "$db" \
        --format "$format" "$target" > "$dir/$name.$format.raw" 2> "$dir/$name.$format.stderr" || code=$?
      { mask < "$dir/$name.$format.raw"; echo "exit $code"; } > "$dir/$name.$format"
      mask < "$dir/$name.$format.stderr" > "$dir/$name.$format.err"
      rm "$dir/$name.$format.raw" "$dir/$name.$format.stderr"
    done
    for format in cyclonedx spdx; do
      SOURCE_DATE_EPOCH=1704067200 "$bin" sbom --cache-dir "$dir/cache" --format "$format" "$target" \
        | mask > "$dir/$name.sbom-$format"
    done
  done
  rm -rf "$DB_DIR" "$dir/cache"
}

# The old side is kept while the old binary is the same (it is slow in debug builds).
old_sum=$(sha256sum "$OLD" | cut -c1-64)
if [ "$(cat "$OUT/old/.binary" 2>/dev/null)" != "$old_sum" ]; then
  rm -rf "$OUT/old"
  run_side old "$OLD"
  echo "$old_sum" > "$OUT/old/.binary"
fi
rm -rf "$OUT/new"
run_side new "$NEW"

status=0
for file in "$OUT"/old/*; do
  name=$(basename "$file")
  if cmp -s "$file" "$OUT/new/$name"; then
    printf 'same     %s\n' "$name"
  else
    printf 'DIFFERS  %s\n' "$name"; status=1
  fi
done
[ $status = 0 ] && echo "all outputs identical" || echo "see: diff -r $OUT/old $OUT/new"
exit $status
