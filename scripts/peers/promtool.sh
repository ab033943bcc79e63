#!/usr/bin/env bash
# Prints the path of promtool for the alert rule tests (docs/alerts), installing Debian's
# `prometheus` package once when it is missing. PROMTOOL=/path/to/promtool overrides.
set -euo pipefail

usable() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if [ -n "${PROMTOOL:-}" ]; then
  usable "$PROMTOOL" || { echo "promtool.sh: PROMTOOL=$PROMTOOL is not a working promtool" >&2; exit 1; }
  echo "$PROMTOOL"
  exit 0
fi
found=$(command -v promtool || true)
if usable "$found"; then
  echo "$found"
  exit 0
fi

command -v apt-get >/dev/null || { echo "promtool.sh: no apt-get; install promtool or set PROMTOOL" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "promtool.sh: installing the prometheus package needs root; or set PROMTOOL" >&2; exit 1; }

root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$root/.tools"
# Test workers may call this at once: one installs, the others wait and then find promtool.
exec 9>"$root/.tools/promtool-install.lock"
flock 9
found=$(command -v promtool || true)
if usable "$found"; then
  echo "$found"
  exit 0
fi

# Only promtool is wanted: no Prometheus server may start. Containers usually ship a policy-rc.d
# that forbids starting services; without one, install a temporary one for this install only.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
echo "promtool.sh: installing Debian's prometheus package for promtool (first run only)" >&2
if ! apt-cache show prometheus >/dev/null 2>&1; then
  apt-get update >&2
fi
apt-get install -y --no-install-recommends prometheus >&2

found=$(command -v promtool || true)
usable "$found" || { echo "promtool.sh: the prometheus package installed no working promtool" >&2; exit 1; }
echo "$found"
