#!/usr/bin/env bash
# policies/examples/c/build.sh [OUT.wasm] -- build the C example policy with
# clang for wasm32-wasi (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32)
# and append metadata.json as the `portcullis.policy.metadata` custom section.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
OUT="${1:-deny-packages.wasm}"
clang --target=wasm32-wasi -O2 -o "$OUT" deny-packages.c
python3 - "$OUT" metadata.json <<'PY'
import sys

def leb128(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)

wasm, meta = sys.argv[1], open(sys.argv[2], "rb").read().strip()
name = b"portcullis.policy.metadata"
payload = leb128(len(name)) + name + meta
with open(wasm, "ab") as fh:
    fh.write(b"\x00" + leb128(len(payload)) + payload)
PY
