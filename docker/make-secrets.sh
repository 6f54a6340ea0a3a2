#!/usr/bin/env bash
# Creates the secrets compose.yaml mounts, once, in docker/secrets/ (a 0700 directory). Every file is
# mode 0600 and, when this runs as root, owned by the uid of the one container process that reads it
# (compose bind-mounts secret files as they are, so that owner is what lets exactly that process read it):
#   guardrail-token                      the controller's API token (CLI, manual rollback)      node (1000)
#   guardrail-webhook-token              what the controller accepts on its webhook             node (1000)
#   alertmanager-webhook-token           the same token, as Alertmanager sends it (Bearer)      nobody (65534)
#   alertmanager-password-prometheus     Prometheus' basic-auth password for Alertmanager       nobody (65534)
#   alertmanager-password-controller     the controller's basic-auth password for Alertmanager  node (1000)
#   alertmanager-password-operator       for people and scripts on the host (UI, amtool, curl)  you (not mounted)
#   alertmanager-web.yml                 Alertmanager's --web.config.file: the bcrypt hashes    nobody (65534)
#   grafana-admin-password               Grafana's `admin` password (GF_SECURITY_ADMIN_PASSWORD__FILE) grafana (472)
# Existing tokens and passwords are kept (the modes and owners are fixed on every run, which also repairs
# files an older version wrote 0644); the webhook token's copy and web.yml are rewritten when their source
# changed. GUARDRAIL_TOKEN / GUARDRAIL_WEBHOOK_TOKEN / GRAFANA_ADMIN_PASSWORD in the environment are used instead of random values.
# Not root: the owners are set with a throwaway container of the stack's Alertmanager image instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/secrets
mkdir -p "$dir" && chmod 700 "$dir"
NODE_UID=1000
NOBODY_UID=65534
GRAFANA_UID=472

random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# write_secret FILE VALUE: a new file, 0600 from the first byte (umask), never overwriting.
write_secret() {
  local file=$1 value=$2
  if [ -s "$file" ]; then return 0; fi
  [ -n "$value" ] || value=$(random)
  (umask 077 && printf '%s' "$value" >"$file")
  echo "make-secrets: wrote $file"
}

write_secret "$dir/guardrail-token" "${GUARDRAIL_TOKEN:-}"
write_secret "$dir/guardrail-webhook-token" "${GUARDRAIL_WEBHOOK_TOKEN:-}"
for who in prometheus controller operator; do write_secret "$dir/alertmanager-password-$who" ""; done
write_secret "$dir/grafana-admin-password" "${GRAFANA_ADMIN_PASSWORD:-}"

# Alertmanager's copy of the webhook token: the same bytes, another owner.
if ! cmp -s "$dir/guardrail-webhook-token" "$dir/alertmanager-webhook-token" 2>/dev/null; then
  (umask 077 && cat "$dir/guardrail-webhook-token" >"$dir/alertmanager-webhook-token.new") && mv -f "$dir/alertmanager-webhook-token.new" "$dir/alertmanager-webhook-token"
  echo "make-secrets: wrote $dir/alertmanager-webhook-token"
fi

web=$dir/alertmanager-web.yml
if [ ! -s "$web" ] || [ -n "$(find "$dir" -name 'alertmanager-password-*' -newer "$web" -print -quit)" ]; then
  command -v node >/dev/null || { echo "make-secrets: node is needed to hash the Alertmanager passwords" >&2; exit 1; }
  [ -d "$here/../node_modules/bcryptjs" ] || { echo "make-secrets: run npm ci first (bcryptjs hashes the Alertmanager passwords)" >&2; exit 1; }
  (umask 077 && node "$here/alertmanager-web-config.mjs" \
    "prometheus=$dir/alertmanager-password-prometheus" \
    "controller=$dir/alertmanager-password-controller" \
    "operator=$dir/alertmanager-password-operator" >"$web.new") && mv -f "$web.new" "$web"
  echo "make-secrets: wrote $web"
fi

owned_by() { # owned_by UID FILE...
  local uid=$1; shift
  chmod 600 "$@"
  if [ "$(id -u)" = 0 ]; then
    chown "$uid:$uid" "$@"
  elif [ "$(stat -c %u "$1")" != "$uid" ]; then
    # A non-root user cannot give a file away; a container of an image the stack uses anyway can.
    local names=() f
    for f in "$@"; do names+=("/secrets/$(basename "$f")"); done
    docker run --rm --network none --user 0:0 --entrypoint chown -v "$dir:/secrets" "${ALERTMANAGER_IMAGE:-prom/alertmanager:latest}" "$uid:$uid" "${names[@]}" ||
      { echo "make-secrets: could not give $* to uid $uid (run as root, or sudo chown $uid $*)" >&2; exit 1; }
  fi
}
owned_by "$NODE_UID" "$dir/guardrail-token" "$dir/guardrail-webhook-token" "$dir/alertmanager-password-controller"
owned_by "$NOBODY_UID" "$dir/alertmanager-webhook-token" "$dir/alertmanager-password-prometheus" "$web"
owned_by "$GRAFANA_UID" "$dir/grafana-admin-password"
chmod 600 "$dir/alertmanager-password-operator"
