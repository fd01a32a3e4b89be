#!/usr/bin/env bash
# action/prepare.sh -- the action's first step: check the inputs that the later
# steps branch on, and lay out the action's working folders under $RUNNER_TEMP.
#
# Outputs: db (the DB file the scan uses), db-dir (what the DB cache keeps),
# cache-dir (the layer cache), work-dir, day (the cache keys' date, UTC).
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Composite actions do not enforce `required: true`, so check it here.
[ -n "${INPUT_IMAGE:-}" ] || die "input \`image\` is required: the image archive, OCI layout, registry reference, rootfs or \`dir:PATH\` to scan"
[ -n "${INPUT_SARIF_FILE:-}" ] || die "input \`sarif-file\` must not be empty"
[ -n "${INPUT_REPORT_FILE:-}" ] || die "input \`report-file\` must not be empty"
case ${INPUT_FAIL_MODE:-} in
  fail | report) ;;
  *) die "input \`fail-mode\` must be \`fail\` or \`report\`, not \`${INPUT_FAIL_MODE:-}\`" ;;
esac
require_bool upload-sarif "${INPUT_UPLOAD_SARIF:-}"
require_bool comment "${INPUT_COMMENT:-}"
require_bool cache "${INPUT_CACHE:-}"

: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this script as an action step}"
work_dir="$RUNNER_TEMP/portcullis"
layer_dir="$work_dir/layers"
mkdir -p "$work_dir" "$layer_dir"

if [ -n "${INPUT_DB:-}" ]; then
  [ -f "$INPUT_DB" ] || die "input \`db\`: there is no DB file at \`$INPUT_DB\`"
  db=$(realpath -- "$INPUT_DB")
  db_dir=""
else
  db_dir="$work_dir/db"
  db="$db_dir/portcullis.db"
  mkdir -p "$db_dir"
fi

set_output db "$db"
set_output db-dir "$db_dir"
set_output cache-dir "$layer_dir"
set_output work-dir "$work_dir"
set_output day "$(date -u +%Y-%m-%d)"
