#!/usr/bin/env bash
# tests/wrappers/action/setup.sh -- install what test.sh needs, idempotently and quietly.
#
# Debian: jq, curl, tar (the action's own needs, as on a GitHub runner) and
#         the script linter ShellCheck (package shellcheck).
# PyPI:   PyYAML (run_action.py), check-jsonschema (the action-metadata schema),
#         zizmor (GitHub Actions security audit); pinned to versions checked here.
# Needs root for apt, as tests/run.sh does.
set -euo pipefail

PIP_PACKAGES=(PyYAML==6.0.3 check-jsonschema==0.39.0 zizmor==1.32.0)
APT_PACKAGES=(jq curl tar shellcheck)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null \
    || { apt-get update -qq > /dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null; }
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
