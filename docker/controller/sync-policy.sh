#!/usr/bin/env bash
# Regenerates docker/controller/policies/prediction-service.yaml from policies/prediction-service.yaml:
# the same policy with `verify.via: container-ip` (the controller runs in a container; see docs/docker.md).
# Run it after editing the shipped policy; test/unit/stack/stack-config.test.ts fails until you do.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=$repo/policies/prediction-service.yaml
dest=$repo/docker/controller/policies/prediction-service.yaml
node --input-type=module - "$src" "$dest" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const [src, dest] = process.argv.slice(2);
const lines = readFileSync(src, 'utf8').split('\n');
const header = [
  '# yaml-language-server: $schema=../../../policies/policy.schema.json',
  '#',
  "# THE COMPOSE STACK'S COPY of policies/prediction-service.yaml (mounted by docker/compose.yaml), made by",
  '# docker/controller/sync-policy.sh. It differs in one line only, `verify.via: container-ip`: the controller',
  "# runs in a container on the stack's network, where the published host port (127.0.0.1:8000) is not",
  '# reachable, so it verifies each new container on its network IP. Edit the shipped policy, then re-run',
  '# the script; test/unit/stack/stack-config.test.ts fails if the two drift apart in anything else.',
];
const body = lines[0]?.startsWith('# yaml-language-server') ? lines.slice(1) : lines;
// `verify:` is the only block of that name; insert `via` after its last indented line.
const at = body.findIndex((l) => /^  verify:\s*$/.test(l));
if (at < 0) throw new Error(`${src}: no target.verify block`);
let end = at + 1;
while (end < body.length && /^    \S/.test(body[end] ?? '')) end += 1;
if (body.slice(at + 1, end).some((l) => /^    via:/.test(l))) throw new Error(`${src}: verify.via is already set`);
body.splice(end, 0, '    via: container-ip');
writeFileSync(dest, [...header, ...body].join('\n'));
JS
echo "sync-policy: wrote $dest"
