#!/usr/bin/env bash
# tests/bench/build.sh -- what a change costs the people who build Portcullis:
# a clean `cargo build --release --locked` of a fresh clone of HEAD (its own
# target dir, the crates already fetched), the release binary's size, the
# crates in the normal dependency tree and those in two versions, and, with
# --ci, a clean `bash .ci/run` of another fresh clone. Run it on an otherwise
# idle machine: with two cores the build is CPU-bound, so anything else
# running shows up one for one in the wall time.
#
# Targets (issue 35): release build <= 6 min, binary <= 40 MiB, .ci/run <= 15 min.
# Exits 1 on a miss.
#
#   bash tests/bench/build.sh [--ci]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ] && export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
REPO="$PWD"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
cargo fetch --locked --quiet

seconds() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
minutes() { awk -v s="$1" 'BEGIN { printf "%d min %02d s", s / 60, s % 60 }'; }
miss=0

git clone --quiet "$REPO" "$WORK/build"
build_s=$(cd "$WORK/build" && seconds cargo build --release --locked --quiet)
bin="$WORK/build/target/release/portcullis"
bytes=$(stat -c %s "$bin")
crates=$(cd "$WORK/build" && cargo tree -e normal --prefix none --locked 2>/dev/null | sed 's/ (\*)$//' | sort -u | wc -l)
dups=$(cd "$WORK/build" && cargo tree -d -e normal --locked 2>/dev/null | grep -E '^[a-z]' | sed 's/ (\*)$//' | sort -u | awk '{ print $1 }' | uniq -d | tr '\n' ' ')
printf 'clean release build   %s (%.0f s; target <= 6 min)\n' "$(minutes "$build_s")" "$build_s"
printf 'release binary        %.1f MiB (target <= 40 MiB)\n' "$(echo "$bytes / 1048576" | bc -l)"
printf 'crates (normal edges) %s; in two versions: %s\n' "$crates" "${dups:-none}"
awk -v s="$build_s" 'BEGIN { exit !(s > 360) }' && miss=1
[ "$bytes" -gt $((40 << 20)) ] && miss=1

if [ "${1:-}" = --ci ]; then
  git clone --quiet "$REPO" "$WORK/ci"
  ci_s=$(cd "$WORK/ci" && seconds bash -c 'bash .ci/run > "$0" 2>&1' "$WORK/ci.log") \
    || { tail -40 "$WORK/ci.log" >&2; echo ".ci/run failed" >&2; exit 1; }
  printf 'clean .ci/run         %s (%.0f s; target <= 15 min)\n' "$(minutes "$ci_s")" "$ci_s"
  awk -v s="$ci_s" 'BEGIN { exit !(s > 900) }' && miss=1
fi
exit $miss
