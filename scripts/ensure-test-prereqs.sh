#!/usr/bin/env bash
# Installs and starts the real parts the test suite talks to, so `npm ci && npm test` works on a fresh
# Debian machine: Prometheus, Alertmanager, Redis and Docker Engine from Debian's packages, and a
# dockerd in the background if /var/run/docker.sock does not answer. Idempotent: does nothing when all is there.
set -euo pipefail

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v redis-server >/dev/null || need+=(redis-server)
# test/integration/docker/socket-proxy.test.ts runs docker/socket-proxy/haproxy.cfg; the stack's stand-in
# haproxy image is built from this binary too (docker/offline/build-base-images.sh).
command -v haproxy >/dev/null || need+=(haproxy)
command -v dockerd >/dev/null || need+=(docker.io)
# test/integration/stack brings docker/compose.yaml up: Compose v2 plugin or Debian's v1.29.
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
# test/unit/cli/status-watch.test.ts runs `guardrail status --watch` under a real pty with util-linux's
# `script` (Debian: bsdutils, essential, so normally there).
command -v script >/dev/null || need+=(bsdutils)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
# test/unit/models/reproducible.test.ts retrains the model with Debian's xgboost and onnx.
/usr/bin/python3 -c 'import xgboost, onnx' 2>/dev/null || need+=(python3-xgboost python3-onnx)
# test/integration/dashboard drives the controller's page in a real headless browser (playwright-core with
# executablePath /usr/bin/chromium); fonts-dejavu-core gives it glyphs for the committed screenshot.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure-test-prereqs: missing ${need[*]}; install them (Debian: apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "ensure-test-prereqs: installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Debian starts these as services on install; the tests start their own on temp dirs and loopback ports,
# so stop the packaged ones if an init system started them.
for svc in prometheus prometheus-alertmanager prometheus-node-exporter redis-server haproxy; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then systemctl stop "$svc" || true; fi
done


docker_ok() { curl -fsS --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }
if ! docker_ok; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-test-prereqs: Docker Engine is not answering on /var/run/docker.sock; start dockerd" >&2
    exit 1
  fi
  echo "ensure-test-prereqs: starting dockerd in the background (log: /tmp/guardrail-dockerd.log)"
  nohup dockerd >/tmp/guardrail-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker_ok && break; sleep 0.5; done
  docker_ok || { echo "ensure-test-prereqs: dockerd did not come up; see /tmp/guardrail-dockerd.log" >&2; exit 1; }
fi
echo "ensure-test-prereqs: prometheus, alertmanager, redis, haproxy, chromium and docker are ready"
