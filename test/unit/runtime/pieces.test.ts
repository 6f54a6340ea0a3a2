import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Policy, servicesOf } from '../../../controller/core/index.js';
import { foldHistory, type HistoryRecord } from '../../../controller/runtime/history.js';
import { watchPolicies } from '../../../controller/adapters/policy/watch.js';
import { validateRuntimeState } from '../../../controller/runtime/runtime-state.js';
import { batchesOf, cronExpressionFor, Scheduler } from '../../../controller/runtime/scheduler.js';
import { TargetQueue } from '../../../controller/runtime/target-queue.js';

describe('cronExpressionFor', () => {
  it('seconds, minutes and hours', () => {
    expect(cronExpressionFor(2_000)).toBe('*/2 * * * * *');
    expect(cronExpressionFor(15_000)).toBe('*/15 * * * * *');
    expect(cronExpressionFor(120_000)).toBe('0 */2 * * * *');
    expect(cronExpressionFor(7_200_000)).toBe('0 0 */2 * * *');
  });

  it('never rounds: an interval that cannot run exactly is an error (the loader refuses it first, with file:line)', () => {
    expect(() => cronExpressionFor(300)).toThrow(/whole number of seconds/);
    expect(() => cronExpressionFor(90_000)).toThrow(/does not divide an hour|divides an hour/);
    expect(() => cronExpressionFor(7_000)).toThrow(/7s does not divide a minute/);
    expect(() => cronExpressionFor(5 * 3_600_000)).toThrow(/divides a day/);
  });
});

describe('Scheduler.fire', () => {
  it('skips (and reports) a tick while the previous one of the same policy runs; every firing runs everyTick', async () => {
    let release = (): void => undefined;
    const ticks: string[] = [];
    const skipped: string[] = [];
    let every = 0;
    const scheduler = new Scheduler({
      tick: (policies) =>
        policies.map((p) => {
          ticks.push(p.name);
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        }),
      skipped: (p) => skipped.push(p.name),
      everyTick: () => {
        every += 1;
      },
    });
    const policy = { name: 'p' } as Policy;
    const first = scheduler.fire([policy]);
    await scheduler.fire([policy]);
    expect(ticks).toEqual(['p']);
    expect(skipped).toEqual(['p']);
    release();
    await first;
    void scheduler.fire([policy]);
    expect(ticks).toEqual(['p', 'p']);
    expect(every).toBe(3);
    release();
    await scheduler.stop();
  });

  it('one firing ticks its policies as ONE batch at the scheduled time; a busy policy is left out, the others tick', async () => {
    const batches: { names: string[]; at: number | undefined }[] = [];
    const releases = new Map<string, () => void>();
    const scheduler = new Scheduler({
      tick: (policies, at) => {
        batches.push({ names: policies.map((p) => p.name), at });
        return policies.map((p) => new Promise<void>((resolve) => releases.set(p.name, resolve)));
      },
      skipped: () => undefined,
      everyTick: () => undefined,
    });
    const [a, b] = [{ name: 'a' } as Policy, { name: 'b' } as Policy];
    const first = scheduler.fire([a, b], 1_000);
    releases.get('b')?.(); // b finished, a is still busy (e.g. a long switch)
    await new Promise((r) => setTimeout(r, 0));
    const second = scheduler.fire([a, b], 3_000);
    expect(batches).toEqual([
      { names: ['a', 'b'], at: 1_000 },
      { names: ['b'], at: 3_000 },
    ]);
    releases.get('a')?.();
    releases.get('b')?.();
    await Promise.all([first, second]);
    await scheduler.stop();
  });
});

describe('batchesOf', () => {
  it('one batch per cron expression, i.e. per distinct interval', () => {
    const p = (name: string, intervalMs: number): Policy => ({ name, evaluation: { intervalMs } }) as Policy;
    const batches = batchesOf([p('a', 15_000), p('b', 2_000), p('c', 15_000), p('d', 2_000)]);
    expect([...batches].map(([expr, ps]) => [expr, ps.map((x) => x.name)])).toEqual([
      ['*/15 * * * * *', ['a', 'c']],
      ['*/2 * * * * *', ['b', 'd']],
    ]);
  });
});

describe('TargetQueue', () => {
  it('runs jobs one at a time in order, and a failure does not stop the next', async () => {
    const queue = new TargetQueue();
    const order: string[] = [];
    const slow = queue.run(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('slow');
    });
    const failing = queue.run(() => Promise.reject(new Error('boom')));
    const fast = queue.run(async () => {
      order.push('fast');
    });
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await fast;
    expect(order).toEqual(['slow', 'fast']);
    expect(queue.size).toBe(0);
  });
});

describe('servicesOf', () => {
  const verify = { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 1000 };
  const base = { variable: 'MODEL_VARIANT', normalValue: null, rollbackValue: 'baseline', strategy: 'recreate' as const, verify };
  it('one service keeps the target name; several are target/service, in order', () => {
    expect(servicesOf({ ...base, name: 'demo', compose: { project: 'p', services: ['api'] } }).map((t) => [t.name, t.selector])).toEqual([
      ['demo', { composeService: 'api', composeProject: 'p' }],
    ]);
    expect(servicesOf({ ...base, name: 'ps', compose: { project: 'p', services: ['api', 'consumer'] } }).map((t) => t.name)).toEqual(['ps/api', 'ps/consumer']);
    expect(servicesOf({ ...base, name: 'c', containers: ['one'] })[0]?.selector).toEqual({ containerName: 'one' });
  });
});

describe('history and state helpers', () => {
  it('folds start/end records into entries (in progress without an end)', () => {
    const evidence = { policy: 'demo', reason: 'r', trigger: { kind: 'automatic' as const }, conditions: [], atMs: 0 };
    const start = (id: string, atMs: number): HistoryRecord => ({ kind: 'start', id, target: 't', policy: 'demo', action: 'rollback', trigger: { kind: 'automatic' }, reason: 'r', evidence, atMs });
    const entries = foldHistory([start('a', 1_000), start('b', 5_000), { kind: 'end', id: 'a', target: 't', result: 'succeeded', notes: 'ok', atMs: 4_500 }]);
    expect(entries.map((e) => [e.id, e.result, e.durationSeconds, e.endedAt])).toEqual([
      ['a', 'succeeded', 3.5, '1970-01-01T00:00:04.500Z'],
      ['b', 'in_progress', null, null],
    ]);
  });

  it('validateRuntimeState rejects a state without its parts, and reads the older seen-webhook strings', () => {
    expect(() => validateRuntimeState({ targets: {}, inFlight: {}, variants: {} })).toThrow('"seenWebhooks" is missing');
    expect(() => validateRuntimeState({ targets: {}, inFlight: {}, variants: {}, seenWebhooks: [{ key: 'f@t', target: 'a', fate: 'held', note: '', firstSeenMs: 1, lastSeenMs: 1 }] })).toThrow('"seenWebhooks"');
    expect(validateRuntimeState({ targets: {}, inFlight: {}, variants: {}, seenWebhooks: ['f@t'] }).seenWebhooks).toEqual([
      { key: 'f@t', target: '*', fate: 'acted', note: 'remembered by an earlier version', firstSeenMs: 0, lastSeenMs: 0 },
    ]);
    expect(() => validateRuntimeState({ targets: { t: { phase: 'x' } }, inFlight: {}, variants: {}, seenWebhooks: [] })).toThrow('target "t" has no phase/phaseSinceMs');
  });
});

describe('watchPolicies', () => {
  it('calls reload once, debounced, after a burst of writes in the policy directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guardrail-watch-'));
    let reloads = 0;
    const stop = await watchPolicies([dir], () => {
      reloads += 1;
    }, 100);
    for (let i = 0; i < 5; i++) await writeFile(join(dir, 'p.yaml'), `n: ${i}\n`);
    await new Promise((r) => setTimeout(r, 400));
    stop();
    await rm(dir, { recursive: true, force: true });
    expect(reloads).toBe(1);
  });
});
