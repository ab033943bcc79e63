#!/usr/bin/env bash
# Prints the path of Schemathesis's `st` for the API fuzz test, installing schemathesis 4.32.5 once
# from PyPI into a virtualenv under .tools/ when missing (nothing is fetched when it runs).
# SCHEMATHESIS=/path/to/st overrides.
set -euo pipefail
version=4.32.5

usable() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qF "$version"; }

if [ -n "${SCHEMATHESIS:-}" ]; then
  usable "$SCHEMATHESIS" || {
    echo "schemathesis.sh: SCHEMATHESIS=$SCHEMATHESIS is not a working schemathesis $version" >&2
    exit 1
  }
  echo "$SCHEMATHESIS"
  exit 0
fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="$root/.tools/schemathesis-$version"
bin="$target/bin/st"
if usable "$bin"; then
  echo "$bin"
  exit 0
fi

# Schemathesis 4 supports CPython 3.9 and later.
command -v python3 >/dev/null &&
  python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null || {
  echo "schemathesis.sh: python3 (3.9 or later) with venv and ensurepip is needed to install schemathesis (apt-get install python3-venv), or set SCHEMATHESIS" >&2
  exit 1
}
mkdir -p "$root/.tools"
# Test workers may call this at once: one installs, the others wait and then find it.
exec 9>"$root/.tools/schemathesis-install.lock"
flock 9
if usable "$bin"; then
  echo "$bin"
  exit 0
fi
echo "schemathesis.sh: installing schemathesis $version from PyPI into $target (first run only)" >&2
rm -rf "$target"
# A virtualenv of its own: its many dependencies must not meet the machine's Python packages.
python3 -m venv "$target" >&2
PIP_ROOT_USER_ACTION=ignore "$target/bin/python" -m pip install --quiet --disable-pip-version-check \
  --only-binary=:all: "schemathesis==$version" >&2
usable "$bin" || { echo "schemathesis.sh: schemathesis installed no working st at $bin" >&2; exit 1; }
echo "$bin"
