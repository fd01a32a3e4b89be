#!/usr/bin/env bash
# jenkins-plugin/tests/test.sh -- test the Jenkins shared library in
# jenkins-plugin/ (run setup.sh first):
#   1. npm-groovy-lint (CodeNarc) on jenkins-plugin/ (its tests/ aside): no errors;
#   2. Tests.groovy: vars/portcullisScan.groovy run by Harness.groovy with
#      stub pipeline steps, over a fake binary's exit codes 0, 1 (each
#      failMode), 2, 3, argument quoting and checks; then real runs of
#      $PORTCULLIS_BIN on $PORTCULLIS_FIXTURES/debian-app.oci.tar with a DB
#      built from $SHARED's OSV and KEV data, with their SARIF, JUnit and JSON
#      reports read back.
# Env: PORTCULLIS_BIN (absolute path of the built binary), PORTCULLIS_FIXTURES
# (folder with debian-app.oci.tar), SHARED (the shared/ folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
HERE="$ROOT/jenkins-plugin/tests"
: "${PORTCULLIS_BIN:?set PORTCULLIS_BIN to the built portcullis binary}"
: "${PORTCULLIS_FIXTURES:?set PORTCULLIS_FIXTURES to the fixture images folder}"
: "${SHARED:?set SHARED to the shared/ folder}"
[ -x "$PORTCULLIS_BIN" ] || { echo "jenkins: PORTCULLIS_BIN=$PORTCULLIS_BIN is not executable" >&2; exit 1; }
IMAGE="$PORTCULLIS_FIXTURES/debian-app.oci.tar"
[ -f "$IMAGE" ] || { echo "jenkins: $IMAGE is missing" >&2; exit 1; }
LINT="$ROOT/target/wrappers/jenkins/npm/node_modules/.bin/npm-groovy-lint"
command -v groovy > /dev/null && [ -x "$LINT" ] \
  || { echo "jenkins: groovy or npm-groovy-lint missing; run jenkins-plugin/tests/setup.sh" >&2; exit 1; }

# Debian's default JRE (setup.sh installs it), unless JAVA_HOME names a working one.
[ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] || export JAVA_HOME=/usr/lib/jvm/default-java
[ -x "$JAVA_HOME/bin/java" ] || { echo "jenkins: no JRE at $JAVA_HOME; run jenkins-plugin/tests/setup.sh" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# 1. Lint. --noserver: no CodeNarc server left running; --failon warning:
# errors and warnings fail, infos are only counted.
echo "jenkins: npm-groovy-lint jenkins-plugin/"
(cd jenkins-plugin && FORCE_COLOR=0 "$LINT" --noserver --failon warning --ignorepattern "**/tests/**" --output txt .) > "$TMP/lint.log" 2>&1 \
  || { cat "$TMP/lint.log" >&2; echo "jenkins: npm-groovy-lint failed" >&2; exit 1; }
sed -n -E "s/.*(npm-groovy-lint results in [0-9]+ linted files).*/jenkins: \1/p; s/.*'(Error|Warning|Info)' *│ *([0-9]+).*/jenkins:   \1: \2/p" \
  "$TMP/lint.log"

# 2. A DB from the shared corpus, then the tests.
"$PORTCULLIS_BIN" db --db "$TMP/db.sqlite" import "$SHARED"/vulndb/osv/*/all.zip \
  "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > "$TMP/db.log" 2>&1 \
  || { cat "$TMP/db.log" >&2; exit 1; }

mkdir -p "$TMP/work"
JENKINS_LIBRARY="$ROOT/jenkins-plugin" FAKE_PORTCULLIS="$HERE/fake-portcullis" WORK="$TMP/work" \
REAL_BIN="$PORTCULLIS_BIN" REAL_DB="$TMP/db.sqlite" REAL_IMAGE="$IMAGE" \
  groovy -cp "$HERE" "$HERE/Tests.groovy"
