// Runs scenario tests against the real engine on a virtual clock, the way promtool runs rule tests:
// scripted events first, then the tick, then the simulated actuator's answers, at each time.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { decide, initialState, queriesOf, type Command, type EngineEvent, type Policy, type Sample, type TargetState } from '../core/index.js';
import { formatPolicyError } from '../ports/policy-source.js';
import { policySource } from '../wiring/policy.js';
import { formatDuration } from '../core/duration.js';
import type { SeriesReplay } from '../ports/series-replay.js';
import { seriesReplay } from '../wiring/series-replay.js';
import { expandSeries } from './policy-series.js';
import { replayedTickSamples, type TickSamples } from './policy-scenario-raw.js';
import { parseScenario, type ScenarioEvent, type ScenarioTest } from './policy-scenario-format.js';

export interface TestResult {
  readonly file: string;
  readonly name: string;
  /** Empty when the test passed; otherwise readable expected/actual diffs. */
  readonly failures: readonly string[];
}

/** Compact, diffable form of a command: `rollback high-error-rate automatic`, `notify info GuardrailRollbackStarted`. */
export function formatCommand(command: Command): string {
  switch (command.type) {
    case 'rollback':
      return `rollback ${command.evidence.reason} ${command.evidence.trigger.kind}`;
    case 'rollforward':
      return `rollforward ${command.evidence.trigger.kind}`;
    case 'notify':
      return command.alert.resolvedAtMs === undefined
        ? `notify ${command.alert.severity} ${command.alert.name}`
        : `resolve ${command.alert.name}`;
    case 'record':
      return `record ${command.action} ${command.reason}`;
  }
}

interface Moment {
  phase: string;
  commands: string[];
  refused: string[];
}

function healthyValue(policy: Policy, id: string): Sample {
  if (id === policy.evaluation.minRequests?.id) return { kind: 'value', value: policy.evaluation.minRequests.min };
  const all = [...policy.reasons.flatMap((r) => r.conditions), ...policy.vetoes.map((v) => v.condition), ...policy.alerts.map((a) => a.condition)];
  // Exactly the threshold is OK: only a value strictly beyond it breaches.
  return { kind: 'value', value: all.find((c) => c.id === id)?.threshold ?? 0 };
}

/** Per-condition mode: each listed query id reads its series; the others read `others`. */
function conditionSamples(policy: Policy, test: ScenarioTest): TickSamples {
  const ids = queriesOf(policy).map((q) => q.id);
  const unknownIds = Object.keys(test.series).filter((id) => !ids.includes(id));
  if (unknownIds.length > 0) throw new Error(`series for unknown query id(s) ${unknownIds.join(', ')}; the policy's ids are: ${ids.join(', ')}`);
  const series = new Map(Object.entries(test.series).map(([id, text]) => [id, expandSeries(text)] as const));
  return (tick) => {
    const out: Record<string, Sample> = {};
    for (const id of ids) {
      const values = series.get(id);
      if (values !== undefined && values.length > 0) {
        // A series shorter than the test holds its last sample.
        out[id] = values[Math.min(tick, values.length - 1)] as Sample;
      } else if (test.others === 'healthy') {
        out[id] = healthyValue(policy, id);
      }
    }
    return out;
  };
}

function engineEvent(e: ScenarioEvent, state: TargetState, atMs: number): EngineEvent {
  const rollbackId = state.rollback?.rollbackId ?? 'none';
  const action = state.phase === 'rolling_forward' ? 'rollforward' : 'rollback';
  switch (e.type) {
    case 'pause':
      return { type: 'pause', actor: e.actor, reason: e.reason, untilMs: atMs + e.forMs };
    case 'actuation_succeeded':
      return { type: 'actuation_succeeded', action, rollbackId };
    case 'actuation_failed':
      return { type: 'actuation_failed', action, rollbackId, error: e.error };
    case 'webhook':
      return { type: 'webhook', alertname: e.alertname, reason: e.reason, labels: e.labels };
    case 'manual_rollback':
      return e.policyReason === undefined
        ? { type: e.type, actor: e.actor, reason: e.reason }
        : { type: e.type, actor: e.actor, reason: e.reason, policyReason: e.policyReason };
    default:
      return { type: e.type, actor: e.actor, reason: e.reason };
  }
}

const intervalOf = (policy: Policy, test: ScenarioTest): number => test.intervalMs ?? policy.evaluation.intervalMs;
const endOf = (test: ScenarioTest): number => Math.max(...test.expect.map((x) => x.atMs), ...test.events.map((x) => x.atMs));

/** Plays one test and returns what happened at each time (relative ms → moment). */
function play(policy: Policy, test: ScenarioTest, samplesFor: TickSamples): Map<number, Moment> {
  const interval = intervalOf(policy, test);
  const endMs = endOf(test);
  const actuations = new Map<number, EngineEvent['type'][]>();
  const moments = new Map<number, Moment>();
  let state = initialState(policy, test.startMs);

  const times = new Set<number>();
  for (let t = 0; t <= endMs; t += interval) times.add(t);
  for (const e of test.events) times.add(e.atMs);
  const pending: number[] = [...times].sort((a, b) => a - b);

  while (pending.length > 0) {
    const t = pending.shift() as number;
    const now = test.startMs + t;
    const moment: Moment = moments.get(t) ?? { phase: state.phase, commands: [], refused: [] };
    const apply = (event: EngineEvent): void => {
      const d = decide(policy, state, event, now);
      state = d.state;
      moment.commands.push(...d.commands.map(formatCommand));
      if (d.refused !== undefined) moment.refused.push(d.refused.reason);
      const acted = d.commands.some((c) => c.type === 'rollback' || c.type === 'rollforward');
      if (acted && test.actuator.result !== 'none') {
        const at = t + test.actuator.afterMs;
        const kind = test.actuator.result === 'succeed' ? 'actuation_succeeded' : 'actuation_failed';
        actuations.set(at, [...(actuations.get(at) ?? []), kind]);
        if (at !== t && !pending.includes(at)) {
          pending.push(at);
          pending.sort((a, b) => a - b);
        }
      }
    };
    for (const e of test.events.filter((x) => x.atMs === t)) apply(engineEvent(e, state, now));
    if (t % interval === 0) apply({ type: 'tick', samples: samplesFor(t / interval) });
    // Answers due now (immediate ones are added while this loop runs).
    for (let i = 0; i < (actuations.get(t)?.length ?? 0); i++) {
      const kind = actuations.get(t)?.[i];
      const e: ScenarioEvent = kind === 'actuation_succeeded' ? { atMs: t, type: kind } : { atMs: t, type: 'actuation_failed', error: 'simulated actuator failure' };
      apply(engineEvent(e, state, now));
    }
    moment.phase = state.phase;
    moments.set(t, moment);
  }
  return moments;
}

function listDiff(expected: readonly string[], actual: readonly string[]): string {
  return [`    expected: [${expected.join(', ')}]`, `    actual:   [${actual.join(', ')}]`].join('\n');
}

function momentAt(moments: Map<number, Moment>, atMs: number): Moment {
  const exact = moments.get(atMs);
  if (exact !== undefined) return exact;
  const before = [...moments.keys()].filter((t) => t <= atMs).sort((a, b) => b - a)[0];
  const phase = before === undefined ? 'watching' : (moments.get(before)?.phase ?? 'watching');
  return { phase, commands: [], refused: [] };
}

/** Plays one test; raw-series tests are first evaluated by Prometheus (the series-replay port). */
export async function runTest(policy: Policy, test: ScenarioTest, replay: SeriesReplay = seriesReplay): Promise<string[]> {
  const interval = intervalOf(policy, test);
  const samplesFor =
    test.inputSeries === undefined
      ? conditionSamples(policy, test)
      : await replayedTickSamples(policy, test, replay, interval, Math.floor(endOf(test) / interval) + 1);
  const moments = play(policy, test, samplesFor);
  const failures: string[] = [];
  for (const x of test.expect) {
    const m = momentAt(moments, x.atMs);
    const at = `at ${formatDuration(x.atMs)}`;
    if (x.phase !== undefined && x.phase !== m.phase) failures.push(`  ${at}: phase\n    expected: ${x.phase}\n    actual:   ${m.phase}`);
    if (x.commands !== undefined && JSON.stringify(x.commands) !== JSON.stringify(m.commands)) {
      failures.push(`  ${at}: commands\n${listDiff(x.commands, m.commands)}`);
    }
    const alerts = m.commands.filter((c) => c.startsWith('notify ') || c.startsWith('resolve '));
    if (x.alerts !== undefined && JSON.stringify(x.alerts) !== JSON.stringify(alerts)) failures.push(`  ${at}: alerts\n${listDiff(x.alerts, alerts)}`);
    if (x.refused !== undefined && !m.refused.some((r) => r.includes(x.refused ?? ''))) {
      failures.push(`  ${at}: refused\n    expected a refusal containing: ${x.refused}\n    actual refusals: [${m.refused.join('; ')}]`);
    }
  }
  return failures;
}

/** Loads a scenario file and its policy, runs every test. A broken file is one failed result. */
export async function runScenarioFile(file: string): Promise<TestResult[]> {
  try {
    const scenario = parseScenario(await readFile(file, 'utf8'), file);
    const policyPath = resolve(dirname(file), scenario.policy);
    const loaded = await policySource.load([policyPath]);
    if (!loaded.ok) return [{ file, name: '(policy)', failures: loaded.errors.map((e) => `  ${formatPolicyError(e)}`) }];
    const policy = loaded.policies[0] as Policy;
    const results: TestResult[] = [];
    // One after the other: a raw-series test starts its own Prometheus.
    for (const test of scenario.tests) {
      try {
        results.push({ file, name: test.name, failures: await runTest(policy, test) });
      } catch (error) {
        results.push({ file, name: test.name, failures: [`  ${(error as Error).message}`] });
      }
    }
    return results;
  } catch (error) {
    return [{ file, name: '(file)', failures: [`  ${(error as Error).message}`] }];
  }
}

export function formatResults(results: readonly TestResult[]): { text: string; failed: number } {
  const lines: string[] = [];
  let failed = 0;
  for (const r of results) {
    if (r.failures.length === 0) lines.push(`ok   ${r.file} — ${r.name}`);
    else {
      failed++;
      lines.push(`FAIL ${r.file} — ${r.name}`, ...r.failures);
    }
  }
  lines.push(`${results.length - failed} passed, ${failed} failed`);
  return { text: lines.join('\n'), failed };
}
