#!/usr/bin/env bash
# action/gate.sh -- the action's last step: turn the scan's exit code into the job's result.
#
#   0  pass or warn          -> success
#   1  a policy failed       -> failure, or success under fail-mode `report`
#   2  usage or input error  -> failure, always
#   3  the gate could not decide (DB missing or stale, partial analysis,
#      policy error)         -> failure, always
#   anything else, or exit 0 without a pass/warn verdict -> failure (fail closed)
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

image=${INPUT_IMAGE:-}
verdict=${VERDICT:-}
counts=${COUNTS:-}

case ${SCAN_EXIT:-} in
  0)
    case $verdict in
      pass) echo "portcullis: \`$image\` passed ($counts)" ;;
      warn) gh_warning "\`$image\` passed with warnings ($counts)" ;;
      *) die "portcullis exited 0 but its verdict is \`$verdict\`, not pass or warn: failing closed" ;;
    esac
    ;;
  1)
    if [ "${INPUT_FAIL_MODE:-}" = report ]; then
      gh_warning "a policy failed \`$image\` ($counts); fail-mode is \`report\`, so the job goes on with verdict \`$verdict\`"
    else
      die "a policy failed \`$image\` ($counts); see the scan step for the findings"
    fi
    ;;
  2)
    die "portcullis could not scan \`$image\`: usage or input error (exit 2); the scan step's log says what was wrong"
    ;;
  3)
    die "the gate could not decide on \`$image\` (exit 3): the vulnerability DB is missing or stale, part of the target could not be analysed, or a policy errored; the scan step's log says which"
    ;;
  '')
    die "the scan step recorded no exit code: failing closed"
    ;;
  *)
    die "portcullis scan exited with \`$SCAN_EXIT\` (crashed or killed?): failing closed"
    ;;
esac
