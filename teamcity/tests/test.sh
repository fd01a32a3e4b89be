#!/usr/bin/env bash
# teamcity/tests/test.sh -- test the TeamCity wrapper (teamcity/):
#   1. the service-message validator's self-test;
#   2. check_meta_runner.py: the meta-runner XML and the Kotlin DSL example,
#      statically, then the meta-runner script run against a fake binary and
#      against the real one on debian-app.oci.tar;
#   3. the real binary's own `scan --format teamcity` output through the strict
#      validator: exactly one buildProblem when the gate fails (exit 1, identity
#      portcullis_<hex>), none when it passes (--fail-on none), and exactly one
#      for an input error (exit 2, portcullis_exit_2) and a missing DB (exit 3,
#      portcullis_exit_3).
# Environment: PORTCULLIS_BIN (the built binary; default target/debug/portcullis),
# PORTCULLIS_FIXTURES (folder with debian-app.oci.tar; default
# target/fixture-images), SHARED (the shared folder with vulndb/; default ../shared).
# Run setup.sh first. Exits non-zero when anything fails; ends with `N passed, N failed`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
BIN=${PORTCULLIS_BIN:-$repo/target/debug/portcullis}
FIXTURES=${PORTCULLIS_FIXTURES:-$repo/target/fixture-images}
SHARED=${SHARED:-$(cd "$repo/.." && pwd)/shared}
IMAGE=$FIXTURES/debian-app.oci.tar

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $1"; [ -z "${2:-}" ] || sed 's/^/    /' "$2"; }

for need in "$BIN" "$IMAGE" "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json"; do
  [ -e "$need" ] || { echo "test.sh: missing $need (see PORTCULLIS_BIN, PORTCULLIS_FIXTURES, SHARED)" >&2; exit 1; }
done

# 1. The validator checks itself first: everything below relies on it.
if python3 "$here/check_service_messages.py" --self-test > "$tmp/self-test.log" 2>&1; then
  ok "check_service_messages.py --self-test: $(tail -1 "$tmp/self-test.log")"
else
  not_ok "check_service_messages.py --self-test" "$tmp/self-test.log"
fi

# A DB for the real scans (~2 s): debian-app fails the default gate on it
# (exit 1, a critical smallvec finding).
db=$tmp/db.sqlite
if "$BIN" db --db "$db" import "$SHARED"/vulndb/osv/*/all.zip \
     "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > "$tmp/db.log" 2>&1; then
  ok "portcullis db import"
else
  not_ok "portcullis db import" "$tmp/db.log"
  echo "$passed passed, $failed failed"
  exit 1
fi

# 2. The meta-runner and the Kotlin DSL example.
if python3 "$here/check_meta_runner.py" --bin "$BIN" --fixtures "$FIXTURES" --db "$db" \
     --mirror "$SHARED/vulndb/osv" > "$tmp/meta-runner.log" 2>&1; then
  ok "check_meta_runner.py: $(tail -1 "$tmp/meta-runner.log")"
else
  not_ok "check_meta_runner.py" "$tmp/meta-runner.log"
fi

# 3. The binary's own service messages.
export PORTCULLIS_CACHE_DIR=$tmp/cache
scan() { # label, expected exit, validator option, expected buildProblem identities (a regex), scan arguments...
  local label=$1 want=$2 expect=$3 identities=$4 status=0 got
  shift 4
  "$BIN" scan --format teamcity "$@" > "$tmp/scan.out" 2> "$tmp/scan.err" || status=$?
  got=$(sed -n "s/^##teamcity\[buildProblem .* identity='\([^']*\)'.*/\1/p" "$tmp/scan.out" | tr '\n' ' ')
  if [ "$status" -ne "$want" ]; then
    cat "$tmp/scan.err" >> "$tmp/scan.out"
    not_ok "$label: exit $status, expected $want" "$tmp/scan.out"
  elif ! [[ $got =~ ^$identities$ ]]; then
    grep '^##teamcity\[buildProblem' "$tmp/scan.out" > "$tmp/problems.out" || true
    not_ok "$label: buildProblem identities \`$got\`, expected \`$identities\`" "$tmp/problems.out"
  elif python3 "$here/check_service_messages.py" "$expect" < "$tmp/scan.out" > "$tmp/check.log" 2>&1; then
    ok "$label: $(tail -1 "$tmp/check.log")"
  else
    not_ok "$label" "$tmp/check.log"
  fi
}
scan "scan --format teamcity, gate fails (exit 1, one buildProblem portcullis_<hex>)" 1 --expect-build-problem \
  'portcullis_[0-9a-f]+ ' --db "$db" "$IMAGE"
scan "scan --format teamcity --fail-on none (exit 0, no buildProblem)" 0 --expect-no-build-problem \
  '' --db "$db" --fail-on none "$IMAGE"
scan "scan --format teamcity of a missing target (exit 2, one buildProblem portcullis_exit_2)" 2 --expect-build-problem \
  'portcullis_exit_2 ' --db "$db" "$tmp/no-such-image.tar"
scan "scan --format teamcity without a DB (exit 3, one buildProblem portcullis_exit_3)" 3 --expect-build-problem \
  'portcullis_exit_3 ' --db "$tmp/no-such-db.sqlite" "$IMAGE"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
