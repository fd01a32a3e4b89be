#!/usr/bin/env bash
# action/scan.sh -- run `portcullis scan` once and record what it decided.
#
# Writes the JSON report (INPUT_REPORT_FILE), the SARIF report (INPUT_SARIF_FILE)
# and the Markdown summary ($WORK_DIR/summary.md), appends the summary to
# $GITHUB_STEP_SUMMARY, and sets the outputs verdict, exit-code, critical, high,
# medium, low, unknown, suppressed, counts, sarif-file, report-file and
# summary-file (each file output empty when the scan did not write that file).
# It exits 0 whatever the scan decided, so that publish.sh can still upload a
# failing report: gate.sh turns exit-code into the job's result.
#
# The counts are the JSON report's `summary` object. When the scan ends in an
# error (exit 2 or 3) it writes no report and no summary: the counts are 0 and
# the action writes a short step summary of its own.
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

args=(scan "$INPUT_IMAGE" --db "$DB_PATH" --format table
      --output "json=$report_file" --output "sarif=$sarif_file" --output "markdown=$markdown_file")
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
      .summary | [.critical, .high, .medium, .low, .unknown, .suppressed]
      | if all(type == "number") then @tsv else error("summary counts are not numbers") end
    ' "$report_file" 2>/dev/null); then
  read -r critical high medium low unknown suppressed <<< "$tallies"
else
  verdict=error
  gh_warning "portcullis wrote no readable JSON report to \`$report_file\`"
  report_file=""
fi
[ -s "$sarif_file" ] || sarif_file=""
[ -s "$markdown_file" ] || markdown_file=""
counts="$critical critical, $high high, $medium medium, $low low, $unknown unknown, $suppressed suppressed"
echo "verdict: $verdict ($counts)"

# The step summary: portcullis's own Markdown when it wrote one (it does unless
# the scan ended in an error), else a short note of the action's own.
if [ -n "$markdown_file" ]; then
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
set_output summary-file "$markdown_file"
