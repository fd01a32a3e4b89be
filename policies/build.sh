#!/usr/bin/env bash
# policies/build.sh [--check] -- build the built-in policies to wasm32-wasi
# with Debian's rustc 1.63 from the vendored sources, and copy them to dist/,
# which the portcullis binary embeds. With --check, fail if dist/ is stale.
#
# Needs: apt-get install rustc cargo libstd-rust-dev-wasm32 lld
# The build is reproducible: paths are remapped to /policies.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
RUSTFLAGS="--remap-path-prefix=$PWD=/policies" RUSTC=/usr/bin/rustc \
  /usr/bin/cargo build --offline --release --target wasm32-wasi --quiet
status=0
for built in target/wasm32-wasi/release/*.wasm; do
  name=$(basename "$built")
  if [ "${1:-}" = "--check" ]; then
    if ! cmp -s "$built" "dist/$name"; then
      echo "policies/dist/$name is stale: run policies/build.sh and commit it" >&2
      status=1
    fi
  else
    cp "$built" "dist/$name"
  fi
done
exit $status
