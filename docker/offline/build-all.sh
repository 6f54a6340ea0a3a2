#!/usr/bin/env bash
# Builds everything `docker compose -f docker/compose.yaml up -d` needs on a machine that cannot pull:
# the stand-in base images (build-base-images.sh), then the project images guardrail/service:dev and
# guardrail/controller:dev from a prepared context (prepare-context.sh: this checkout's compiled dist/ and
# production node_modules), with the legacy builder (this Docker client has no buildx).
#
# Usage: bash docker/offline/build-all.sh [--force]   (--force rebuilds the stand-ins too)
# Env: SERVICE_IMAGE / CONTROLLER_IMAGE override the tags (the same variables compose.yaml reads).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
service_image=${SERVICE_IMAGE:-guardrail/service:dev}
controller_image=${CONTROLLER_IMAGE:-guardrail/controller:dev}

# One build at a time on this machine: test files that start stacks in parallel would otherwise compile
# into the same dist/ and tag the same images at once.
exec 9>/tmp/guardrail-build-all.lock
flock 9

bash "$here/build-base-images.sh" "$@"

# Build first (tsc, then the dashboard bundle: `npm run build`) when a source is newer than the last build,
# so the images carry this checkout's code and page. tsc emits even when it reports type errors; those are
# reported but do not stop an image build (`npm run typecheck` is the gate for them).
start=$(date +%s%N)
stamp=$repo/dist/.build-all-stamp
if [ ! -f "$stamp" ] || [ ! -f "$repo/dist/dashboard/index.html" ] ||
  [ -n "$(cd "$repo" && find service controller scripts dashboard -newer "$stamp" \( -name '*.ts' -o -name '*.html' -o -name '*.css' \) -print -quit)" ]; then
  echo "build-all: compiling (tsc -p tsconfig.build.json, then the dashboard bundle)"
  if ! (cd "$repo" && npx tsc -p tsconfig.build.json >/tmp/guardrail-build-all-tsc.log 2>&1); then
    echo "build-all: tsc reported errors (see /tmp/guardrail-build-all-tsc.log); building images from what it emitted" >&2
  fi
  (cd "$repo" && node dist/scripts/build-dashboard.js >/tmp/guardrail-build-all-dashboard.log 2>&1) ||
    { echo "build-all: the dashboard bundle failed (see /tmp/guardrail-build-all-dashboard.log)" >&2; exit 1; }
  touch "$stamp"
fi

ctx=$(mktemp -d /tmp/guardrail-context.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
rmdir "$ctx"
bash "$here/prepare-context.sh" "$ctx"

for target in service controller; do
  tag=$service_image
  [ "$target" = controller ] && tag=$controller_image
  t0=$(date +%s%N)
  DOCKER_BUILDKIT=0 docker build -q -f "$repo/docker/Dockerfile" --target "$target" -t "$tag" "$ctx" >/dev/null
  size=$(docker image inspect -f '{{.Size}}' "$tag")
  echo "build-all: built $tag ($((size / 1000000)) MB, $((($(date +%s%N) - t0) / 1000000)) ms)"
done
# Each rebuild leaves the previous images untagged; remove the dangling ones this script made.
docker image prune -f --filter label=guardrail.image >/dev/null 2>&1 || true
bash "$repo/docker/make-secrets.sh"
echo "build-all: for the Docker API proxy's socket access: export DOCKER_GID=$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 0)"
echo "build-all: done in $((($(date +%s%N) - start) / 1000000)) ms"
