#!/usr/bin/env bash
# tests/fuzz.sh [SECONDS] [TARGET...] -- run the fuzz targets (fuzz/, cargo
# fuzz: libFuzzer with AddressSanitizer, on the stable toolchain through
# RUSTC_BOOTSTRAP=1), each for SECONDS (default 180), two at a time.
#
# Seeds each target's working corpus (target/fuzz/corpus/<t>) from the real
# inputs the tests use: the fixture images' files, crates/catalog's testdata,
# the demo, the Go oracle's binaries, cli/tests' SBOMs. Afterwards the corpus
# is merged (minimised) and its FUZZ_KEEP (30) smallest inputs of at most
# 64 KiB go to fuzz/corpus/<t>, which crates/fuzzing/tests/replay.rs
# replays in `cargo test`; the whole corpus stays in target/fuzz/corpus. A crash input
# is left in fuzz/artifacts/<t>/; once fixed it goes to fuzz/regressions/<t>/.
# Prints, per target: runs, seconds, executions, coverage (libFuzzer's cov),
# corpus size, crashes; and writes them to target/fuzz/stats.tsv.
#
# Needs: cargo install cargo-fuzz; the fixture images (tests/run.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
SECONDS_EACH="${1:-180}"; shift || true
FIXTURES="${PORTCULLIS_FIXTURES:-$ROOT/target/fixture-images}"
APP="$FIXTURES/debian-app.rootfs"
[ -d "$APP/var/lib/dpkg" ] || { echo "no $APP: run tests/run.sh first" >&2; exit 2; }
command -v cargo-fuzz > /dev/null || { echo "needs cargo-fuzz: cargo install cargo-fuzz" >&2; exit 2; }
bash tests/go-oracle/build.sh target/go-oracle > /dev/null
export RUSTC_BOOTSTRAP=1
# -a: debug assertions, so an arithmetic overflow is a crash, not a wrap.
(cd fuzz && cargo fuzz build -O -a > /dev/null)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS < <(cd fuzz && cargo fuzz list)
BIN="$ROOT/fuzz/target/x86_64-unknown-linux-gnu/release"
WORK="$ROOT/target/fuzz"; mkdir -p "$WORK"
export TMPDIR=/dev/shm

seed() { # seed TARGET FILE...
  local dir="$WORK/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/seed-$(sha256sum "$f" | cut -c1-16)"; done
  return 0
}
td=crates/catalog/src/testdata
head -c 20000 "$APP/var/lib/dpkg/status" > "$WORK/dpkg-head"
seed dpkg_status "$WORK/dpkg-head"
printf 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\no:musl\nL:MIT\n\nP:busybox\nV:1.36.1-r5\no:busybox\n\n' > "$WORK/apk-installed"
seed apk_installed "$WORK/apk-installed"
seed rpm_sqlite "$FIXTURES/rpm-min.rootfs/var/lib/rpm/rpmdb.sqlite"
seed npm_package_lock "$APP/app/package-lock.json" "$APP/opt/webui/package-lock.json" $td/npm-v1-shapes.json $td/npm-v3-shapes.json
seed npm_package_json "$APP/app/node_modules/debug/package.json" $td/lock-shapes-package.json
seed yarn_lock $td/yarn-v1.lock $td/yarn-berry.lock $td/yarn-v1-shapes.lock $td/yarn-berry-shapes.lock
seed pnpm_lock $td/pnpm-lock-v9.yaml $td/pnpm-v5-shapes.yaml $td/pnpm-v6-shapes.yaml $td/pnpm-v9-shapes.yaml
seed python_metadata "$APP/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA" $td/egg-PKG-INFO
seed requirements_txt $td/requirements-hashes.txt cli/tests/projects/cve-rated/requirements.txt
seed pipfile_lock $td/Pipfile.lock
seed uv_lock $td/uv.lock
seed go_mod tests/go-oracle/gosym/go.mod "${PORTCULLIS_SHARED:-$ROOT/../shared}/fixtures/image-src/go-htmlcount/go.mod"
seed go_binary target/go-oracle/hello-stripped/app
seed cargo_lock cli/tests/projects/cve-rated/Cargo.lock "$APP/app/rust-svc/Cargo.lock"
seed gemspec $td/rack-2.2.22.gemspec
seed jar "$APP/app/lib/snakeyaml-1.33.jar"
seed sbom cli/tests/sboms/rpm-min.syft.cdx.json cli/tests/sboms/rpm-min.syft.spdx.json
seed osv_record demo/osv-sample/*.json
printf 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\nFROM debian:bookworm-slim\nRUN apt-get update && \\\n    apt-get install -y ca-certificates\nCOPY --from=build /app /usr/local/bin/app\nUSER app\nRUN <<EOF\necho hi\nEOF\n' > "$WORK/Dockerfile"
seed dockerfile "$WORK/Dockerfile"
printf '[[ignore]]\nid = "CVE-2021-25900"\npurl = "pkg:cargo/smallvec"\npath = "/app/rust-svc/Cargo.lock"\nreason = "insert_many is never called"\nowner = "team-platform"\nexpires = "2027-01-01"\n' > "$WORK/ignore.toml"
seed ignore_file "$WORK/ignore.toml"
printf '{"@context":"https://openvex.dev/ns/v0.2.0","@id":"urn:uuid:1","author":"a","timestamp":"2024-01-01T00:00:00Z","version":1,"statements":[{"vulnerability":{"name":"CVE-2023-39325"},"products":[{"@id":"pkg:golang/golang.org/x/net@v0.7.0"}],"status":"not_affected","justification":"vulnerable_code_not_present"},{"vulnerability":"CVE-1","products":["pkg:npm/a"],"status":"fixed"}]}' > "$WORK/vex.json"
seed openvex "$WORK/vex.json"
printf '\x041.2.3\n1.2.3-rc.1\n1.10.0' > "$WORK/v-semver"; printf '\x001:1.2-3\n1.2~rc1-1\n1.2-3+deb12u1' > "$WORK/v-dpkg"
printf '\x064.1.0.M1\n4.1.0-RC\n4.1.0.Final' > "$WORK/v-maven"; printf '\x031.0.post1\n1.0rc1\n1!0.1' > "$WORK/v-pep440"
seed version_order "$WORK"/v-*
seed target_file demo/debian-demo.oci.tar
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/corpus/$t" "fuzz/corpus/$t" "fuzz/artifacts/$t"
  for d in fuzz/corpus/$t fuzz/regressions/$t; do [ -d "$d" ] && cp -n "$d"/* "$WORK/corpus/$t/" 2>/dev/null || true; done
done

run() { # run TARGET
  local t="$1" log="$WORK/$1.log"
  "$BIN/$t" "$WORK/corpus/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=3072 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$ROOT/fuzz/artifacts/$t/" > "$log" 2>&1 || true
  # Minimise into the committed corpus (inputs of at most 64 KiB).
  local merged="$WORK/merged-$t"; rm -rf "$merged"; mkdir -p "$merged"
  "$BIN/$t" -merge=1 -max_len=65536 "$merged" "$WORK/corpus/$t" > "$WORK/$t.merge.log" 2>&1 || true
  # The committed corpus is what `cargo test` replays: the KEEP smallest of
  # the minimised set (default 30), so the replay stays a matter of seconds.
  rm -rf "fuzz/corpus/$t"; mkdir -p "fuzz/corpus/$t"
  find "$merged" -type f -size -65537c -printf '%s %p\n' | sort -n | awk -v keep="${FUZZ_KEEP:-30}" 'NR <= keep' \
    | while read -r _ f; do cp "$f" "fuzz/corpus/$t/"; done
}
pids=()
for t in "${TARGETS[@]}"; do
  run "$t" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
printf 'target\tseconds\texecutions\tcoverage\tcorpus\tcrashes\n' | tee "$WORK/stats.tsv"
status=0
for t in "${TARGETS[@]}"; do
  log="$WORK/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -oE '(cov|ft): [0-9]+' "$log" | grep cov | tail -1 | awk '{print $2}')
  crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$SECONDS_EACH" "${execs:-?}" "${cov:-?}" \
    "$(find "fuzz/corpus/$t" -type f | wc -l)" "$crashes" | tee -a "$WORK/stats.tsv"
  [ "$crashes" = 0 ] || status=1
done
exit $status
