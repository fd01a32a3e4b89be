#!/usr/bin/env bash
# teamcity/tests/setup.sh -- install what the TeamCity wrapper's
# tests need, quietly and only when missing (safe to run again):
#   * Debian's `shellcheck`, which lints the meta-runner's script and the
#     Kotlin DSL example's script step;
#   * from PyPI, `tree-sitter` and `tree-sitter-kotlin` (pinned), which parse
#     teamcity/settings.kts (TeamCity's own DSL compiler needs the server's
#     Maven repository, which these machines cannot reach).
# bash, awk, xargs and python3 are on every Debian machine already.
# Needs root for apt. Prints nothing on success unless something was installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

TREE_SITTER_VERSION=0.26.1
TREE_SITTER_KOTLIN_VERSION=1.1.0

mkdir -p target/wrappers
if ! command -v shellcheck > /dev/null; then
  echo "teamcity setup: apt-get install shellcheck"
  # Another apt run may hold the lock; DPkg::Lock::Timeout makes apt wait.
  apt=(apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends shellcheck)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" > target/wrappers/teamcity-apt.log 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -q >> target/wrappers/teamcity-apt.log 2>&1 \
         && DEBIAN_FRONTEND=noninteractive "${apt[@]}" >> target/wrappers/teamcity-apt.log 2>&1; } \
    || { cat target/wrappers/teamcity-apt.log >&2; exit 1; }
fi

have=$(python3 - <<'EOF' 2>/dev/null || true
from importlib.metadata import version
import tree_sitter, tree_sitter_kotlin
tree_sitter.Parser(tree_sitter.Language(tree_sitter_kotlin.language()))
print(version("tree-sitter"), version("tree-sitter-kotlin"))
EOF
)
if [ "$have" != "$TREE_SITTER_VERSION $TREE_SITTER_KOTLIN_VERSION" ]; then
  echo "teamcity setup: pip install tree-sitter==$TREE_SITTER_VERSION tree-sitter-kotlin==$TREE_SITTER_KOTLIN_VERSION"
  pip_install=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore
               "tree-sitter==$TREE_SITTER_VERSION" "tree-sitter-kotlin==$TREE_SITTER_KOTLIN_VERSION")
  # A Debian-managed python3 refuses (PEP 668) what a pyenv one takes.
  "${pip_install[@]}" > target/wrappers/teamcity-pip.log 2>&1 \
    || "${pip_install[@]}" --break-system-packages >> target/wrappers/teamcity-pip.log 2>&1 \
    || { cat target/wrappers/teamcity-pip.log >&2; exit 1; }
fi
