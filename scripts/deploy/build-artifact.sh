#!/usr/bin/env bash
# Builds the production artifact of @settle/server into <outdir>: its dist/ and package.json, and a
# node_modules with its production dependencies only, the workspace packages copied in as they would
# be packed (their `files`), so <outdir> runs with `node dist/main.js` and nothing else from this
# checkout. The Dockerfile's build stage runs exactly this; test/deploy/ runs it on a copy of the tree.
#   scripts/deploy/build-artifact.sh <outdir>      (<outdir> must not exist or be empty)
# It uses the pnpm on PATH, which must be the version package.json pins. pnpm's own settings apply,
# e.g. PNPM_CONFIG_PREFER_OFFLINE=true to install from a warm store.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: scripts/deploy/build-artifact.sh <outdir>" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
[ -z "$(ls -A "$out")" ] || { echo "build-artifact.sh: $out is not empty" >&2; exit 1; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

pinned=$(node -p "require('./package.json').packageManager.split('@')[1]")
found=$(pnpm --version 2>/dev/null || true)
[ "$found" = "$pinned" ] || {
  echo "build-artifact.sh: needs pnpm $pinned on PATH (found: ${found:-none}); npm install -g pnpm@$pinned" >&2
  exit 1
}

# Every dependency, dev ones too (the build needs typescript), exactly as the lockfile has them.
pnpm install --frozen-lockfile
# The server and the packages it references; the testkit is not part of production.
pnpm exec tsc -b packages/server
for pkg in domain adapters server; do
  [ -f "packages/$pkg/dist/index.js" ] || { echo "build-artifact.sh: packages/$pkg/dist is missing after the build" >&2; exit 1; }
done
# pnpm 12 deploys a workspace dependency as a copy of its packed files (no symlink into this checkout).
pnpm deploy --prod --frozen-lockfile --filter @settle/server "$out"

for entry in dist/main.js dist/ops/main.js node_modules/@settle/domain/dist/index.js node_modules/@settle/adapters/dist/index.js; do
  [ -f "$out/$entry" ] || { echo "build-artifact.sh: the artifact has no $entry" >&2; exit 1; }
done
echo "build-artifact.sh: $out is ready: cd $out && NODE_ENV=production node dist/main.js" >&2
