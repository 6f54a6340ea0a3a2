#!/usr/bin/env bash
# The seed guide's rollback drill, run against the compose stack with Guardrail in it (docs/runbook.md).
#   1. the stack serves the ML model, predictions work;
#   2. manual rollback through Guardrail's CLI -> baseline-*, predictions work, `ROLLBACK MODE` logged;
#      roll forward through the CLI -> ML again;
#   3. the seed's own env-var way: MODEL_VARIANT=baseline compose up -d api prediction-consumer -> baseline,
#      then compose up -d without it -> ML;
#   4. automatic: recreate api with FAULT_ML_ERROR_RATE=0.5 under traffic -> Guardrail rolls back by itself
#      (errors stop), the INFO alert is in Alertmanager, the history has the entry;
#   5. Alertmanager (behind its login) refuses an anonymous alert; a synthetic PredictionServiceDown posted
#      with the operator login reaches the controller's webhook with the bearer token and is refused there
#      (Prometheus does not corroborate it), and nothing switches again.
# Self-contained: builds the images (docker/offline/build-all.sh), brings a separate compose project up on
# free ports with a fast-window copy of the policy (docker/drill/drill-policy.mjs), and takes it down
# again (down -v) on exit, failure or Ctrl-C. Exits non-zero on the first failed check.
#
# Usage: bash scripts/test_rollback.sh      (npm run drill)
# Env: DRILL_PROJECT (default guardrail-drill), DRILL_SKIP_BUILD=1 (reuse images), DRILL_KEEP=1 (leave the
#      stack up for a look; take it down with: docker-compose -p guardrail-drill -f docker/compose.yaml down -v)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
project=${DRILL_PROJECT:-guardrail-drill}
target=prediction-service
started_at=$(date +%s)

if docker compose version >/dev/null 2>&1; then compose_cmd=(docker compose); else compose_cmd=(docker-compose); fi
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

step() { printf '\n=== %s (t+%ss)\n' "$*" "$(($(date +%s) - started_at))"; }
ok() { printf '  OK   %s\n' "$*"; }
fail() {
  printf '  FAIL %s\n' "$*" >&2
  echo "--- controller log (last 25 lines) ---" >&2
  compose logs --no-color --tail 25 controller >&2 2>&1 || true
  exit 1
}

workdir=$(mktemp -d /tmp/guardrail-drill.XXXXXX)
traffic_pid=
cleanup() {
  local rc=$?
  [ -n "$traffic_pid" ] && kill "$traffic_pid" 2>/dev/null || true
  if [ "${DRILL_KEEP:-0}" = 1 ]; then
    echo "drill: DRILL_KEEP=1, stack $project left up (ports: api $API_PORT, controller $CONTROLLER_PORT)"
  else
    compose down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  fi
  rm -rf "$workdir"
  if [ "$rc" = 0 ]; then echo "drill: PASSED in $(($(date +%s) - started_at)) s"; else echo "drill: FAILED (exit $rc)" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export COMPOSE_PROJECT_NAME=$project
export API_PORT=${API_PORT:-$(free_port)} CONSUMER_PORT=${CONSUMER_PORT:-$(free_port)} CONTROLLER_PORT=${CONTROLLER_PORT:-$(free_port)}
export PROMETHEUS_PORT=${PROMETHEUS_PORT:-$(free_port)} ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-$(free_port)}
export DOCKER_GID=${DOCKER_GID:-$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 0)}
export GUARDRAIL_POLICIES_PATH=$workdir/policies
# These must not leak from the caller's shell into the stack: the drill sets them itself, step by step.
unset MODEL_VARIANT FAULT_ML_ERROR_RATE FAULT_ML_LATENCY_MS

compose() { "${compose_cmd[@]}" -p "$project" -f "$repo/docker/compose.yaml" "$@"; }
api=http://127.0.0.1:$API_PORT
controller_url=http://127.0.0.1:$CONTROLLER_PORT
token_file=$repo/docker/secrets/guardrail-token
# Alertmanager's API needs a login in the stack (docs/security.md): the operator's, from make-secrets.sh.
am_auth() { printf 'operator:%s' "$(cat "$repo/docker/secrets/alertmanager-password-operator")"; }
guardrail() { node "$repo/bin/guardrail.js" "$@" --url "$controller_url" --token-file "$token_file"; }

model_version() { curl -fsS --max-time 2 "$api/version" 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).model_version)}catch{console.log("")}})'; }
# wait_version PATTERN SECONDS: polls /version until model_version matches the glob.
wait_version() {
  local pattern=$1 limit=$2 t0 version=
  t0=$(date +%s)
  while [ $(($(date +%s) - t0)) -lt "$limit" ]; do
    version=$(model_version)
    # shellcheck disable=SC2053 # a glob on purpose
    if [[ -n "$version" && "$version" == $pattern ]]; then
      WAITED=$(($(date +%s) - t0))
      VERSION=$version
      return 0
    fi
    sleep 0.5
  done
  VERSION=$version
  return 1
}
predict() {
  curl -sS --max-time 5 -X POST "$api/predict" -H 'Content-Type: application/json' \
    -d '{"price": 50000.0, "midprice": 50000.0, "return_1s": 0.001, "return_5s": 0.002, "volatility": 0.02}' "$@"
}
# has_phase PHASE: guardrail status --json says the target is in PHASE (read whole, then matched).
has_phase() {
  local json
  json=$(guardrail status --json 2>/dev/null) || return 1
  grep -q "\"phase\": *\"$1\"" <<<"$json"
}
check_prediction() {
  local body
  body=$(predict) || fail "POST /predict did not answer"
  echo "$body" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const b=JSON.parse(s);process.exit(typeof b.prediction==="number"&&b.model_version===process.argv[1]?0:1)})' "$1" ||
    fail "POST /predict answered $body (expected a prediction from $1)"
  ok "prediction works: $body"
}

step "0. Build images and start the stack ($project)"
if [ "${DRILL_SKIP_BUILD:-0}" != 1 ]; then bash docker/offline/build-all.sh 2>&1 | grep -v -i 'deprecated\|buildkit\|environment-variable\|^ *$' || fail "build-all.sh failed"; fi
bash docker/make-secrets.sh >/dev/null
mkdir -p "$GUARDRAIL_POLICIES_PATH"
node docker/drill/drill-policy.mjs docker/controller/policies/prediction-service.yaml "$GUARDRAIL_POLICIES_PATH/prediction-service.yaml" "$project"
# The controller runs as an unprivileged user: the mounted policy must be readable to it.
chmod 755 "$workdir" "$GUARDRAIL_POLICIES_PATH" && chmod 644 "$GUARDRAIL_POLICIES_PATH/prediction-service.yaml"
compose down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
compose up -d api prediction-consumer redis prometheus alertmanager controller front-door >/dev/null 2>&1 || fail "compose up failed"
ok "stack up: api $api, controller $controller_url, Prometheus :$PROMETHEUS_PORT, Alertmanager :$ALERTMANAGER_PORT"

step "1. Testing ML model (normal mode)"
wait_version 'xgb-*' 90 || fail "api did not serve the ML model within 90 s (model_version=$VERSION)"
ok "ML model is active: $VERSION"
ml_version=$VERSION
check_prediction "$ml_version"
for _ in $(seq 1 60); do guardrail status --json >/dev/null 2>&1 && break; sleep 1; done
guardrail status || fail "guardrail status failed"

step "2a. Rollback to baseline through Guardrail's CLI"
guardrail rollback "$target" --reason "drill: manual rollback (scripts/test_rollback.sh)" || fail "guardrail rollback was refused"
wait_version 'baseline-*' 90 || fail "still serving $VERSION 90 s after the manual rollback"
ok "rolled back to $VERSION in ${WAITED}s"
# start-first: the old container serves beside the new one until the switch ends (the settle), and the
# front door sends to both meanwhile; the switch is over when the status says so.
for _ in $(seq 1 30); do has_phase rolled_back && break; sleep 1; done
check_prediction "$VERSION"
# Read the whole log first: `grep -q` on a pipe exits at the first match and, with pipefail, the
# SIGPIPE it gives `compose logs` would count as a failure.
api_log=$(compose logs --no-color api 2>&1 || true)
grep -q 'ROLLBACK MODE' <<<"$api_log" || fail "no ROLLBACK MODE line in the api log"
ok "api log says ROLLBACK MODE"
for _ in $(seq 1 30); do has_phase rolled_back && break; sleep 1; done
has_phase rolled_back || fail "guardrail status does not say rolled_back"
ok "guardrail status: rolled_back"

step "2b. Roll forward to ML through Guardrail's CLI"
guardrail rollforward "$target" --reason "drill: roll forward" || fail "guardrail rollforward was refused"
wait_version 'xgb-*' 90 || fail "still serving $VERSION 90 s after the roll-forward"
ok "rolled forward to $VERSION in ${WAITED}s"
for _ in $(seq 1 30); do has_phase watching && break; sleep 1; done
has_phase watching || fail "guardrail status does not say watching after the roll-forward"
check_prediction "$VERSION"

step "3a. The seed's way: MODEL_VARIANT=baseline compose up -d api prediction-consumer"
MODEL_VARIANT=baseline compose up -d api prediction-consumer >/dev/null 2>&1 || fail "compose up with MODEL_VARIANT=baseline failed"
wait_version 'baseline-*' 90 || fail "MODEL_VARIANT=baseline did not give baseline-* (got $VERSION)"
ok "baseline via the env var: $VERSION (${WAITED}s)"
check_prediction "$VERSION"

step "3b. The seed's roll forward: compose up -d api prediction-consumer without MODEL_VARIANT"
compose up -d api prediction-consumer >/dev/null 2>&1 || fail "compose up without MODEL_VARIANT failed"
wait_version 'xgb-*' 90 || fail "unsetting MODEL_VARIANT did not give the ML model back (got $VERSION)"
ok "ML again: $VERSION (${WAITED}s)"

step "4. Automatic: inject an ML fault (FAULT_ML_ERROR_RATE=0.5) under traffic"
FAULT_ML_ERROR_RATE=0.5 compose up -d api >/dev/null 2>&1 || fail "compose up with FAULT_ML_ERROR_RATE failed"
wait_version 'xgb-*' 90 || fail "api with the fault did not come up (got $VERSION)"
# ~40 requests/s, counted per status, until killed.
node -e '
  const url = process.argv[1] + "/predict"; const counts = {};
  const body = JSON.stringify({ price: 50000, midprice: 50000, return_1s: 0.001, return_5s: 0.002, volatility: 0.02 });
  setInterval(() => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(2000) })
    .then((r) => { counts[r.status] = (counts[r.status] ?? 0) + 1; return r.arrayBuffer(); })
    .catch(() => { counts.error = (counts.error ?? 0) + 1; }), 25);
  process.on("SIGTERM", () => { console.log("  traffic: " + JSON.stringify(counts)); process.exit(0); });
' "$api" &
traffic_pid=$!
sleep 3
errors=0
for _ in $(seq 1 20); do code=$(predict -o /dev/null -w '%{http_code}' 2>/dev/null || true); [ "$code" = 500 ] && errors=$((errors + 1)); done
[ "$errors" -gt 0 ] || fail "the fault is not visible: no 500 in 20 requests"
ok "fault visible: $errors of 20 requests answered 500"
fault_at=$(date +%s)
wait_version 'baseline-*' 120 || fail "Guardrail did not roll back within 120 s of the fault (still $VERSION)"
ok "Guardrail rolled back by itself to $VERSION, $(($(date +%s) - fault_at))s after the fault was visible"
for _ in $(seq 1 30); do has_phase rolled_back && break; sleep 1; done
sleep 2
errors=0
for _ in $(seq 1 20); do code=$(predict -o /dev/null -w '%{http_code}' 2>/dev/null || true); [ "$code" = 200 ] || errors=$((errors + 1)); done
[ "$errors" = 0 ] || fail "$errors of 20 requests still failed after the rollback"
ok "errors stopped: 20 of 20 requests answered 200 on the baseline"
kill -TERM "$traffic_pid" 2>/dev/null && wait "$traffic_pid" 2>/dev/null || true
traffic_pid=

alerts=
for _ in $(seq 1 30); do
  alerts=$(curl -fsS -u "$(am_auth)" "http://127.0.0.1:$ALERTMANAGER_PORT/api/v2/alerts?filter=alertname%3D%22GuardrailRollbackStarted%22" || true)
  grep -q '"severity":"info"' <<<"$alerts" && break
  sleep 1
done
grep -q '"severity":"info"' <<<"$alerts" || fail "no INFO GuardrailRollbackStarted alert in Alertmanager: $alerts"
ok "Alertmanager has the INFO alert GuardrailRollbackStarted"

history=$(guardrail history --markdown) || fail "guardrail history failed"
echo "$history"
grep -q 'high-error-rate' <<<"$history" || fail "the history has no high-error-rate rollback"
ok "history records the automatic rollback (high-error-rate)"
guardrail status

step "5. Alertmanager -> controller webhook (Alertmanager login, bearer token, corroboration)"
history_total() { guardrail history --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).total))'; }
webhook_outcome() { # webhook_outcome OUTCOME: guardrail_webhook_alerts_total{outcome=OUTCOME}, 0 if absent
  local metrics
  metrics=$(curl -fsS --max-time 2 "$controller_url/metrics" 2>/dev/null || true)
  awk -v o="$1" '$1 == "guardrail_webhook_alerts_total{outcome=\"" o "\"}" { v = $2 } END { print v + 0 }' <<<"$metrics"
}
before_total=$(history_total)
# While rolled back the engine refuses the alert before asking Prometheus (nothing to do: already on the
# baseline); otherwise Prometheus does not corroborate it. Either way it is delivered, counted, and refused.
delivered() { echo $(($(webhook_outcome not_corroborated) + $(webhook_outcome queued))); }
before_delivered=$(delivered)
# The rule alert the policy maps to target-down, posted as Prometheus would post it: first without a login.
synthetic='[{"labels":{"alertname":"PredictionServiceDown","severity":"critical","service":"prediction-service","source":"drill"},"annotations":{"summary":"drill: synthetic alert"}}]'
anonymous=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$ALERTMANAGER_PORT/api/v2/alerts" -H 'Content-Type: application/json' -d "$synthetic")
[ "$anonymous" = 401 ] || fail "Alertmanager accepted an alert without a login (HTTP $anonymous)"
ok "Alertmanager refuses an alert posted without its login (HTTP 401)"
curl -fsS -u "$(am_auth)" -X POST "http://127.0.0.1:$ALERTMANAGER_PORT/api/v2/alerts" -H 'Content-Type: application/json' -d "$synthetic" >/dev/null ||
  fail "Alertmanager refused the synthetic alert posted with the operator login"
now_delivered=$before_delivered
for _ in $(seq 1 30); do
  now_delivered=$(delivered)
  [ "$now_delivered" -gt "$before_delivered" ] && break
  sleep 1
done
[ "$now_delivered" -gt "$before_delivered" ] ||
  fail "the synthetic PredictionServiceDown never reached the controller's webhook (guardrail_webhook_alerts_total queued + not_corroborated = $now_delivered)"
ok "Alertmanager delivered PredictionServiceDown to the controller's webhook (queued + not_corroborated: $before_delivered -> $now_delivered; not_corroborated $(webhook_outcome not_corroborated))"
sleep 3
wait_version 'baseline-*' 5 || fail "the webhook alert changed the serving model ($VERSION)"
[ "$(history_total)" = "$before_total" ] || fail "the webhook alert started another switch while already rolled back"
ok "already rolled back: no second switch (history still has $before_total entries)"

step "All rollback checks passed"
