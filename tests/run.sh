#!/usr/bin/env bash
# tests/run.sh -- run Portcullis's whole test suite on a fresh Debian 12 machine.
#
# Installs the Debian packages the tests use (a real OCI registry, skopeo,
# htpasswd, and what the fixture builder needs), builds the shared fixture
# images once into target/fixture-images (cached by the builder's own stamp),
# then runs `cargo test`. Needs root for apt and the fixture build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SHARED="${PORTCULLIS_SHARED:-$(cd .. && pwd)/shared}"
# rustup's toolchain (the workspace needs Rust >= 1.89), ahead of Debian's
# own cargo 1.65, which the steps below install for the wasm32 policies.
[ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ] && export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
rust_minor=$(cargo --version 2>/dev/null | sed -n 's/^cargo 1\.\([0-9]*\).*/\1/p')
[ "${rust_minor:-0}" -ge 89 ] || {
  echo "needs rustup's stable Rust >= 1.89 on the PATH (found: $(cargo --version 2>&1 || true)); see README" >&2
  exit 2
}

PACKAGES=(docker-registry apache2-utils skopeo umoci debootstrap rpm jq golang-go
          # real Docker and Podman engines for the local-image tests (private sockets)
          docker.io podman
          golang-golang-x-net-dev ca-certificates time
          # the Go vulnerability oracle: golang.org/x/vuln's govulncheck (binary mode)
          govulncheck
          # Composer's own version parser, the answer key for Packagist versions
          composer
          # policies: Debian's rustc for wasm32-wasi, and clang with wasi-libc for the C example
          rustc cargo libstd-rust-dev-wasm32 lld clang wasi-libc libclang-rt-14-dev-wasm32
          # the Python tools' venv, and the Jenkins wrapper's JRE
          python3-venv default-jre-headless)
# Node.js with npm (the SARIF multitool, npm-groovy-lint): Debian's, unless the
# machine has one already (npm-groovy-lint wants Node >= 20).
command -v npm > /dev/null || PACKAGES+=(nodejs npm)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # Keep apt from starting the registry as a system service.
  added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  [ $added_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# From PyPI, into a venv of Debian's python3 that comes first on the PATH for
# everything below (cargo's tests and the wrappers' call `python3`).
VENV="$PWD/target/venv"
if ! cmp -s tests/requirements.txt "$VENV/requirements.txt"; then
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  cp tests/requirements.txt "$VENV/requirements.txt"
fi
export PATH="$VENV/bin:$PATH"

# The wheels the base-image test's child layer installs (cli/tests/origin.rs):
# a vulnerable Werkzeug and an idna that fixes the base's.
WHEELS=target/test-wheels
for wheel in idna==3.7 Werkzeug==0.15.0; do
  find "$WHEELS" -iname "${wheel%%==*}-${wheel##*==}-*.whl" 2> /dev/null | grep -q . \
    || "$VENV/bin/python3" -m pip download --quiet --disable-pip-version-check --no-deps \
         --only-binary :all: -d "$WHEELS" "$wheel"
done

# The JRE the Jenkins wrapper's Groovy and CodeNarc run on: Debian's default
# one, wherever another `java` may be on the PATH.
export JAVA_HOME=/usr/lib/jvm/default-java

# From npm: Microsoft's SARIF multitool validates SARIF with GitHub's rules.
MULTITOOL=target/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$MULTITOOL" ]; then
  mkdir -p target/tools
  npm install --silent --no-audit --no-fund --prefix target/tools @microsoft/sarif-multitool@5.7.0
  chmod u+x "$MULTITOOL"
fi

export PORTCULLIS_FIXTURES="${PORTCULLIS_FIXTURES:-$PWD/target/fixture-images}"
mkdir -p target
# The fixture images build while Rust compiles the tests (the builder's own
# stamp makes a second run a no-op), and must be there before any test runs.
bash "$SHARED/fixtures/build-images.sh" "$PORTCULLIS_FIXTURES" > target/fixture-build.log 2>&1 &
fixtures=$!
trap 'kill "$fixtures" 2> /dev/null || true' EXIT
cargo test --workspace --no-run
wait "$fixtures" || { cat target/fixture-build.log >&2; exit 1; }
trap - EXIT

cargo test --workspace

# The wrappers (GitHub Action, Jenkins library, TeamCity meta-runner), each
# tested with its CI's own tools over the binary just built.
cargo build -q
export PORTCULLIS_BIN="$PWD/target/debug/portcullis" SHARED
for wrapper in action jenkins-plugin teamcity; do
  bash "$wrapper/tests/setup.sh"
  bash "$wrapper/tests/test.sh"
done
