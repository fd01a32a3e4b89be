#!/usr/bin/env bash
# tests/wrappers/action/test.sh -- check the composite GitHub Action in action/.
#
# Static: the metadata against GitHub's action schema (check-jsonschema),
# zizmor's audit (no template injection, unpinned uses and the rest of its
# regular persona), the harness's own rules (run_action.py: SHA-pinned uses
# with a version comment, no `${{ }}` in run:, known inputs and step ids),
# ShellCheck on every script, and the checksums.txt format. Each of zizmor and
# the harness is first shown to catch a planted mistake.
#
# Dynamic: run_action.py runs the action's steps as a runner would against
# the debian-app fixture, with a DB built from $SHARED's OSV and KEV copies:
# the default gate, fail-mode report, fail-on none, bad inputs, the DB update
# and cache paths, publishing (with a stub for `portcullis github`), and the
# release install from a loopback HTTP server with right and wrong checksums.
#
# Env: PORTCULLIS_BIN (the built binary), PORTCULLIS_FIXTURES (holds
# debian-app.oci.tar), SHARED (holds vulndb/). Runs setup.sh first. Prints one
# line per check and ends with `N passed, N failed`; exits 1 on any failure.
#
# Checks that need a newer portcullis than the one given (SARIF, Markdown
# summary, the report's `summary` object) look for it in `scan --help` and the
# report, say which branch they took, and check the older behaviour otherwise.
# The jq programs are single-quoted on purpose:
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
ACTION="$REPO/action"
HARNESS="$HERE/run_action.py"
: "${PORTCULLIS_BIN:?set PORTCULLIS_BIN to the built portcullis binary}"
: "${PORTCULLIS_FIXTURES:?set PORTCULLIS_FIXTURES to the folder holding debian-app.oci.tar}"
: "${SHARED:?set SHARED to the shared folder holding vulndb/}"
IMAGE="$PORTCULLIS_FIXTURES/debian-app.oci.tar"
for needed in "$PORTCULLIS_BIN" "$IMAGE" "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json"; do
  [ -e "$needed" ] || { echo "test.sh: \`$needed\` does not exist" >&2; exit 2; }
done

bash "$HERE/setup.sh"
SCRIPTS=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
ZIZMOR="$SCRIPTS/zizmor"
[ -x "$ZIZMOR" ] || ZIZMOR=$(command -v zizmor)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-action-test.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- checking -------------------------------------------------------------------------------

passed=0
failed=0
run_json=""
run_log=""
log_shown=1

# expect DESCRIPTION COMMAND...: one check; on failure show its output and the run's log tail.
expect() {
  local description=$1
  shift
  if "$@" > "$TMP/expect.out" 2>&1; then
    passed=$((passed + 1))
    echo "  ok    $description"
  else
    failed=$((failed + 1))
    echo "  FAIL  $description"
    sed 's/^/        | /' "$TMP/expect.out" | tail -n 20
    if [ "$log_shown" = 0 ]; then
      log_shown=1
      echo "        last lines of the action's log ($run_log):"
      tail -n 40 "$run_log" | sed 's/^/        | /'
    fi
  fi
}

# act NAME ACTION_DIR [run_action.py options...]: run the action; later checks read its result.
act() {
  local name=$1 action_dir=$2
  shift 2
  run_json="$TMP/$name.json"
  run_log="$TMP/$name.log"
  log_shown=0
  echo "== $name"
  python3 "$HARNESS" "$action_dir" --state "$TMP/$name" "$@" > "$run_json" 2> "$run_log" || true
  jq -e 'has("result")' "$run_json" > /dev/null 2>&1 \
    || { failed=$((failed + 1)); echo "  FAIL  the harness did not finish"; tail -n 40 "$run_log"; log_shown=1; }
}

has() { jq -e "$@" "$run_json"; }
result_is() { jq -e --arg want "$1" '.result == $want' "$run_json"; }
output_is() { jq -e --arg name "$1" --arg want "$2" '.outputs[$name] == $want' "$run_json"; }
output_in() { jq -e --arg name "$1" --arg want "$2" '.outputs[$name] as $got | $want | split(" ") | index($got) != null' "$run_json"; }
output_at_least() { jq -e --arg name "$1" --argjson want "$2" '.outputs[$name] | tonumber >= $want' "$run_json"; }
step_is() { jq -e --arg name "$1" --arg want "$2" 'any(.steps[]; .name == $name and .outcome == $want)' "$run_json"; }
steps_are() { # steps_are NAME OUTCOME [NAME OUTCOME]...
  while [ $# -gt 0 ]; do
    step_is "$1" "$2" || return 1
    shift 2
  done
}
failed_with() { result_is failure && annotated error "$1"; }
annotated() { jq -e --arg level "$1" --arg text "$2" 'any(.annotations[]; .level == $level and (.message | contains($text)))' "$run_json"; }
not_annotated() { jq -e --arg level "$1" '[.annotations[] | select(.level == $level)] | length == 0' "$run_json"; }
logged() { grep -qF -- "$1" "$run_log"; }
workspace_file() { test -s "$(jq -r .workspace "$run_json")/$1"; }
workspace_path() { printf '%s/%s' "$(jq -r .workspace "$run_json")" "$1"; }
sarif_ok() {
  local sarif
  if [ "$HAS_SARIF" = yes ]; then
    jq -e '.outputs["sarif-file"] == "portcullis.sarif"' "$run_json" || return 1
    sarif=$(workspace_path portcullis.sarif)
    jq -e '.version == "2.1.0" and (.runs | length) == 1 and (.runs[0].tool.driver.name | length) > 0
           and any(.runs[0].results[]; .ruleId == "CVE-2021-25900" and .level == "error")' "$sarif"
  else
    annotated warning "cannot write SARIF" && jq -e '.outputs["sarif-file"] == ""' "$run_json"
  fi
}
summary_ok() {
  if [ "$HAS_MARKDOWN" = yes ]; then
    # The step summary is portcullis's own Markdown, whole.
    jq -e --rawfile markdown "$SHARED_TEMP/portcullis/summary.md" \
      '($markdown | length) > 0 and (.summary | contains($markdown)) and (.summary | contains("### Portcullis:") | not)' "$run_json"
  else
    jq -e --arg verdict "$1" '.summary | contains("### Portcullis: " + $verdict)' "$run_json"
  fi
}
# counts_match_report: the count outputs equal the report's `summary` object, when it has one.
counts_match_report() {
  jq -e -s '.[0].outputs as $got | .[1].summary as $want
    | if $want == null then true
      else ["critical", "high", "medium", "low", "unknown", "suppressed"]
           | all($got[.] == ($want[.] | tostring))
      end' "$run_json" "$(workspace_path portcullis-report.json)"
}
shellcheck_clean() { (cd "$REPO" && shellcheck -x action/*.sh tests/wrappers/action/*.sh); }

# --- fixtures ---------------------------------------------------------------------------------

echo "== setup"
DB="$TMP/db.sqlite"
"$PORTCULLIS_BIN" db --db "$DB" import "$SHARED"/vulndb/osv/*/all.zip \
  "$SHARED/vulndb/kev/known_exploited_vulnerabilities.json" > "$TMP/db-import.log" 2>&1 \
  || { cat "$TMP/db-import.log"; exit 1; }
echo "  built the DB from $SHARED/vulndb"

# `version: path` finds this `portcullis`; the install scenarios get a PATH without one.
mkdir -p "$TMP/path-bin"
ln -s "$PORTCULLIS_BIN" "$TMP/path-bin/portcullis"
PLAIN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if PATH=$PLAIN_PATH command -v portcullis > /dev/null; then
  echo "test.sh: a portcullis is installed on $PLAIN_PATH; the install checks need it gone" >&2
  exit 2
fi
HAS_SARIF=no HAS_MARKDOWN=no
scan_help=$("$PORTCULLIS_BIN" scan --help)
if grep -qw sarif <<< "$scan_help"; then HAS_SARIF=yes; fi
if grep -qw markdown <<< "$scan_help"; then HAS_MARKDOWN=yes; fi
echo "  this portcullis writes SARIF: $HAS_SARIF, Markdown: $HAS_MARKDOWN"
# The scenarios share one RUNNER_TEMP, so the layer cache is cold only once.
SHARED_TEMP="$TMP/runner-temp"
mkdir -p "$SHARED_TEMP"
ON_PATH=(--runner-temp "$SHARED_TEMP" --path-prepend "$TMP/path-bin" -i version=path)
TODAY=$(date -u +%Y-%m-%d)

# --- static checks ----------------------------------------------------------------------------

echo "== static checks"
log_shown=1
expect "action.yml validates against GitHub's action schema (check-jsonschema)" \
  python3 -m check_jsonschema --builtin-schema vendor.github-actions "$ACTION/action.yml"
expect "zizmor (regular persona, offline) finds nothing in action.yml" \
  "$ZIZMOR" --offline --no-progress "$ACTION/action.yml"
expect "the harness's rules hold (pinned uses, no \${{ }} in run:, known inputs and steps)" \
  python3 "$HARNESS" "$ACTION" --lint-only

# Planted mistakes, to show the two checkers above would catch them.
mkdir -p "$TMP/injected" "$TMP/unpinned"
cp "$ACTION"/* "$TMP/injected/"
cat >> "$TMP/injected/action.yml" << 'EOF'
    - name: Planted injection
      shell: bash
      run: echo "scanning ${{ inputs.image }}"
EOF
cp "$ACTION"/* "$TMP/unpinned/"
sed -i -E 's|actions/cache@[0-9a-f]{40}|actions/cache@v4|' "$TMP/unpinned/action.yml"
zizmor_flags() { ! "$ZIZMOR" --offline --no-progress "$1" > "$TMP/zizmor.out" 2>&1 && grep -q "$2" "$TMP/zizmor.out"; }
harness_refuses() { ! python3 "$HARNESS" "$1" --lint-only 2> "$TMP/lint.out" && grep -q "$2" "$TMP/lint.out"; }
expect "zizmor flags a planted \${{ inputs.image }} in run:" zizmor_flags "$TMP/injected/action.yml" template-injection
expect "zizmor flags a planted unpinned actions/cache@v4" zizmor_flags "$TMP/unpinned/action.yml" unpinned-uses
expect "the harness refuses a planted \${{ }} in run:" harness_refuses "$TMP/injected" "inside run:"
expect "the harness refuses a planted unpinned uses:" harness_refuses "$TMP/unpinned" "not pinned"

if command -v shellcheck > /dev/null; then
  expect "shellcheck passes on action/*.sh and tests/wrappers/action/*.sh" shellcheck_clean
else
  echo "  (shellcheck is not installed: skipping the lint)"
fi
checksums_well_formed() {
  ! grep -vE '^(#.*)?$|^[0-9a-f]{64}  portcullis-[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?-(x86_64|aarch64)-unknown-linux-gnu\.tar\.gz$' "$ACTION/checksums.txt"
}
expect "every checksums.txt line is \`<sha256>  portcullis-<version>-<target>.tar.gz\`" checksums_well_formed

# The harness itself: GITHUB_ENV, GITHUB_PATH and outputs between steps, GitHub's
# case-insensitive string ==, a failed step skipping the next, and if: failure().
mkdir -p "$TMP/self-test"
cat > "$TMP/self-test/action.yml" << 'EOF'
name: run_action.py self-test
description: Checks the harness, not the product.
inputs:
  word:
    description: A word.
    default: hello
outputs:
  seen:
    description: What the second step saw.
    value: ${{ steps.second.outputs.seen }}
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      run: |
        echo "FROM_ENV=set-by-first" >> "$GITHUB_ENV"
        mkdir -p "$RUNNER_TEMP/bin"
        printf '#!/bin/sh\necho tool-on-path\n' > "$RUNNER_TEMP/bin/self-test-tool"
        chmod +x "$RUNNER_TEMP/bin/self-test-tool"
        echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
        echo "value=one" >> "$GITHUB_OUTPUT"
    - id: second
      if: steps.first.outputs.value == 'ONE' && inputs.word != ''
      shell: bash
      env:
        WORD: ${{ inputs.word }}
      run: |
        test "$FROM_ENV" = set-by-first
        echo "seen=$WORD-$(self-test-tool)" >> "$GITHUB_OUTPUT"
        exit 3
    - id: skipped
      shell: bash
      run: echo "must not run" >> "$GITHUB_STEP_SUMMARY"
    - id: after-failure
      if: failure()
      shell: bash
      run: echo "cleanup ran" >> "$GITHUB_STEP_SUMMARY"
EOF
act harness-self-test "$TMP/self-test"
expect "the harness carries GITHUB_ENV, GITHUB_PATH, outputs and if: between steps as a runner does" \
  has '.result == "failure" and .outputs.seen == "hello-tool-on-path" and .summary == "cleanup ran\n"
       and ([.steps[].outcome] == ["success", "failure", "skipped", "success"])'
log_shown=1

# --- the gate -----------------------------------------------------------------------------------

act default-gate "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB"
expect "the job fails" result_is failure
expect "verdict is fail, exit-code 1" has '.outputs.verdict == "fail" and .outputs["exit-code"] == "1"'
expect "critical count >= 1 (smallvec)" output_at_least critical 1
expect "every count output is a number" has '[.outputs.critical, .outputs.high, .outputs.medium, .outputs.low, .outputs.unknown, .outputs.suppressed] | all(test("^[0-9]+$"))'
expect "an ::error:: says a policy failed the image" annotated error "a policy failed"
expect "the scan step succeeded and the gate step failed" steps_are Scan success Gate failure
expect "the JSON report is in the workspace" workspace_file portcullis-report.json
expect "the SARIF report is SARIF 2.1.0 with the smallvec CVE as an error (before SARIF support: a warning)" sarif_ok
expect "the step summary is portcullis's Markdown (before Markdown support: the action's table)" summary_ok fail
expect "the count outputs equal the report's summary object (when it has one)" counts_match_report
expect "the action output portcullis is the binary on PATH" output_is portcullis "$(realpath "$PORTCULLIS_BIN")"
expect "the layer cache step ran, pinned, on RUNNER_TEMP/portcullis/layers" has \
  --arg path "$SHARED_TEMP/portcullis/layers" \
  '[.uses[] | select(.uses | test("^actions/cache@[0-9a-f]{40}$"))] | length == 1 and .[0].with.path == $path'
expect "the DB cache and update steps were skipped (db given)" \
  steps_are "Restore the vulnerability DB" skipped "Update the vulnerability DB" skipped

act fail-mode-report "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB" -i fail-mode=report
expect "the job succeeds" result_is success
expect "verdict is still fail" output_is verdict fail
expect "critical count >= 1" output_at_least critical 1
expect "a ::warning:: says the policy failed" annotated warning "fail-mode is \`report\`"

act fail-on-none "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB" -i fail-on=none
expect "the job succeeds" result_is success
expect "verdict is pass or warn, exit-code 0" has '(.outputs.verdict == "pass" or .outputs.verdict == "warn") and .outputs["exit-code"] == "0"'
expect "the counts do not depend on the gate (critical >= 1)" output_at_least critical 1
expect "no ::error::" not_annotated error

act missing-image "$ACTION" "${ON_PATH[@]}" -i "image=$TMP/does-not-exist.tar" -i "db=$DB" -i fail-mode=report
expect "the job fails, even under fail-mode report" result_is failure
expect "verdict is error, exit-code 2" has '.outputs.verdict == "error" and .outputs["exit-code"] == "2"'
expect "an ::error:: explains the input error" annotated error "usage or input error (exit 2)"
expect "portcullis's own message names the missing file" logged "does-not-exist.tar"
expect "the step summary is not empty" has '.summary | length > 0'

printf '[scan]\ndb-max-age = "1s"\n' > "$TMP/stale-db.toml"
sleep 1 # the DB, built at the start, is now past that limit
act stale-db "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB" -i "config=$TMP/stale-db.toml" -i fail-mode=report
expect "the job fails, even under fail-mode report" result_is failure
expect "verdict is error, exit-code 3" has '.outputs.verdict == "error" and .outputs["exit-code"] == "3"'
expect "an ::error:: says the gate could not decide" annotated error "could not decide"
expect "portcullis's own message says the DB is too old" logged "past the 1s limit"

act policies "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB" -i fail-mode=report \
  -i $'policy=builtin:severity-gate\n   builtin:known-exploited  \n\n' -i $'set=\nfail-on=none\n'
report_policies() { jq -e "$1" "$(workspace_path portcullis-report.json)"; }
expect "the job succeeds (fail-mode report)" result_is success
expect "both policies ran, in order, one a line of the policy input" \
  report_policies '[.policies[].module] == ["builtin:severity-gate", "builtin:known-exploited"]'
expect "the set input reached the severity gate (fail-on=none: pass)" \
  report_policies '.policies[0].decision == "pass"'
expect "known-exploited failed the image, so the verdict is fail" \
  has '.outputs.verdict == "fail" and .outputs["exit-code"] == "1"'

# --- bad inputs (refused before anything runs) --------------------------------------------------

bad_input() { # bad_input NAME MESSAGE INPUTS...
  local name=$1 message=$2
  shift 2
  act "$name" "$ACTION" "${ON_PATH[@]}" -i "db=$DB" "$@"
  expect "the job fails with: $message" failed_with "$message"
  expect "nothing was scanned" step_is Scan skipped
}
bad_input empty-image "input \`image\` is required" -i image=
bad_input bad-fail-mode "input \`fail-mode\` must be" -i "image=$IMAGE" -i fail-mode=warn
bad_input bad-boolean "input \`upload-sarif\` must be \`true\` or \`false\`" -i "image=$IMAGE" -i upload-sarif=yes
bad_input missing-db "there is no DB file" -i "image=$IMAGE" -i "db=$TMP/no.db"

# --- the DB: update, cache hit, fallbacks ---------------------------------------------------------

act db-update "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i fail-on=none -i "db-mirror=$SHARED/vulndb/osv"
expect "the job succeeds" result_is success
expect "the DB update step ran" step_is "Update the vulnerability DB" success
expect "the DB was built in RUNNER_TEMP/portcullis/db" test -s "$SHARED_TEMP/portcullis/db/portcullis.db"
expect "the DB cache step is pinned, keyed by the day, on that folder" has \
  --arg path "$SHARED_TEMP/portcullis/db" --arg key "portcullis-db-Linux-$TODAY" \
  'any(.uses[]; (.uses | test("^actions/cache@[0-9a-f]{40}$")) and .with.path == $path and .with.key == $key and .with["restore-keys"] == "portcullis-db-Linux-")'
expect "critical count >= 1" output_at_least critical 1

act db-cache-hit "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i fail-on=none -i "db-mirror=$TMP/no-such-mirror" \
  --step-output db-cache.cache-hit=true
expect "the job succeeds without updating (its mirror does not exist)" result_is success
expect "the log says the cached DB is used" logged "using the DB restored from today's cache"

act db-update-fails-cached "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i fail-on=none -i "db-mirror=$TMP/no-such-mirror"
expect "the job succeeds on yesterday's DB" result_is success
expect "a ::warning:: says the update failed" annotated warning "\`portcullis db update\` failed; scanning with the DB restored"

act db-update-fails-empty "$ACTION" --runner-temp "$TMP/empty-runner-temp" --path-prepend "$TMP/path-bin" \
  -i version=path -i "image=$IMAGE" -i "db-mirror=$TMP/no-such-mirror" -i fail-mode=report
expect "the job fails without any DB, even under fail-mode report" result_is failure
expect "an ::error:: says there is no DB" annotated error "no cached DB was restored"
expect "nothing was scanned" step_is Scan skipped

# --- publishing, through a stub for `portcullis github` ---------------------------------------------

mkdir -p "$TMP/stub-bin"
cat > "$TMP/stub-bin/portcullis" << EOF
#!/usr/bin/env bash
# A portcullis whose \`github\` commands only record their arguments and environment.
if [ "\${1:-}" = github ]; then
  { printf 'args:'; printf ' %s' "\$@"; printf '\n'; env | grep -E '^GITHUB_(TOKEN|REPOSITORY|SHA|REF|API_URL)=' | sort; } >> "\$STUB_LOG"
  exit 0
fi
exec "$PORTCULLIS_BIN" "\$@"
EOF
chmod +x "$TMP/stub-bin/portcullis"
STUB_LOG="$TMP/stub.log"
stub_saw() { grep -qE -- "$1" "$STUB_LOG"; }
stub_saw_all() {
  local pattern
  for pattern in "$@"; do stub_saw "$pattern" || return 1; done
}

act comment "$ACTION" --runner-temp "$SHARED_TEMP" --path-prepend "$TMP/stub-bin" -i version=path \
  -i "image=$IMAGE" -i "db=$DB" -i comment=true --github-token fake-token --env "STUB_LOG=$STUB_LOG"
expect "the job fails on the verdict, after publishing" result_is failure
expect "the publish step ran and succeeded" step_is "Publish to GitHub" success
expect "\`portcullis github comment\` got the JSON report" stub_saw '^args: github comment portcullis-report.json$'
expect "it got the github-token input as GITHUB_TOKEN" stub_saw '^GITHUB_TOKEN=fake-token$'
expect "it got GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_REF" stub_saw_all '^GITHUB_REPOSITORY=' '^GITHUB_SHA=' '^GITHUB_REF='

: > "$STUB_LOG"
act upload-sarif "$ACTION" --runner-temp "$SHARED_TEMP" --path-prepend "$TMP/stub-bin" -i version=path \
  -i "image=$IMAGE" -i "db=$DB" -i fail-on=none -i upload-sarif=true -i sarif-category=images \
  --github-token fake-token --env "STUB_LOG=$STUB_LOG"
if [ "$HAS_SARIF" = yes ]; then
  expect "the job succeeds" result_is success
  expect "\`portcullis github upload-sarif\` got the SARIF file and category" stub_saw '^args: github upload-sarif portcullis.sarif --category images$'
else
  echo "  (this portcullis cannot write SARIF yet: checking that upload-sarif fails closed)"
  expect "the job fails: upload-sarif was asked for and there is no SARIF" result_is failure
  expect "an ::error:: says no SARIF report was written" annotated error "wrote no SARIF report to upload"
fi

# --- installing a release ---------------------------------------------------------------------------

VERSION=$("$PORTCULLIS_BIN" --version | awk 'NR == 1 { print $2 }')
case $(uname -m) in
  x86_64) TARGET=x86_64-unknown-linux-gnu ARCH=X64 ;;
  aarch64) TARGET=aarch64-unknown-linux-gnu ARCH=ARM64 ;;
  *) echo "test.sh: no release target for $(uname -m)" >&2; exit 2 ;;
esac
ASSET="portcullis-$VERSION-$TARGET.tar.gz"
mkdir -p "$TMP/release/v$VERSION" "$TMP/package/portcullis-$VERSION-$TARGET"
cp "$PORTCULLIS_BIN" "$TMP/package/portcullis-$VERSION-$TARGET/portcullis"
tar -C "$TMP/package" -cf - "portcullis-$VERSION-$TARGET" | gzip -1 > "$TMP/release/v$VERSION/$ASSET"
rm -rf "$TMP/package"
SUM=$(sha256sum "$TMP/release/v$VERSION/$ASSET" | cut -d' ' -f1)
for variant in good bad; do
  mkdir -p "$TMP/action-$variant"
  cp "$ACTION"/* "$TMP/action-$variant/"
done
printf '%s  %s\n' "$SUM" "$ASSET" >> "$TMP/action-good/checksums.txt"
printf '%s  %s\n' "$(printf 'not the release' | sha256sum | cut -d' ' -f1)" "$ASSET" >> "$TMP/action-bad/checksums.txt"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server --bind 127.0.0.1 --directory "$TMP/release" "$PORT" > "$TMP/http.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2> /dev/null && break
  sleep 0.1
done
echo "  serving $ASSET on 127.0.0.1:$PORT"
INSTALL=(--runner-temp "$SHARED_TEMP" --env "PATH=$PLAIN_PATH" --env "RUNNER_ARCH=$ARCH"
         --env "no_proxy=127.0.0.1" --env "NO_PROXY=127.0.0.1"
         -i "download-url=http://127.0.0.1:$PORT/v{version}/{asset}" -i "version=$VERSION"
         -i "image=$IMAGE" -i "db=$DB")

act install "$TMP/action-good" "${INSTALL[@]}" -i fail-on=none
expect "the job succeeds with the downloaded binary" result_is success
expect "the install step checked the sha256" logged "sha256 $SUM matches checksums.txt"
expect "the binary it ran was installed under RUNNER_TEMP" output_is portcullis "$SHARED_TEMP/portcullis/install/bin/portcullis"
expect "the server was asked for the release asset" grep -q "GET /v$VERSION/$ASSET" "$TMP/http.log"
expect "verdict is pass or warn" output_in verdict "pass warn"

act install-bad-checksum "$TMP/action-bad" "${INSTALL[@]}"
expect "the job fails" result_is failure
expect "an ::error:: says the checksum does not match" annotated error "checksum mismatch for \`$ASSET\`"
expect "the install step failed and nothing was scanned" steps_are "Install portcullis" failure Scan skipped
expect "the rejected binary was not left installed" test ! -e "$SHARED_TEMP/portcullis/install/bin/portcullis"

act install-unknown-version "$TMP/action-good" "${INSTALL[@]}" -i version=99.0.0
expect "the job fails" result_is failure
expect "an ::error:: says the version is unknown to the action" annotated error "portcullis \`99.0.0\` for \`$TARGET\` is unknown to this action"

act version-path-missing "$ACTION" --runner-temp "$SHARED_TEMP" --env "PATH=$PLAIN_PATH" -i version=path -i "image=$IMAGE" -i "db=$DB"
expect "the job fails" result_is failure
expect "an ::error:: says there is no portcullis on PATH" annotated error "there is no \`portcullis\` on PATH"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
