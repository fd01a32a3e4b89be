# shellcheck shell=bash
# action/lib.sh -- helpers shared by the action's step scripts (sourced, never run).
#
# Workflow commands (::error:: and friends) and $GITHUB_OUTPUT follow
# https://docs.github.com/actions/reference/workflow-commands-for-github-actions.
# Every value that reaches them may come from a user input, so messages are
# escaped (a newline in an image name must not start a new workflow command)
# and outputs are written with a random heredoc delimiter.

# gh_escape TEXT: TEXT with %, CR and LF escaped as a workflow command's message.
gh_escape() {
  local text=$1
  text=${text//'%'/'%25'}
  text=${text//$'\r'/'%0D'}
  text=${text//$'\n'/'%0A'}
  printf '%s' "$text"
}

gh_error() { printf '::error title=portcullis::%s\n' "$(gh_escape "$*")"; }
gh_warning() { printf '::warning title=portcullis::%s\n' "$(gh_escape "$*")"; }
gh_notice() { printf '::notice title=portcullis::%s\n' "$(gh_escape "$*")"; }

# die MESSAGE: annotate MESSAGE as an error and fail the step.
die() {
  gh_error "$*"
  exit 1
}

# set_output NAME VALUE: append one step output to $GITHUB_OUTPUT.
set_output() {
  local name=$1 value=$2 delimiter
  : "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this script as an action step}"
  delimiter="portcullis_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  if [[ $value == *"$delimiter"* ]]; then
    die "output \`$name\` contains its own delimiter"
  fi
  printf '%s<<%s\n%s\n%s\n' "$name" "$delimiter" "$value" "$delimiter" >> "$GITHUB_OUTPUT"
}

# require_bool NAME VALUE: fail unless VALUE is exactly `true` or `false`.
require_bool() {
  case $2 in
    true | false) ;;
    *) die "input \`$1\` must be \`true\` or \`false\`, not \`$2\`" ;;
  esac
}

# each_line TEXT: print TEXT's lines trimmed of surrounding blanks, skipping empty ones.
# Multi-value inputs (policy, set, db-mirror) take one value a line.
each_line() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    if [ -n "$line" ]; then printf '%s\n' "$line"; fi
  done <<< "$1"
}
