#!/usr/bin/env bash
# tests/go-oracle/build.sh OUT -- build the oracle's Go programs with Debian's
# Go toolchain, each as OUT/<program>/app (with its symbol table) and
# OUT/<program>-stripped/app (-s -w), and OUT/gosym (gosym/main.go). Programs that import golang.org/x/net
# vendor Debian's golang-golang-x-net-dev at its version, so the binary's
# build info names that module version (an old, vulnerable one).
# Needs: apt-get install golang-go golang-golang-x-net-dev
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
xnet=/usr/share/gocode/src/golang.org/x/net
xnet_ver="$(dpkg-query -W -f='${Version}' golang-golang-x-net-dev | sed -E 's/^[0-9]+://; s/[+~-].*//')"
export GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 GOCACHE="$out/.gocache"
# Also the fixture image's htmlcount (its source is in ../shared), built as
# the fixture builder does, so the image's stripped binary has a twin here.
shared="${PORTCULLIS_SHARED:-$here/../../../shared}"
for dir in "$here"/programs/*/ "$shared/fixtures/image-src/go-htmlcount/"; do
  name="$(basename "$dir")"; name="${name#go-}"
  work="$out/.src/$name"
  rm -rf "$work"; mkdir -p "$work"
  cp "$dir"/*.go "$work/"
  if grep -q '"golang.org/x/net/html"' "$work"/*.go; then
    printf 'module example.com/%s\n\ngo 1.19\n\nrequire golang.org/x/net v%s\n' "$name" "$xnet_ver" > "$work/go.mod"
    mkdir -p "$work/vendor/golang.org/x/net"
    cp -r "$xnet/html" "$work/vendor/golang.org/x/net/"
    printf '# golang.org/x/net v%s\n## explicit; go 1.17\ngolang.org/x/net/html\ngolang.org/x/net/html/atom\n' "$xnet_ver" \
      > "$work/vendor/modules.txt"
  else
    printf 'module example.com/%s\n\ngo 1.19\n' "$name" > "$work/go.mod"
  fi
  mkdir -p "$out/$name" "$out/$name-stripped"
  (cd "$work" && go build -buildvcs=false -trimpath -o "$out/$name/app" .)
  (cd "$work" && go build -buildvcs=false -trimpath -ldflags='-s -w' -o "$out/$name-stripped/app" .)
done
# The reader's oracle: Go's debug/gosym over a binary's function table.
(cd "$here/gosym" && go build -buildvcs=false -trimpath -o "$out/gosym" .)
go version > "$out/go-version"
