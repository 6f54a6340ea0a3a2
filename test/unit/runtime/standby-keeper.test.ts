import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// Warm standby maintenance by the runtime (standby-keeper.ts): after each tick's decision, on the target's
// queue, for services whose policy sets warmStandby; once per service otherwise (a leftover is removed).

let h: Harness;
afterEach(async () => h.cleanup());

const warm = (yaml: string): string => yaml.replace('  strategy: recreate', '  strategy: start-first\n  warmStandby: true');

describe('warm standby maintenance', () => {
  it('runs after every tick with the rollback value, and the status shows the last report', async () => {
    h = await createHarness(warm);
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.actuator.standbyCalls.map((t) => [t.name, t.warmStandby])).toEqual([
      ['demo', { value: 'baseline' }],
      ['demo', { value: 'baseline' }],
      ['demo', { value: 'baseline' }],
    ]);
    const [status] = h.runtime.status();
    expect(status?.standbys).toEqual([
      { service: 'demo', state: 'ready', detail: 'scripted', container: null, checkedAt: new Date(h.clock).toISOString() },
    ]);
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_standby_ready\{target="demo"\} 1/);
  });

  it('comes after the rollback the same tick decided, never before it', async () => {
    h = await createHarness(warm);
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick(); // the 4th breaching tick decides (for 6 s at 2 s ticks)
    expect(h.actuator.events).toEqual(['standby demo', 'standby demo', 'standby demo', 'switch demo', 'standby demo']);
  });

  it('without warmStandby: checked once for a leftover, then never again; no standby in the status', async () => {
    h = await createHarness();
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.standbyCalls.map((t) => [t.name, 'warmStandby' in t])).toEqual([['demo', false]]);
    expect(h.runtime.status()[0]?.standbys).toEqual([]);
    expect(await h.runtime.metrics.registry.metrics()).not.toMatch(/guardrail_standby_ready\{/);
  });

  it('a list keeps a standby for the named services only; the others are checked once for a leftover', async () => {
    h = await createHarness((yaml) =>
      yaml
        .replace('services: [api]', 'services: [api, prediction-consumer]')
        .replace('  strategy: recreate', '  strategy: start-first\n  warmStandby: [api]'),
    );
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.actuator.standbyCalls.map((t) => [t.name, t.warmStandby])).toEqual([
      ['demo/api', { value: 'baseline' }],
      ['demo/prediction-consumer', undefined],
      ['demo/api', { value: 'baseline' }],
      ['demo/api', { value: 'baseline' }],
    ]);
    expect(h.runtime.status()[0]?.standbys.map((s) => [s.service, s.state])).toEqual([['demo/api', 'ready']]);
    const metrics = await h.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/guardrail_standby_ready\{target="demo\/api"\} 1/);
    expect(metrics).not.toMatch(/guardrail_standby_ready\{target="demo\/prediction-consumer"\}/);
  });

  it('a failing maintenance is reported and counted, retried next tick, and does not stop a rollback', async () => {
    h = await createHarness(warm);
    h.actuator.standbyBehaviour = () => Promise.reject(new Error('Docker socket gone'));
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    expect(h.actuator.standbyCalls).toHaveLength(4);
    const [status] = h.runtime.status();
    expect(status?.standbys[0]).toMatchObject({ state: 'failed', detail: 'maintenance failed: Docker socket gone' });
    const metrics = await h.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/guardrail_standby_actions_total\{target="demo",action="error"\} 4/);
    expect(metrics).toMatch(/guardrail_standby_ready\{target="demo"\} 0/);
  });

  it('counts what maintenance did, by action', async () => {
    h = await createHarness(warm);
    h.actuator.standbyBehaviour = (t) =>
      Promise.resolve({ target: t.name, state: 'starting', detail: 'created', actions: ['removed-stale demo-1-guardrail-standby', 'created demo-1-guardrail-standby'], instance: { id: 'abc', name: 'demo-1-guardrail-standby' } });
    await h.tick();
    const metrics = await h.runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/guardrail_standby_actions_total\{target="demo",action="removed-stale"\} 1/);
    expect(metrics).toMatch(/guardrail_standby_actions_total\{target="demo",action="created"\} 1/);
    expect(h.runtime.status()[0]?.standbys[0]).toMatchObject({ state: 'starting', container: 'demo-1-guardrail-standby' });
  });
});
