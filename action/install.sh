#!/usr/bin/env bash
# action/install.sh -- put a checksum-verified portcullis on PATH.
#
# INPUT_VERSION `path`: use the `portcullis` already on PATH, as is.
# INPUT_VERSION X.Y.Z: download portcullis-X.Y.Z-<target>.tar.gz from
# INPUT_DOWNLOAD_URL (`{version}`, `{target}`, `{asset}` replaced), refuse it
# unless its sha256 is the one checksums.txt beside this script lists, unpack
# it under $RUNNER_TEMP and check that it reports that version. A binary of the
# same version already on PATH is not trusted in place of the pinned download.
#
# Outputs: bin (absolute path of the binary), version.
set -euo pipefail
action_dir=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=action/lib.sh
. "$action_dir/lib.sh"

version=${INPUT_VERSION:-}

# binary_version BIN: the version BIN reports (`portcullis 0.1.0` → `0.1.0`).
binary_version() {
  local line
  line=$("$1" --version 2>/dev/null) || return 1
  line=${line%%$'\n'*}
  [[ $line == "portcullis "* ]] || return 1
  printf '%s' "${line#portcullis }"
}

finish() {
  local bin=$1 found
  found=$(binary_version "$bin") || die "\`$bin --version\` did not print \`portcullis VERSION\`"
  echo "portcullis $found at $bin"
  set_output bin "$bin"
  set_output version "$found"
}

if [ "$version" = path ]; then
  bin=$(command -v portcullis) \
    || die "input \`version\` is \`path\` but there is no \`portcullis\` on PATH; install it first or give a release version"
  finish "$(realpath -- "$bin")"
  exit 0
fi

[ -n "$version" ] \
  || die "input \`version\` is empty: give a release version listed in the action's checksums.txt, or \`path\` to use the portcullis on PATH"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] \
  || die "input \`version\` \`$version\` is not a release version (X.Y.Z) nor \`path\`"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  *) die "there is no portcullis release for \`${RUNNER_OS:-?}/${RUNNER_ARCH:-?}\`; install portcullis yourself and set \`version: path\`" ;;
esac
asset="portcullis-$version-$target.tar.gz"

expected=$(awk -v asset="$asset" '$1 !~ /^#/ && ($2 == asset || $2 == "*" asset) { print $1; exit }' "$action_dir/checksums.txt")
[ -n "$expected" ] \
  || die "portcullis \`$version\` for \`$target\` is unknown to this action: \`$asset\` has no sha256 in its checksums.txt; use a version listed there, a newer action release, or \`version: path\`"
[[ $expected =~ ^[0-9a-f]{64}$ ]] || die "checksums.txt: the sha256 of \`$asset\` is malformed: \`$expected\`"

url=${INPUT_DOWNLOAD_URL:-}
[ -n "$url" ] || die "input \`download-url\` must not be empty"
url=${url//\{version\}/$version}
url=${url//\{target\}/$target}
url=${url//\{asset\}/$asset}

: "${RUNNER_TEMP:?RUNNER_TEMP is not set: run this script as an action step}"
install_dir="$RUNNER_TEMP/portcullis/install"
rm -rf "$install_dir"
mkdir -p "$install_dir/unpacked" "$install_dir/bin"

echo "downloading $url"
curl --fail --silent --show-error --location --retry 3 --retry-delay 2 --connect-timeout 30 \
  --output "$install_dir/$asset" "$url" \
  || die "could not download \`$url\`"

actual=$(sha256sum "$install_dir/$asset")
actual=${actual%% *}
if [ "$actual" != "$expected" ]; then
  rm -f -- "$install_dir/$asset"
  die "checksum mismatch for \`$asset\` from \`$url\`: expected sha256 \`$expected\` (checksums.txt), got \`$actual\`; refusing to install it"
fi
echo "sha256 $actual matches checksums.txt"

tar -xzf "$install_dir/$asset" -C "$install_dir/unpacked" --no-same-owner --no-same-permissions \
  || die "could not unpack \`$asset\`"
mapfile -t candidates < <(find "$install_dir/unpacked" -maxdepth 2 -type f -name portcullis)
[ "${#candidates[@]}" -eq 1 ] \
  || die "\`$asset\` holds ${#candidates[@]} files named \`portcullis\` at its top or one folder down, expected exactly one"
mv -- "${candidates[0]}" "$install_dir/bin/portcullis"
chmod 0755 "$install_dir/bin/portcullis"
rm -rf "${install_dir:?}/unpacked" "${install_dir:?}/$asset"

bin="$install_dir/bin/portcullis"
found=$(binary_version "$bin") || die "the binary in \`$asset\` does not run here, or does not report its version"
[ "$found" = "$version" ] || die "the binary in \`$asset\` reports version \`$found\`, not \`$version\`"

printf '%s\n' "$install_dir/bin" >> "${GITHUB_PATH:?GITHUB_PATH is not set: run this script as an action step}"
finish "$bin"
