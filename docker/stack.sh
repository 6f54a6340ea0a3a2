#!/usr/bin/env bash
# docker/compose.yaml as a Docker Swarm stack (docs/swarm.md), for people and npm scripts:
#   bash docker/stack.sh deploy [STACK]   npm run stack:deploy — a single-node swarm if none is active
#                                         (advertised on SWARM_ADVERTISE_ADDR, default 127.0.0.1), the
#                                         images built (docker/offline/build-all.sh; STACK_SKIP_BUILD=1 uses
#                                         what is there), then `docker stack deploy` of the rendered file
#   bash docker/stack.sh rm [STACK]       npm run stack:rm — removes the stack (not its volumes); the swarm stays
#   bash docker/stack.sh render [STACK]   writes the rendered file (docker/.stack-STACK.yaml) and prints it
# STACK defaults to guardrail, the stack docker/controller/swarm-policies/ selects.
# Env: API_REPLICAS (3), SERVICE_HEALTHCHECK_INTERVAL (3s), STACK_PROFILES (e.g. grafana), the port and
# image variables of compose.yaml. Ports are host-mode ports on every address of the node (Swarm has no
# host IP): CONTROLLER_PORT 8090, PROMETHEUS_PORT 9090, ALERTMANAGER_PORT 9093, and the front door's
# API_PORT 8000 and CONSUMER_PORT 8001 (docs/front-door.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
command=${1:-}
stack=${2:-guardrail}

export DOCKER_GID=${DOCKER_GID:-$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 0)}
export API_REPLICAS=${API_REPLICAS:-3}
export SERVICE_HEALTHCHECK_INTERVAL=${SERVICE_HEALTHCHECK_INTERVAL:-3s}
export PROMETHEUS_CONFIG=${PROMETHEUS_CONFIG:-./prometheus/prometheus.swarm.yml}
export GUARDRAIL_POLICIES_PATH=${GUARDRAIL_POLICIES_PATH:-./controller/swarm-policies}
rendered=$here/.stack-$stack.yaml

render() {
  # Next to compose.yaml, so its relative paths (config files, secrets, policies) mean the same.
  node "$here/stack-render.mjs" "$here/compose.yaml" "$rendered" "${STACK_PROFILES:-}"
}

ensure_swarm() {
  local state
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  case "$state" in
    active)
      [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] ||
        { echo "stack: this node is a swarm worker; deploy from a manager node" >&2; exit 1; } ;;
    inactive)
      echo "stack: no swarm is active: docker swarm init --advertise-addr ${SWARM_ADVERTISE_ADDR:-127.0.0.1} (a single-node swarm)"
      docker swarm init --advertise-addr "${SWARM_ADVERTISE_ADDR:-127.0.0.1}" >/dev/null ;;
    *) echo "stack: swarm state is '$state'; wait for it to settle or fix it first" >&2; exit 1 ;;
  esac
}

case "$command" in
  deploy)
    ensure_swarm
    if [ "${STACK_SKIP_BUILD:-0}" = 1 ]; then
      bash "$here/make-secrets.sh" >/dev/null
    else
      bash "$here/offline/build-all.sh"
    fi
    render
    # Images are local (built here, or loaded with `docker load` on each node): no registry lookup.
    docker stack deploy --resolve-image never --prune -c "$rendered" "$stack"
    echo "stack: deployed '$stack' (${API_REPLICAS} api tasks); status: docker stack ps $stack"
    echo "stack: guardrail CLI: node bin/guardrail.js status --token-file docker/secrets/guardrail-token" \
      "(controller on 127.0.0.1:${CONTROLLER_PORT:-8090} once its task runs)"
    ;;
  rm)
    docker stack rm "$stack"
    rm -f "$rendered"
    # Swarm removes the tasks in the background: wait, so a deploy right after finds the network free.
    for _ in $(seq 1 120); do
      [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] && break
      sleep 0.5
    done
    echo "stack: removed '$stack' (its volumes are kept: docker volume ls --filter label=com.docker.stack.namespace=$stack)"
    ;;
  render)
    render
    cat "$rendered"
    ;;
  *)
    echo "usage: bash docker/stack.sh deploy|rm|render [STACK]" >&2
    exit 2
    ;;
esac
