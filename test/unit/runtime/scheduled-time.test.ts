import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../controller/core/index.js';
import type { MetricsSource, QueryOptions } from '../../../controller/ports/metrics-source.js';
import { initialState } from '../../../controller/core/index.js';
import { DecisionClock } from '../../../controller/runtime/decision-clock.js';
import { createHarness, type Harness } from './harness.js';

// `for` is judged at each tick's SCHEDULED time (as Prometheus judges it at the rule group's evaluation
// timestamp), never at the moment the queries happened to return: jitter must not cost an extra interval.

const INTERVAL_MS = 2_000;

/** The demo policy's reasons with `for: 30s` instead of 6 s. */
const for30s = (yaml: string): string => yaml.replaceAll('for: 6s', 'for: 30s');

/** The harness's scripted metrics, but each queryAll takes `delayMs` of the (hand-driven) clock. */
class SlowMetrics implements MetricsSource {
  delayMs = 0;
  readonly times: (number | undefined)[] = [];
  private readonly harness: Harness;
  constructor(harness: Harness) {
    this.harness = harness;
  }
  query(promql: string): Promise<Sample> {
    return this.harness.metrics.query(promql);
  }
  async queryAll(promqls: readonly string[], opts: QueryOptions = {}): Promise<Sample[]> {
    this.times.push(opts.timeMs);
    const samples = await this.harness.metrics.queryAll(promqls);
    this.harness.clock += this.delayMs;
    return samples;
  }
  isReachable(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

interface TargetFile {
  readonly timers: Record<string, { lastBreachAtMs: number; sustainedMs: number }>;
  readonly pause: { sinceMs: number } | null;
}

async function savedTarget(h: Harness): Promise<TargetFile> {
  const file = JSON.parse(await readFile(join(h.stateDir, 'state.json'), 'utf8')) as { state: { targets: Record<string, TargetFile> } };
  const target = file.state.targets['demo'];
  if (target === undefined) throw new Error('no demo target saved');
  return target;
}

function sustainedOf(h: Harness, conditionId: string): number | undefined {
  return h.runtime.status()[0]?.lastEvaluation?.verdicts.find((v) => v.conditionId === conditionId)?.sustainedMs;
}

describe('scheduled tick time', () => {
  let h: Harness;
  afterEach(async () => h.cleanup());

  it('with jittered firings around a 2 s grid and for = 30 s, decides exactly at the tick where 30 s of scheduled time have passed', async () => {
    h = await createHarness(for30s);
    const metrics = new SlowMetrics(h);
    await h.restart({ metricsSource: metrics });
    const grid = h.clock + 10_000;
    // Firing jitter + query time per tick: late at the breach's first tick, early at the deciding one, so
    // summing now() differences would land 445 ms short of 30 s and decide one interval late.
    const jitter = (k: number): number => (k === 1 ? 450 : k === 16 ? 5 : 40 + ((k * 97) % 300));
    h.metrics.errorRatio(0.5);
    for (let k = 1; k <= 16; k++) {
      const scheduled = grid + k * INTERVAL_MS;
      h.clock = scheduled + jitter(k) / 2;
      metrics.delayMs = jitter(k) / 2; // the rest of the jitter passes while the queries run
      await h.runtime.tickAll(scheduled);
      await h.runtime.idle();
      if (k < 16) expect(h.actuator.calls, `tick ${k}`).toEqual([]);
    }
    expect(h.actuator.calls).toHaveLength(1);
    expect(h.actuator.calls[0]?.value).toBe('baseline');
    // Every query of a tick was evaluated at that tick's scheduled time.
    expect(metrics.times.slice(-16)).toEqual(Array.from({ length: 16 }, (_, i) => grid + (i + 1) * INTERVAL_MS));
  });

  it('a manual operation decided at now() between two ticks keeps time monotonic for the target', async () => {
    h = await createHarness(for30s);
    const grid = h.clock + 10_000;
    h.metrics.errorRatio(0.5);
    const tickAt = async (k: number, lateMs = 30): Promise<void> => {
      h.clock = grid + k * INTERVAL_MS + lateMs;
      await h.runtime.tickAll(grid + k * INTERVAL_MS);
      await h.runtime.idle();
    };
    for (let k = 1; k <= 3; k++) await tickAt(k);
    expect(sustainedOf(h, 'reasons.high-error-rate')).toBe(4_000);

    // An operator pauses 2.5 s after tick 3, i.e. after tick 4's scheduled time; tick 4 runs after it.
    h.clock = grid + 3 * INTERVAL_MS + 2_500;
    const outcome = await h.runtime.submit('demo', { kind: 'pause', actor: 'alice', reason: 'looking', untilMs: h.clock + 60_000 });
    expect(outcome.outcome).toBe('accepted');
    await h.runtime.idle();
    const pausedAt = (await savedTarget(h)).pause?.sinceMs;
    expect(pausedAt).toBe(grid + 3 * INTERVAL_MS + 2_500);

    await tickAt(4, 600);
    const afterTick4 = await savedTarget(h);
    const timer = afterTick4.timers['reasons.high-error-rate'];
    // Tick 4 is dated at the pause, not 500 ms before it: nothing is decided before an earlier decision.
    expect(timer?.lastBreachAtMs).toBe(pausedAt);
    expect(sustainedOf(h, 'reasons.high-error-rate')).toBe(6_500);
    await tickAt(5);
    // Still exactly the scheduled time elapsed since the breach began (tick 1 → tick 5 = 8 s).
    expect(sustainedOf(h, 'reasons.high-error-rate')).toBe(8_000);
  });

  it('tickAll without a scheduled time decides at now()', async () => {
    h = await createHarness(for30s);
    h.metrics.errorRatio(0.5);
    await h.tick();
    const first = (await savedTarget(h)).timers['reasons.high-error-rate']?.lastBreachAtMs;
    expect(first).toBe(h.clock);
  });
});

describe('DecisionClock', () => {
  const policyLike = { name: 'p', target: { name: 't' } } as Parameters<typeof initialState>[0];

  it('uses the scheduled time, never earlier than the last decision, and seeds from a restored state', () => {
    let now = 10_000;
    const clock = new DecisionClock(() => now);
    const state = { ...initialState(policyLike, 5_000), timers: { c: { sustainedMs: 0, lastBreachAtMs: 9_000, frozen: false } } };
    expect(clock.next('t', state, 8_000)).toBe(9_000); // a restored timer at 9 s: no decision before it
    expect(clock.next('t', state, 12_000)).toBe(12_000);
    now = 12_500;
    expect(clock.next('t', state)).toBe(12_500); // a manual operation: now()
    expect(clock.next('t', state, 12_000)).toBe(12_500); // a late tick scheduled before it
    expect(clock.next('t', state, 14_000)).toBe(14_000);
  });
});
