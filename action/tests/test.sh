#!/usr/bin/env bash
# action/tests/test.sh -- check the composite GitHub Action in action/.
#
# Static: the metadata against GitHub's action schema (check-jsonschema),
# zizmor's audit (no template injection, unpinned uses and the rest of its
# regular persona), the harness's own rules (run_action.py: SHA-pinned uses
# with a version comment, no `${{ }}` in run:, known inputs and step ids),
# ShellCheck on every script, and the checksums.txt format. Each of zizmor, the
# harness and the SARIF multitool is also shown to catch a planted mistake.
#
# Dynamic: run_action.py runs the action's steps as a runner would against
# the debian-app fixture, with a DB built from $SHARED's OSV and KEV copies:
# the default gate (its SARIF checked by Microsoft's SARIF multitool with
# GitHub's rules), fail-mode report, fail-on none, bad inputs, the DB update
# and cache paths, publishing with the real `portcullis github` against a fake
# GitHub REST API on 127.0.0.1 (fake_github.py, which records every request),
# and the release install from a loopback HTTP server with right and wrong
# checksums.
#
# Env: PORTCULLIS_BIN (the built binary), PORTCULLIS_FIXTURES (holds
# debian-app.oci.tar), SHARED (holds vulndb/), and optionally
# PORTCULLIS_SARIF_MULTITOOL (default: the one setup.sh installs under
# target/tools). Runs setup.sh first. Prints one line per check and ends with
# `N passed, N failed`; exits 1 on any failure.
# The jq programs are single-quoted on purpose:
# shellcheck disable=SC2016
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
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
MULTITOOL=${PORTCULLIS_SARIF_MULTITOOL:-$REPO/target/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool}
[ -x "$MULTITOOL" ] || { echo "test.sh: the SARIF multitool \`$MULTITOOL\` is missing (setup.sh installs it)" >&2; exit 2; }
SCRIPTS=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
ZIZMOR="$SCRIPTS/zizmor"
[ -x "$ZIZMOR" ] || ZIZMOR=$(command -v zizmor)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-action-test.XXXXXX")
SERVER_PIDS=()
cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
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
  jq -e '.outputs["sarif-file"] == "portcullis.sarif"' "$run_json" || return 1
  jq -e '.version == "2.1.0" and (.runs | length) == 1 and (.runs[0].tool.driver.name | length) > 0
         and any(.runs[0].results[]; .ruleId == "CVE-2021-25900" and .level == "error")' \
    "$(workspace_path portcullis.sarif)"
}
# multitool_errors FILE: run Microsoft's SARIF multitool on FILE with GitHub's
# rules and the SARIF ones, and print the results of level error, one a line.
# SARIF2006 (UrisShouldBeReachable, a note-level rule) is turned off: it would
# try to fetch every helpUri, and this machine reaches no such host.
multitool_errors() {
  local out="$TMP/multitool.sarif"
  rm -f "$out"
  "$MULTITOOL" validate --rule-kind "Gh;Sarif" --config "$MULTITOOL_CONFIG" --log ForceOverwrite \
    -o "$out" "$1" > "$TMP/multitool.log" 2>&1 || { cat "$TMP/multitool.log"; return 1; }
  jq -e '.runs[0].invocations[0].executionSuccessful == true' "$out" > /dev/null \
    || { echo "the multitool did not finish its run"; cat "$TMP/multitool.log"; return 1; }
  jq -r '.runs[].results[]? | select(.level == "error") | "\(.ruleId): \(.message.arguments // [] | join(", "))"' "$out"
}
sarif_valid() {
  multitool_errors "$1" > "$TMP/multitool.errors" || { cat "$TMP/multitool.errors"; return 1; }
  cat "$TMP/multitool.errors"
  [ ! -s "$TMP/multitool.errors" ]
}
multitool_flags() { multitool_errors "$1" > "$TMP/multitool.errors" && grep -F -- "$2" "$TMP/multitool.errors"; }
summary_ok() {
  # The step summary is portcullis's own Markdown, whole, and summary-file names it.
  jq -e --rawfile markdown "$SHARED_TEMP/portcullis/summary.md" --arg file "$SHARED_TEMP/portcullis/summary.md" \
    '($markdown | startswith("<!-- portcullis-summary: ")) and (.summary | contains($markdown))
     and (.summary | contains("### Portcullis:") | not) and .outputs["summary-file"] == $file' "$run_json"
}
# counts_match_report: the count outputs equal the report's `summary` object.
counts_match_report() {
  jq -e -s '.[0].outputs as $got | .[1].summary as $want
    | ["critical", "high", "medium", "low", "unknown", "suppressed"]
    | all($want[.] | type == "number") and all($got[.] == ($want[.] | tostring))' \
    "$run_json" "$(workspace_path portcullis-report.json)"
}
shellcheck_clean() { (cd "$REPO" && shellcheck -x action/*.sh action/tests/*.sh); }

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
MULTITOOL_CONFIG="$TMP/multitool-config.xml"
cat > "$MULTITOOL_CONFIG" << 'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
EOF
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
# The action is the files at its top level; its tests/ are not part of it.
copy_action() { find "$ACTION" -maxdepth 1 -type f -exec cp -t "$1" {} +; }
mkdir -p "$TMP/injected" "$TMP/unpinned"
copy_action "$TMP/injected"
cat >> "$TMP/injected/action.yml" << 'EOF'
    - name: Planted injection
      shell: bash
      run: echo "scanning ${{ inputs.image }}"
EOF
copy_action "$TMP/unpinned"
sed -i -E 's|actions/cache@[0-9a-f]{40}|actions/cache@v4|' "$TMP/unpinned/action.yml"
zizmor_flags() { ! "$ZIZMOR" --offline --no-progress "$1" > "$TMP/zizmor.out" 2>&1 && grep -q "$2" "$TMP/zizmor.out"; }
harness_refuses() { ! python3 "$HARNESS" "$1" --lint-only 2> "$TMP/lint.out" && grep -q "$2" "$TMP/lint.out"; }
expect "zizmor flags a planted \${{ inputs.image }} in run:" zizmor_flags "$TMP/injected/action.yml" template-injection
expect "zizmor flags a planted unpinned actions/cache@v4" zizmor_flags "$TMP/unpinned/action.yml" unpinned-uses
expect "the harness refuses a planted \${{ }} in run:" harness_refuses "$TMP/injected" "inside run:"
expect "the harness refuses a planted unpinned uses:" harness_refuses "$TMP/unpinned" "not pinned"

if command -v shellcheck > /dev/null; then
  expect "shellcheck passes on action/*.sh and action/tests/*.sh" shellcheck_clean
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

act default-gate "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB" -i "cache-key=the action tests cache key"
expect "the job fails" result_is failure
expect "verdict is fail, exit-code 1" has '.outputs.verdict == "fail" and .outputs["exit-code"] == "1"'
expect "critical count >= 1 (smallvec)" output_at_least critical 1
expect "every count output is a number" has '[.outputs.critical, .outputs.high, .outputs.medium, .outputs.low, .outputs.unknown, .outputs.suppressed] | all(test("^[0-9]+$"))'
expect "an ::error:: says a policy failed the image" annotated error "a policy failed"
expect "the scan step succeeded and the gate step failed" steps_are Scan success Gate failure
expect "the JSON report is in the workspace" workspace_file portcullis-report.json
expect "the SARIF report is SARIF 2.1.0 with the smallvec CVE as an error" sarif_ok
expect "the SARIF multitool (rules Gh;Sarif) finds no error in it" sarif_valid "$(workspace_path portcullis.sarif)"
jq 'del(.runs[0].results[0].message)' "$(workspace_path portcullis.sarif)" > "$TMP/planted.sarif"
expect "the SARIF multitool flags a planted result without a message" \
  multitool_flags "$TMP/planted.sarif" "JSON1002: runs[0].results[0], message"
expect "the step summary is portcullis's Markdown, and summary-file names it" summary_ok
expect "the count outputs equal the report's summary object" counts_match_report
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

# go-symbols=ignore: CVE-2023-39325 (KEV) is in x/net/http2, whose code is
# not linked into debian-app's Go binary, so only then does known-exploited count it.
act policies "$ACTION" "${ON_PATH[@]}" -i "image=$IMAGE" -i "db=$DB" -i fail-mode=report \
  -i $'policy=builtin:severity-gate\n   builtin:known-exploited  \n\n' -i $'set=\nfail-on=none\ngo-symbols=ignore\n'
report_policies() { jq -e "$1" "$(workspace_path portcullis-report.json)"; }
expect "the job succeeds (fail-mode report)" result_is success
expect "both policies ran, in order, one a line of the policy input" \
  report_policies '[.policies[].module] == ["builtin:severity-gate", "builtin:known-exploited"]'
expect "the set input reached the severity gate (fail-on=none: no fail-on violation)" \
  report_policies '.policies[0].decision != "fail" and ([.policies[0].violations[].rule] | index("fail-on") == null)'
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

# --- publishing: the real `portcullis github` against a fake GitHub API ------------------------------

# start_server NAME COMMAND...: start a loopback server in the background; it
# writes its port to $TMP/NAME.port, which is where the caller reads it.
start_server() {
  local name=$1
  shift
  "$@" > "$TMP/$name.log" 2>&1 &
  SERVER_PIDS+=("$!")
  for _ in $(seq 100); do
    [ -s "$TMP/$name.port" ] && return 0
    sleep 0.1
  done
  echo "test.sh: $name did not start:" >&2
  cat "$TMP/$name.log" >&2
  exit 2
}
API_LOG="$TMP/github-api.jsonl"
start_server github-api python3 "$HERE/fake_github.py" --port-file "$TMP/github-api.port" --log "$API_LOG"
API="http://127.0.0.1:$(cat "$TMP/github-api.port")"
echo "  a fake GitHub API on $API"
API_REPO=/repos/portcullis-scanner/example
HARNESS_SHA=6b3f1a9c0d2e4f5a6b7c8d9e0f1a2b3c4d5e6f70 # run_action.py's GITHUB_SHA
PUBLISH=(--runner-temp "$SHARED_TEMP" --path-prepend "$TMP/path-bin" -i version=path -i "image=$IMAGE" -i "db=$DB"
         --github-token fake-token --env "GITHUB_API_URL=$API" --env "no_proxy=127.0.0.1" --env "NO_PROXY=127.0.0.1")

# requests_were "METHOD PATH[?QUERY]"...: the fake API got exactly these requests, in order.
requests_were() {
  jq -e -s '[.[] | .method + " " + .path + (if .query != "" then "?" + .query else "" end)] as $got
    | if $got == $ARGS.positional then true else ("got: \($got)\n" | halt_error(1)) end' --args "$@" < "$API_LOG"
}
# every_request_bearer TOKEN: each request had `Authorization: Bearer TOKEN` and GitHub's headers.
every_request_bearer() {
  jq -e -s --arg auth "Bearer $1" 'length > 0 and all(.[]; .headers.Authorization == $auth
    and .headers.Accept == "application/vnd.github+json" and (.headers["User-Agent"] | length) > 0)' "$API_LOG"
}
# request_json N JQ: JQ holds for the Nth request (0-based).
request_json() { jq -e -s --argjson n "$1" ".[\$n] | $2" "$API_LOG"; }
# response_id N: the id the fake API answered request N with.
response_id() { jq -s -r --argjson n "$1" '.[$n].response.id // "none"' "$API_LOG"; }
sarif_requests_ok() {
  requests_were "POST $API_REPO/code-scanning/sarifs" "GET $API_REPO/code-scanning/sarifs/$(response_id 0)"
}
upload_names_commit() {
  jq -e -s --arg sha "$HARNESS_SHA" \
    '.[0].body | .commit_sha == $sha and .ref == "refs/heads/main" and (.tool_name | length) > 0' "$API_LOG"
}
comment_is_summary() { # comment_is_summary N: request N's body is the scan's Markdown summary, whole
  jq -e -s --argjson n "$1" --rawfile markdown "$SHARED_TEMP/portcullis/summary.md" \
    '.[$n].body.body | . == $markdown and startswith("<!-- portcullis-summary: ")' "$API_LOG"
}
# uploaded_sarif: the SARIF log the upload request carried, base64 of gzip, decoded.
uploaded_sarif() {
  python3 - "$API_LOG" << 'EOF'
import base64, gzip, json, sys
for line in open(sys.argv[1]):
    request = json.loads(line)
    if request["method"] == "POST" and request["path"].endswith("/code-scanning/sarifs"):
        sys.stdout.write(gzip.decompress(base64.b64decode(request["body"]["sarif"], validate=True)).decode())
        sys.exit(0)
sys.exit("no SARIF upload request")
EOF
}
uploaded_sarif_ok() {
  uploaded_sarif > "$TMP/uploaded.sarif" || return 1
  jq -e --slurpfile written "$(workspace_path portcullis.sarif)" '.version == "2.1.0"
    and any(.runs[0].results[]; .ruleId == "CVE-2021-25900" and .level == "error")
    and (.runs[0].results | length) == ($written[0].runs[0].results | length)
    and (.runs[0].automationDetails.id | startswith("images/"))' "$TMP/uploaded.sarif"
}

: > "$API_LOG"
act comment "$ACTION" "${PUBLISH[@]}" -i comment=true --env GITHUB_REF=refs/pull/7/merge
expect "the job fails on the verdict, after publishing" result_is failure
expect "the publish step ran and succeeded" step_is "Publish to GitHub" success
expect "it listed PR #7's comments, then created one" requests_were \
  "GET $API_REPO/issues/7/comments?per_page=100&page=1" "POST $API_REPO/issues/7/comments"
expect "every request carried \`Authorization: Bearer <github-token>\` and GitHub's Accept header" every_request_bearer fake-token
expect "the comment is the scan's Markdown summary, marker line first" comment_is_summary 1
expect "the fake API created it (201)" request_json 1 '.status == 201'
comment_id=$(response_id 1)

: > "$API_LOG"
act comment-again "$ACTION" "${PUBLISH[@]}" -i comment=true --env GITHUB_REF=refs/pull/7/merge
expect "the publish step succeeded" step_is "Publish to GitHub" success
expect "a second run on PR #7 updates the first run's comment (PATCH), and creates none" requests_were \
  "GET $API_REPO/issues/7/comments?per_page=100&page=1" "PATCH $API_REPO/issues/comments/$comment_id"
expect "the update is the Markdown summary" comment_is_summary 1
expect "every request carried the token, and the fake API updated the comment (200)" \
  eval 'every_request_bearer fake-token && request_json 1 ".status == 200"'

: > "$API_LOG"
act comment-on-push "$ACTION" "${PUBLISH[@]}" -i comment=true --env GITHUB_REF=refs/heads/main
expect "the publish step succeeded: there is no pull request on a push" step_is "Publish to GitHub" success
expect "a ::notice:: says the comment was skipped" annotated notice "is not a pull request ref"
expect "nothing reached the API" requests_were

: > "$API_LOG"
act upload-sarif "$ACTION" "${PUBLISH[@]}" -i fail-on=none -i upload-sarif=true -i sarif-category=images
expect "the job succeeds" result_is success
expect "the publish step succeeded" step_is "Publish to GitHub" success
expect "it uploaded the SARIF, then asked for its processing status" sarif_requests_ok
expect "every request carried \`Authorization: Bearer <github-token>\`" every_request_bearer fake-token
expect "the upload names GITHUB_SHA, GITHUB_REF and the tool" upload_names_commit
expect "its sarif field (base64 of gzip) is the scan's SARIF 2.1.0 with the smallvec CVE, category images/" uploaded_sarif_ok

: > "$API_LOG"
act upload-sarif-not-processed "$ACTION" "${PUBLISH[@]}" -i fail-on=none -i upload-sarif=true \
  --env GITHUB_REPOSITORY=portcullis-scanner/processing-fails
expect "the job fails: code scanning could not process the upload" result_is failure
expect "the publish step failed" step_is "Publish to GitHub" failure
expect "an ::error:: says the upload failed" annotated error "\`portcullis github upload-sarif\` failed"
expect "portcullis's own message gives GitHub's processing error" logged "expected artifact location"

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
  copy_action "$TMP/action-$variant"
done
printf '%s  %s\n' "$SUM" "$ASSET" >> "$TMP/action-good/checksums.txt"
printf '%s  %s\n' "$(printf 'not the release' | sha256sum | cut -d' ' -f1)" "$ASSET" >> "$TMP/action-bad/checksums.txt"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server --bind 127.0.0.1 --directory "$TMP/release" "$PORT" > "$TMP/http.log" 2>&1 &
SERVER_PIDS+=("$!")
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
