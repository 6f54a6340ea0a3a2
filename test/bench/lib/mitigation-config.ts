// bench:mitigation's set-up pieces: each chain's policy and target lines, the DIY Alertmanager route, the
// breach expression, Prometheus' scrape job, and how a switch went with respect to the warm standby.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import type { Policy } from '../../../controller/core/index.js';
import type { LoadResult } from './load.js';
import { isDiy, type ChainName, type GuardrailChain, type Scenario, type StandbyOutcome } from './mitigation-model.js';
import { failedBetween } from './mitigation-report.js';
import type { RecordingActuator } from './recording-actuator.js';
import { benchPolicyYaml, reasonExpr } from './shipped-policy.js';

/** BENCH_WARM_STANDBY=0: the guardrail-standby chain without the warmStandby line (plain start-first). */
export const WARM_STANDBY = process.env['BENCH_WARM_STANDBY'] !== '0';

/** The target lines of each Guardrail chain (the shipped policy's recreate + SIGINT, or start-first + standby). */
export function benchTarget(chain: GuardrailChain, project: string): Parameters<typeof benchPolicyYaml>[0] {
  if (chain === 'guardrail') return { project, strategy: { strategy: 'recreate', stopSignal: 'SIGINT' } };
  // The controller runs on the host: the new container has no published port, its bridge IP is reachable.
  return { project, strategy: { strategy: 'start-first', stopSignal: 'SIGINT', ...(WARM_STANDBY ? { warmStandby: true } : {}) }, verifyVia: 'container-ip' };
}

/** Alertmanager with its defaults (no timing keys at all), or with group_wait 0s as our stack's webhook route. */
export function alertmanagerYaml(webhookUrl: string, groupWaitZero: boolean): string {
  return `route:
  receiver: diy
${groupWaitZero ? '  group_wait: 0s\n' : ''}receivers:
  - name: diy
    webhook_configs:
      - url: ${webhookUrl}
`;
}

/** The scenario's reason as a 0/1 series: 1 while every condition of it is beyond its threshold. */
export function breachingExpr(policy: Policy, reasonName: string): { expr: string; forMs: number } {
  const reason = policy.reasons.find((r) => r.name === reasonName);
  if (reason === undefined) throw new Error(`the shipped policy has no reason ${reasonName}`);
  return { expr: `count(${reasonExpr(reason)}) or on() vector(0)`, forMs: Math.max(...reason.conditions.map((c) => c.forMs)) };
}

/** The shipped policy for this chain and scenario, parsed (the DIY rules are derived from it too). */
export function benchPolicy(chain: ChainName, s: Scenario, project: string): { yaml: string; policy: Policy } {
  const yaml = benchPolicyYaml(benchTarget(isDiy(chain) ? 'guardrail' : chain, project), s.scale);
  const parsed = parsePolicyText(yaml, 'bench-mitigation.yaml');
  if (!parsed.ok) throw new Error(`policy: ${JSON.stringify(parsed.errors)}`);
  return { yaml, policy: parsed.loaded.policy };
}

/** Prometheus scraping the api as job "prediction-service" (the shipped policy's job label), every 1 s. */
export function scrapeJob(target: string): Record<string, unknown>[] {
  return [{ job_name: 'prediction-service', static_configs: [{ targets: [target] }] }];
}

export function standbyOutcome(recorder: RecordingActuator, readyWaitMs: number | undefined, load: LoadResult, onsetAt: number): StandbyOutcome {
  const sw = recorder.switches[0];
  const calledAt = sw?.calledAt;
  const phases =
    sw?.verifiedAt === undefined || sw.doneAt === undefined
      ? undefined
      : ([
          failedBetween(load, onsetAt, sw.calledAt),
          failedBetween(load, sw.calledAt, sw.verifiedAt),
          failedBetween(load, sw.verifiedAt, sw.doneAt),
          failedBetween(load, sw.doneAt, Number.POSITIVE_INFINITY),
        ] as const);
  return {
    fromStandby: recorder.fromStandby(),
    stateAtDecision: calledAt === undefined ? undefined : recorder.standbyStateAt(calledAt),
    readyWaitMs,
    steps: calledAt === undefined ? '' : recorder.steps.map((step) => `${step.name} +${step.atMs - calledAt}`).join(', '),
    failedByPhase: phases,
  };
}

/** The reason Guardrail's first rollback recorded (its history file). */
export async function guardrailReason(dir: string): Promise<string> {
  const text = await readFile(join(dir, 'state', 'history.jsonl'), 'utf8').catch(() => '');
  for (const line of text.split('\n').filter((l) => l !== '')) {
    // One `{v, entry}` per line (adapters/journal/jsonl-history.ts); the start record names the reason.
    const { entry } = JSON.parse(line) as { entry?: { kind?: string; reason?: string } };
    if (entry?.kind === 'start' && entry.reason !== undefined) return entry.reason;
  }
  return '—';
}
