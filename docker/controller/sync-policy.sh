#!/usr/bin/env bash
# Regenerates the stacks' copies of policies/prediction-service.yaml:
# - docker/controller/policies/prediction-service.yaml (the compose stack): the same policy with
#   `verify.via: container-ip` (the controller runs in a container; see docs/docker.md);
# - docker/controller/swarm-policies/prediction-service.yaml (the Swarm stack, docker/stack.sh): also the
#   target as `swarm: {stack: guardrail, ...}` with strategy start-first and parallelism 1, and without the
#   stopSignal, warmStandby and roll-forward shadow Swarm does not take (docs/swarm.md).
# Run it after editing the shipped policy; test/unit/stack/stack-config.test.ts fails until you do.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=$repo/policies/prediction-service.yaml
node --input-type=module - "$src" "$repo/docker/controller" <<'JS'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const [src, out] = process.argv.slice(2);
const lines = readFileSync(src, 'utf8').split('\n');
const body = lines[0]?.startsWith('# yaml-language-server') ? lines.slice(1) : lines;

function replaceLine(list, pattern, replacement) {
  const at = list.findIndex((l) => pattern.test(l));
  if (at < 0) throw new Error(`${src}: no line matches ${pattern}`);
  list.splice(at, 1, ...replacement);
}

/** Replaces a top-level block (its key line and every indented line after it). */
function replaceBlock(list, pattern, replacement) {
  const at = list.findIndex((l) => pattern.test(l));
  if (at < 0) throw new Error(`${src}: no line matches ${pattern}`);
  let end = at + 1;
  while (end < list.length && /^ /.test(list[end] ?? '')) end += 1;
  list.splice(at, end - at, ...replacement);
}

/** `verify:` is the only block of that name; insert `via` after its last indented line. */
function withVia(list) {
  const copy = [...list];
  const at = copy.findIndex((l) => /^  verify:\s*$/.test(l));
  if (at < 0) throw new Error(`${src}: no target.verify block`);
  let end = at + 1;
  while (end < copy.length && /^    \S/.test(copy[end] ?? '')) end += 1;
  if (copy.slice(at + 1, end).some((l) => /^    via:/.test(l))) throw new Error(`${src}: verify.via is already set`);
  copy.splice(end, 0, '    via: container-ip');
  return copy;
}

function write(dir, header, list) {
  mkdirSync(`${out}/${dir}`, { recursive: true });
  writeFileSync(`${out}/${dir}/prediction-service.yaml`, [...header, ...list].join('\n'));
  console.log(`sync-policy: wrote docker/controller/${dir}/prediction-service.yaml`);
}

const compose = withVia(body);
write('policies', [
  '# yaml-language-server: $schema=../../../policies/policy.schema.json',
  '#',
  "# THE COMPOSE STACK'S COPY of policies/prediction-service.yaml (mounted by docker/compose.yaml), made by",
  '# docker/controller/sync-policy.sh. It differs in one line only, `verify.via: container-ip`: the controller',
  "# runs in a container on the stack's network, where the published host port (127.0.0.1:8000) is not",
  '# reachable, so it verifies each new container on its network IP. Edit the shipped policy, then re-run',
  '# the script; test/unit/stack/stack-config.test.ts fails if the two drift apart in anything else.',
], compose);

const swarm = [...compose];
replaceLine(swarm, /^ {2}compose:\s*$/, ['  swarm:']);
replaceLine(swarm, /^ {4}project: guardrail\s*$/, ['    stack: guardrail']);
replaceLine(swarm, /^ {2}strategy: start-first\b/, ['  strategy: start-first      # Swarm update_config.order: each new task beside the old one', '  parallelism: 1             # tasks replaced at a time']);
replaceLine(swarm, /^ {2}stopSignal:/, []);
replaceLine(swarm, /^ {2}warmStandby:/, []);
replaceBlock(swarm, /^rollforward:\s*$/, ['rollforward:', '  mode: manual              # no shadow on Swarm: Swarm owns the tasks (docs/swarm.md)']);
write('swarm-policies', [
  '# yaml-language-server: $schema=../../../policies/policy.schema.json',
  '#',
  "# THE SWARM STACK'S COPY of policies/prediction-service.yaml (docker/stack.sh mounts it through",
  '# GUARDRAIL_POLICIES_PATH), made by docker/controller/sync-policy.sh. It differs in rollforward (manual, no',
  '# shadow: Swarm owns the tasks, so no candidate can run beside them) and in the target: the',
  '# services of stack `guardrail` (swarm:), switched by a Swarm service update start-first one task at a',
  '# time, without stopSignal (Swarm stops old tasks with their own stop signal) or warmStandby (Swarm owns',
  "# the tasks), verified on each task's address on the stack's overlay network (via: container-ip).",
  '# docs/swarm.md. Edit the shipped policy, then re-run the script; test/unit/stack/stack-config.test.ts',
  '# fails if they drift apart in anything else.',
], swarm);
JS
