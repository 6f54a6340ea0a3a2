#!/usr/bin/env bash
# Prepares a Docker build context for docker/Dockerfile from THIS checkout's already installed and compiled
# files, for machines whose build containers cannot reach the npm registry (this sandbox, air-gapped CI).
# The context is the files a checkout context has (package files, tsconfig, sources, dashboard/, bin/, policies/,
# models/artifacts/) plus, where the Dockerfile looks for them instead of running `npm ci`:
#   docker/offline/prepared-deps/node_modules  only the production packages (`npm ls --omit=dev`)
#   docker/offline/prepared-dist/dist          the compiled code (run `npm run build` first)
#
# Usage: bash docker/offline/prepare-context.sh DEST_DIR   (DEST_DIR is created; it must not exist)
set -euo pipefail

dest=${1:?usage: prepare-context.sh DEST_DIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ -e "$dest" ] && { echo "prepare-context: $dest already exists" >&2; exit 2; }
[ -d "$repo/node_modules" ] || { echo "prepare-context: run npm ci first (no node_modules in $repo)" >&2; exit 1; }
[ -f "$repo/dist/service/main.js" ] || { echo "prepare-context: run npm run build first (no dist/ in $repo)" >&2; exit 1; }

mkdir -p "$dest/models" "$dest/docker/offline"
cd "$repo"
cp package.json package-lock.json tsconfig.json tsconfig.build.json "$dest/"
cp -r service controller scripts dashboard bin policies "$dest/"
cp -r models/artifacts "$dest/models/"
cp -r docker/offline/prepared-deps docker/offline/prepared-dist "$dest/docker/offline/"
cp docker/prune-deps.mjs "$dest/docker/"
cp -r dist "$dest/docker/offline/prepared-dist/dist"

# Production packages only. `npm ls --parseable` prints one absolute directory per package; a nested one
# (node_modules/a/node_modules/b) comes along with its parent, so keep only the outermost of each chain.
# npm ls exits non-zero on any peer-dependency warning even when the list is complete: judge the list.
list=$( (npm ls --omit=dev --all --parseable 2>/dev/null || true) | sed -n "s|^$repo/||p" | grep '^node_modules/' | sort -u |
  awk 'prev == "" || index($0, prev "/") != 1 { print; prev = $0 }')
[ -n "$list" ] || { echo "prepare-context: npm ls listed no production packages" >&2; exit 1; }
# tar creates the parent (scope) directories itself.
printf '%s\n' "$list" | tar -c -T - | tar -x -C "$dest/docker/offline/prepared-deps"
# The Dockerfile drops other platforms' onnxruntime binaries too; dropping them here spares sending ~240 MB.
keep="linux/$(node -p process.arch)"
for dir in "$dest"/docker/offline/prepared-deps/node_modules/onnxruntime-node/bin/napi-v*/*/*; do
  case "$dir" in */"$keep") ;; *) rm -rf "$dir" ;; esac
done
echo "prepare-context: $dest ($(printf '%s\n' "$list" | wc -l) top-level package dirs, $(du -sm "$dest" | cut -f1) MB)"
