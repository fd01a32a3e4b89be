#!/usr/bin/env bash
# demo/run.sh -- the quick start: build portcullis, import the OSV sample kept
# beside this script into a DB under target/, and scan the demo image with it.
# Works offline once the crates are fetched. Extra arguments go to `scan`
# (try `--format json`, `--fail-on high` or `--fail-on none`). The demo image
# has a critical finding, so the default gate fails it: exit 1 is the point.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# rustup's toolchain first (Debian's cargo 1.65, which tests/run.sh installs
# for the policies, is too old for the workspace).
[ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ] && export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cargo build --release --quiet
BIN=target/release/portcullis
"$BIN" db --db target/demo/portcullis.db import demo/osv-sample demo/cve-sample > /dev/null
exec "$BIN" scan --db target/demo/portcullis.db demo/debian-demo.oci.tar "$@"
