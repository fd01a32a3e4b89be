#!/usr/bin/env bash
# action/publish.sh -- upload the SARIF report and/or comment the result, as asked.
#
# Runs after scan.sh whatever the verdict, before gate.sh, so a failing image
# still shows in code scanning and on the pull request. `portcullis github …`
# reads GITHUB_TOKEN (the `github-token` input) and the GITHUB_API_URL,
# GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_REF that Actions sets.
#
# upload-sarif: `portcullis github upload-sarif` uploads SARIF_FILE and waits
# until code scanning has processed it. comment: `portcullis github comment`
# posts the scan's Markdown summary (SUMMARY_FILE) on the pull request, or
# updates the comment an earlier run left there; on an event whose GITHUB_REF
# is not `refs/pull/N/...` there is no pull request, and the comment is
# skipped with a notice. A publication that was asked for, and could be made,
# and fails fails the step.
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${PORTCULLIS_EXE:?PORTCULLIS_EXE is not set}"
require_bool upload-sarif "${INPUT_UPLOAD_SARIF:-}"
require_bool comment "${INPUT_COMMENT:-}"

comment=$INPUT_COMMENT
if [ "$comment" = true ] && ! [[ ${GITHUB_REF:-} =~ ^refs/pull/[0-9]+(/|$) ]]; then
  gh_notice "\`comment\`: \`${GITHUB_REF:-}\` is not a pull request ref (\`refs/pull/N/...\`), so there is no pull request to comment on; skipping the comment"
  comment=false
fi
if [ "$INPUT_UPLOAD_SARIF" = false ] && [ "$comment" = false ]; then
  exit 0
fi
[ -n "${GITHUB_TOKEN:-}" ] \
  || die "input \`github-token\` is empty: \`upload-sarif\` and \`comment\` need a token (the default is the job's \`github.token\`)"

status=0
if [ "$INPUT_UPLOAD_SARIF" = true ]; then
  if [ -z "${SARIF_FILE:-}" ]; then
    gh_error "\`upload-sarif\`: the scan wrote no SARIF report to upload (see the scan step)"
    status=1
  else
    args=(github upload-sarif "$SARIF_FILE")
    if [ -n "${INPUT_SARIF_CATEGORY:-}" ]; then args+=(--category "$INPUT_SARIF_CATEGORY"); fi
    "$PORTCULLIS_EXE" "${args[@]}" \
      || { gh_error "\`portcullis github upload-sarif\` failed: the upload was refused (does the job have \`security-events: write\`?) or code scanning could not process it; see this step's log"; status=1; }
  fi
fi
if [ "$comment" = true ]; then
  if [ -z "${SUMMARY_FILE:-}" ]; then
    gh_error "\`comment\`: the scan wrote no Markdown summary to comment (see the scan step)"
    status=1
  else
    "$PORTCULLIS_EXE" github comment "$SUMMARY_FILE" \
      || { gh_error "\`portcullis github comment\` failed (does the job have \`pull-requests: write\`?)"; status=1; }
  fi
fi
exit "$status"
