#!/usr/bin/env bash
# jenkins-plugin/tests/setup.sh -- install what the Jenkins shared library's
# tests need, quietly and only when missing (safe to run again):
#   * Debian's `groovy` (2.4, the Groovy line Jenkins Pipeline runs) for the
#     harness that loads vars/portcullisScan.groovy with stub pipeline steps;
#   * `npm-groovy-lint` (CodeNarc, run with Debian's default JRE), pinned and
#     installed under target/wrappers/jenkins/npm, never globally.
# Needs root for apt. Prints nothing on success unless something was installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# 16.2.0 is the newest release whose `engines` accepts Node 20 (Debian 12's
# machine image ships nodejs 20; 17.x and 18.x want Node >= 22).
NPM_GROOVY_LINT_VERSION=16.2.0
NPM_PREFIX="$PWD/target/wrappers/jenkins/npm"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# apt: another apt run may hold the lock (e.g. an install started elsewhere);
# DPkg::Lock::Timeout makes apt wait for it instead of failing.
apt_install() {
  local apt=(apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@")
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" > target/wrappers/jenkins/apt.log 2>&1 \
    || { apt-get -o DPkg::Lock::Timeout=600 update -q >> target/wrappers/jenkins/apt.log 2>&1 \
         && DEBIAN_FRONTEND=noninteractive "${apt[@]}" >> target/wrappers/jenkins/apt.log 2>&1; } \
    || { cat target/wrappers/jenkins/apt.log >&2; exit 1; }
}

mkdir -p target/wrappers/jenkins
missing=()
installed groovy || missing+=(groovy)
# Groovy and CodeNarc (inside npm-groovy-lint) run on Debian's default JRE,
# /usr/lib/jvm/default-java, whatever other `java` is on the PATH.
installed default-jre-headless || missing+=(default-jre-headless)
command -v npm > /dev/null \
  || { echo "jenkins setup: npm (Node.js >= 20) is needed for npm-groovy-lint" >&2; exit 1; }
if [ ${#missing[@]} -gt 0 ]; then
  echo "jenkins setup: apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
fi

lint="$NPM_PREFIX/node_modules/.bin/npm-groovy-lint"
have=$(node -p "require('$NPM_PREFIX/node_modules/npm-groovy-lint/package.json').version" 2>/dev/null || true)
if [ ! -x "$lint" ] || [ "$have" != "$NPM_GROOVY_LINT_VERSION" ]; then
  echo "jenkins setup: npm install npm-groovy-lint@$NPM_GROOVY_LINT_VERSION under $NPM_PREFIX"
  mkdir -p "$NPM_PREFIX"
  npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --no-save --loglevel=error \
    "npm-groovy-lint@$NPM_GROOVY_LINT_VERSION" > target/wrappers/jenkins/npm.log 2>&1 \
    || { cat target/wrappers/jenkins/npm.log >&2; exit 1; }
fi
