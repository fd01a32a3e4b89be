#!/usr/bin/env bash
# action/tests/setup.sh -- install what test.sh needs, idempotently and quietly.
#
# Debian: jq, curl, tar (the action's own needs, as on a GitHub runner) and
#         the script linter ShellCheck (package shellcheck).
# PyPI:   PyYAML (run_action.py), check-jsonschema (the action-metadata schema),
#         zizmor (GitHub Actions security audit); pinned to versions checked here.
# npm:    Microsoft's SARIF multitool (@microsoft/sarif-multitool, pinned), under
#         target/tools as tests/run.sh installs it, unless it is there already
#         or PORTCULLIS_SARIF_MULTITOOL names another one. Needs the machine's npm.
# Needs root for apt, as tests/run.sh does.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

PIP_PACKAGES=(PyYAML==6.0.3 check-jsonschema==0.39.0 zizmor==1.32.0)
APT_PACKAGES=(jq curl tar shellcheck)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run may hold the lock; DPkg::Lock::Timeout makes apt wait for it.
  apt=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  "${apt[@]}" install --no-install-recommends "${missing[@]}" > /dev/null \
    || { "${apt[@]}" update > /dev/null && "${apt[@]}" install --no-install-recommends "${missing[@]}" > /dev/null; }
fi

# pip_has NAME==VERSION: whether that exact distribution is installed.
pip_has() {
  python3 - "$1" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
name, wanted = sys.argv[1].split("==")
sys.exit(0 if version(name) == wanted else 1)
EOF
}
want=()
for requirement in "${PIP_PACKAGES[@]}"; do
  pip_has "$requirement" || want+=("$requirement")
done
if [ ${#want[@]} -gt 0 ]; then
  pip_install=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
  # A Debian-managed python3 refuses (PEP 668) what a pyenv one takes.
  "${pip_install[@]}" "${want[@]}" 2> /dev/null \
    || "${pip_install[@]}" --break-system-packages "${want[@]}"
fi

MULTITOOL_VERSION=5.7.0
MULTITOOL="$REPO/target/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ -z "${PORTCULLIS_SARIF_MULTITOOL:-}" ] && [ ! -x "$MULTITOOL" ]; then
  command -v npm > /dev/null \
    || { echo "action setup: npm (Node.js) is needed to install the SARIF multitool" >&2; exit 1; }
  mkdir -p "$REPO/target/tools"
  npm install --silent --no-audit --no-fund --prefix "$REPO/target/tools" "@microsoft/sarif-multitool@$MULTITOOL_VERSION"
  chmod u+x "$MULTITOOL"
fi
