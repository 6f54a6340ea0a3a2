#!/usr/bin/env bash
# Creates the two tokens compose.yaml mounts as secrets, once: docker/secrets/guardrail-token (the
# controller's API token: CLI, manual rollback) and docker/secrets/guardrail-webhook-token (what
# Alertmanager sends as `Authorization: Bearer` to the controller's webhook). Existing files are kept.
# GUARDRAIL_TOKEN / GUARDRAIL_WEBHOOK_TOKEN in the environment are used instead of random values.
# Files are 0644 inside a 0700 directory: the containers read them as non-root users (node, nobody),
# other host users cannot reach them.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)/secrets
mkdir -p "$dir" && chmod 700 "$dir"
make_token() {
  local file=$1 value=$2
  if [ -s "$file" ]; then echo "make-secrets: $file exists, kept"; return 0; fi
  [ -n "$value" ] || value=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 022 && printf '%s' "$value" >"$file")
  echo "make-secrets: wrote $file"
}
make_token "$dir/guardrail-token" "${GUARDRAIL_TOKEN:-}"
make_token "$dir/guardrail-webhook-token" "${GUARDRAIL_WEBHOOK_TOKEN:-}"
