#!/usr/bin/env bash
# action/scan.sh -- run `portcullis scan` once and record what it decided.
#
# Writes the JSON report (INPUT_REPORT_FILE), the SARIF report (INPUT_SARIF_FILE)
# and the Markdown summary, appends the summary to $GITHUB_STEP_SUMMARY, and
# sets the outputs verdict, exit-code, critical, high, medium, low, unknown,
# suppressed, counts, sarif-file and report-file. It exits 0 whatever the scan
# decided, so that publish.sh can still upload a failing report: gate.sh turns
# exit-code into the job's result.
#
# The counts come from the report's findings[] (unsuppressed, per severity), so
# they do not depend on the report's newer `summary` object. A portcullis that
# cannot write SARIF or Markdown yet (its `scan --help` does not name them) gets
# a warning instead, and the action writes a small summary of its own.
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${PORTCULLIS_EXE:?PORTCULLIS_EXE is not set}"
: "${DB_PATH:?DB_PATH is not set}"
: "${WORK_DIR:?WORK_DIR is not set}"
: "${INPUT_IMAGE:?input \`image\` is required}"
: "${INPUT_SARIF_FILE:?INPUT_SARIF_FILE is not set}"
: "${INPUT_REPORT_FILE:?INPUT_REPORT_FILE is not set}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set: run this script as an action step}"

sarif_file=$INPUT_SARIF_FILE
report_file=$INPUT_REPORT_FILE
markdown_file="$WORK_DIR/summary.md"

scan_help=$("$PORTCULLIS_EXE" scan --help 2>&1) || scan_help=""
# can_write FORMAT: whether this portcullis's `scan --output` knows FORMAT.
can_write() {
  grep -Eq "(^|[^[:alnum:]_-])$1([^[:alnum:]_-]|$)" <<< "$scan_help"
}

args=(scan "$INPUT_IMAGE" --db "$DB_PATH" --format table --output "json=$report_file")
if [ -n "${LAYER_CACHE_DIR:-}" ]; then args+=(--cache-dir "$LAYER_CACHE_DIR"); fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then args+=(--fail-on "$INPUT_FAIL_ON"); fi
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
if [ -n "${INPUT_DOCKERFILE:-}" ]; then args+=(--dockerfile "$INPUT_DOCKERFILE"); fi
while IFS= read -r policy; do
  args+=(--policy "$policy")
done < <(each_line "${INPUT_POLICY:-}")
while IFS= read -r setting; do
  args+=(--set "$setting")
done < <(each_line "${INPUT_SET:-}")
if can_write sarif; then
  args+=(--output "sarif=$sarif_file")
else
  gh_warning "this portcullis cannot write SARIF (its \`scan --output\` lacks \`sarif\`); no SARIF report is written"
fi
if can_write markdown; then
  args+=(--output "markdown=$markdown_file")
fi

# A report left by an earlier run must not pass for this run's.
rm -f -- "$report_file" "$sarif_file" "$markdown_file"
for file in "$report_file" "$sarif_file"; do
  mkdir -p -- "$(dirname -- "$file")"
done

printf '+ portcullis'
printf ' %q' "${args[@]}"
printf '\n'
set +e
"$PORTCULLIS_EXE" "${args[@]}"
exit_code=$?
set -e
echo "portcullis scan exited with $exit_code"

verdict=error
critical=0 high=0 medium=0 low=0 unknown=0 suppressed=0
if [ -s "$report_file" ] \
  && verdict=$(jq -er '.verdict | strings' "$report_file" 2>/dev/null) \
  && tallies=$(jq -er '
      [.findings[] | select(.suppressed == null) | .severity] as $open
      | (["critical", "high", "medium", "low", "unknown"]
         | map(. as $severity | $open | map(select(. == $severity)) | length))
        + [[.findings[] | select(.suppressed != null)] | length]
      | @tsv' "$report_file" 2>/dev/null); then
  read -r critical high medium low unknown suppressed <<< "$tallies"
else
  verdict=error
  gh_warning "portcullis wrote no readable JSON report to \`$report_file\`"
  report_file=""
fi
[ -s "$sarif_file" ] || sarif_file=""
counts="$critical critical, $high high, $medium medium, $low low, $unknown unknown, $suppressed suppressed"
echo "verdict: $verdict ($counts)"

# The step summary: portcullis's own Markdown when it wrote one, else a short table.
if [ -s "$markdown_file" ]; then
  cat -- "$markdown_file" >> "$GITHUB_STEP_SUMMARY"
else
  image_md=${INPUT_IMAGE//\`/\'}
  {
    printf '### Portcullis: %s\n\n' "$verdict"
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf 'Target `%s`, `portcullis scan` exit code %s.\n\n' "$image_md" "$exit_code"
    if [ -n "$report_file" ]; then
      printf '| critical | high | medium | low | unknown | suppressed |\n'
      printf '|---:|---:|---:|---:|---:|---:|\n'
      printf '| %s | %s | %s | %s | %s | %s |\n' "$critical" "$high" "$medium" "$low" "$unknown" "$suppressed"
    else
      printf 'No report was written: see the job log.\n'
    fi
  } >> "$GITHUB_STEP_SUMMARY"
fi

set_output verdict "$verdict"
set_output exit-code "$exit_code"
set_output critical "$critical"
set_output high "$high"
set_output medium "$medium"
set_output low "$low"
set_output unknown "$unknown"
set_output suppressed "$suppressed"
set_output counts "$counts"
set_output sarif-file "$sarif_file"
set_output report-file "$report_file"
