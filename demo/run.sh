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
# Say what the wait is for; cargo's own progress shows on a terminal.
[ -x target/release/portcullis ] \
  || echo "demo: building portcullis (release); the first build takes about 6 minutes on 2 cores" >&2
if [ -t 2 ]; then cargo build --release; else cargo build --release --quiet; fi
BIN=target/release/portcullis
"$BIN" db --db target/demo/portcullis.db import demo/osv-sample demo/cve-sample > /dev/null
exec "$BIN" scan --db target/demo/portcullis.db demo/debian-demo.oci.tar "$@"
