#!/usr/bin/env bash
# demo/run.sh -- the quick start: build portcullis, import the OSV sample kept
# beside this script into a DB under target/, and scan the demo image with it.
# Works offline once the crates are fetched. Extra arguments go to `scan`
# (try `--format json` or `--fail-on high`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
BIN=target/release/portcullis
"$BIN" db --db target/demo/portcullis.db import demo/osv-sample > /dev/null
exec "$BIN" scan --db target/demo/portcullis.db demo/debian-demo.oci.tar "$@"
