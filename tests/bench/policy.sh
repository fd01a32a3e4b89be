#!/usr/bin/env bash
# tests/bench/policy.sh -- what the built-in policies cost on debian-app's
# findings, warm (compiled modules cached), measured inside the process.
# Target (issue 6): <= 30 ms for the built-in policies.
#
#   bash tests/bench/policy.sh [RUNS]
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
POLICIES=()
for p in severity-gate known-exploited fixable-only risk-cap epss-threshold non-root license-deny only-new; do
  POLICIES+=(--policy "builtin:$p")
done
# The gate fails debian-app (exit 1); only the timing line matters here.
run() { { NO_COLOR=1 PORTCULLIS_LOG=portcullis=info "$BIN" scan --db "$WORK/p.db" --cache-dir "$WORK/cache" "$IMAGE" --format json "$@" 2>&1 >/dev/null || true; } \
  | sed -n 's/.* \([0-9]*\) policies evaluated in \([0-9.]*\) ms.*/\2/p'; }
cold=$(run "${POLICIES[@]}")
warm=$(for _ in $(seq "$RUNS"); do run "${POLICIES[@]}"; done | sort -g | head -n1)
gate=$(for _ in $(seq "$RUNS"); do run; done | sort -g | head -n1)
printf 'built-in policies on debian-app findings (best of %d)\n' "$RUNS"
printf '  all 8 built-ins, first run (compiling) %7.1f ms\n' "$cold"
printf '  all 8 built-ins, warm (cached)         %7.1f ms  (target <= 30)\n' "$warm"
printf '  default severity gate alone, warm      %7.1f ms\n' "$gate"
[ "$(echo "$warm <= 30" | bc)" = 1 ] || { echo "MISSED: policy overhead"; exit 1; }
