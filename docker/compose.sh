#!/usr/bin/env bash
# `docker compose -f docker/compose.yaml "$@"` with what the stack needs from this host, for people and
# npm scripts (npm run stack:up / stack:down / stack:ps / stack:logs):
# - Compose v2 (`docker compose`) if the CLI has it, else Debian's v1.29 (`docker-compose`);
# - DOCKER_GID = the group of /var/run/docker.sock, so the Docker API proxy's non-root user may use it;
# - the tokens and Alertmanager passwords in docker/secrets/ (made once by make-secrets.sh).
# The project name is `guardrail` unless COMPOSE_PROJECT_NAME or -p says otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
export DOCKER_GID=${DOCKER_GID:-$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 0)}
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-guardrail}
bash "$here/make-secrets.sh" >/dev/null
exec "${compose[@]}" -f "$here/compose.yaml" "$@"
