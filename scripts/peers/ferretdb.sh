#!/usr/bin/env bash
# Prints the path of a FerretDB v1.24.2 binary for the tests, building it with Go once when missing.
set -euo pipefail
version=v1.24.2
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin_dir="$root/.tools/go/bin"
bin="$bin_dir/ferretdb-$version"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "ferretdb.sh: Go is needed to build FerretDB (or set MONGO_URL)" >&2; exit 1; }
mkdir -p "$bin_dir"
echo "ferretdb.sh: installing FerretDB $version with go install (first run only)" >&2
GOBIN="$bin_dir/go-install" go install "github.com/FerretDB/FerretDB/cmd/ferretdb@$version" >&2
if "$bin_dir/go-install/ferretdb" --version >/dev/null 2>&1; then
  mv "$bin_dir/go-install/ferretdb" "$bin"
else
  # FerretDB issue #2982: a `go install` build panics at start because the module carries no
  # build/version/version.txt. Build the same module source again with that one file written.
  echo "ferretdb.sh: go install build cannot start (FerretDB #2982); rebuilding with its version file" >&2
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -r "$src/." "$work"
  chmod -R u+w "$work"
  echo "$version" > "$work/build/version/version.txt"
  (cd "$work" && go build -o "$bin" ./cmd/ferretdb) >&2
fi
rm -rf "$bin_dir/go-install"
echo "$bin"
