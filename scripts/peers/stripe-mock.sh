#!/usr/bin/env bash
# Prints the path of a stripe-mock v0.203.0 binary for the tests, building it with Go once when missing.
set -euo pipefail
version=v0.203.0
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin_dir="$root/.tools/go/bin"
bin="$bin_dir/stripe-mock-$version"
if [ -x "$bin" ] && "$bin" -version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "stripe-mock.sh: Go is needed to build stripe-mock (or set STRIPE_MOCK_URL)" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "stripe-mock.sh: installing stripe-mock $version with go install (first run only)" >&2
# A private GOBIN per run, so a concurrent build never moves a half-written binary into place.
work=$(mktemp -d "$bin_dir/.stripe-mock-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
GOBIN="$work" go install "github.com/stripe/stripe-mock@$version" >&2
mv -f "$work/stripe-mock" "$bin"
echo "$bin"
