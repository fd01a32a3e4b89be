#!/usr/bin/env bash
# action/db.sh -- bring the vulnerability DB at DB_PATH up to date.
#
# The DB cache's key holds the day, so an exact hit (DB_CACHE_HIT=true) is a DB
# built today and is used as is. Otherwise `portcullis db update` rebuilds it
# (from INPUT_DB_MIRROR's mirrors, one a line, when given). When the update
# fails but an older DB was restored, the scan goes on with a warning: the scan
# itself refuses (exit 3) a DB older than its --db-max-age.
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${PORTCULLIS_EXE:?PORTCULLIS_EXE is not set}"
: "${DB_PATH:?DB_PATH is not set}"

if [ "${DB_CACHE_HIT:-}" = true ] && [ -s "$DB_PATH" ]; then
  echo "using the DB restored from today's cache"
  echo "::group::portcullis db status"
  "$PORTCULLIS_EXE" db status --db "$DB_PATH"
  echo "::endgroup::"
  exit 0
fi

args=(db update --db "$DB_PATH")
while IFS= read -r mirror; do
  args+=(--mirror "$mirror")
done < <(each_line "${INPUT_DB_MIRROR:-}")

mkdir -p "$(dirname "$DB_PATH")"
if "$PORTCULLIS_EXE" "${args[@]}"; then
  exit 0
elif [ -s "$DB_PATH" ]; then
  gh_warning "\`portcullis db update\` failed; scanning with the DB restored from the cache (the scan refuses it if it is older than its --db-max-age)"
else
  die "\`portcullis db update\` failed and no cached DB was restored: the gate cannot decide without a vulnerability DB"
fi
