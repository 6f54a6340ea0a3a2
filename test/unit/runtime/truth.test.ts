import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

// Level-triggered truth and readiness: every tick the runtime reads what runs (the actuator's inspect with
// a probe of /version), and status, alerts and decisions follow it, not the controller's memory.

let h: Harness;
afterEach(async () => h.cleanup());

async function rollBack(harness: Harness): Promise<void> {
  harness.metrics.errorRatio(0.4);
  for (let i = 0; i < 4; i++) await harness.tick();
  expect(harness.runtime.status()[0]?.phase).toBe('rolled_back');
}

describe('what runs, read each tick', () => {
  it('an out-of-band return to a still-faulty ML while rolled back: recorded (actor out-of-band), WARNING, then rolled back again after for', async () => {
    h = await createHarness();
    await rollBack(h);
    // Someone runs `compose up -d` with the ML model: the container runs ML again, not through Guardrail.
    h.actuator.values.set('demo', null);
    await h.tick();
    const status = h.runtime.status()[0];
    expect(status).toMatchObject({ phase: 'pending', variant: null, rollback: null });
    expect(status?.services).toMatchObject([{ service: 'demo', known: true, value: null }]);
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted', 'GuardrailOutOfBandChange', 'GuardrailRollbackStarted:resolved']);
    expect(h.sink.alerts[1]).toMatchObject({ severity: 'warning', summary: expect.stringContaining('demo runs (variable absent)') });
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries[0]).toMatchObject({ action: 'rollforward', result: 'out_of_band', trigger: { kind: 'manual', actor: 'out-of-band' } });
    // The normal rules guard what runs: the breach is sustained for `for` (6 s) again, then rolled back.
    const calls = h.actuator.calls.length;
    for (let i = 0; i < 2; i++) await h.tick();
    expect(h.actuator.calls).toHaveLength(calls);
    await h.tick();
    expect(h.actuator.calls.slice(calls)).toEqual([{ target: 'demo', value: 'baseline', rollbackId: expect.stringMatching(/^rb-demo-\d+$/) }]);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'rolled_back', variant: 'baseline' });
  });

  it('an out-of-band return to a healthy ML: recorded once, watching, nothing switched', async () => {
    h = await createHarness();
    await rollBack(h);
    h.metrics.errorRatio(0);
    h.actuator.values.set('demo', null);
    for (let i = 0; i < 5; i++) await h.tick();
    expect(h.actuator.calls).toHaveLength(1);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'watching', variant: null, rollback: null });
    expect(h.sink.names().filter((n) => n === 'GuardrailOutOfBandChange')).toHaveLength(1);
    const { entries, total } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(total).toBe(2);
    expect(entries[0]).toMatchObject({ result: 'out_of_band' });
  });

  it('an out-of-band rollback while watching is recorded as a rollback by out-of-band, and guarded as one', async () => {
    h = await createHarness();
    await h.tick();
    h.actuator.values.set('demo', 'baseline');
    await h.tick();
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'rolled_back', variant: 'baseline', rollback: { reason: 'out-of-band', trigger: { actor: 'out-of-band' } } });
    expect(h.actuator.calls).toEqual([]);
    expect(h.sink.names()).toEqual(['GuardrailOutOfBandChange']);
  });
});

describe('holds and warnings follow what runs', () => {
  it('after an out-of-band return to the ML, no hourly "rollback lasting" warning for a rollback that no longer exists', async () => {
    h = await createHarness();
    await rollBack(h);
    h.metrics.errorRatio(0);
    h.actuator.values.set('demo', null);
    await h.tick();
    h.clock += 3 * 3_600_000; // well past the demo policy's warnAfter
    for (let i = 0; i < 3; i++) await h.tick();
    expect(h.sink.names()).not.toContain('GuardrailRollbackLasting');
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'watching', rollback: null });
  });

  it('a rollback held by the hourly limit names the limit and until when, in the alert and in status', async () => {
    h = await createHarness();
    const firstAt = h.clock + 2_000;
    h.metrics.errorRatio(0.4);
    for (let n = 0; n < 3; n++) {
      for (let i = 0; i < 4 && h.runtime.status()[0]?.phase !== 'rolled_back'; i++) await h.tick();
      expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
      await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'retry' });
      await h.runtime.idle();
    }
    for (let i = 0; i < 4; i++) await h.tick();
    const status = h.runtime.status()[0];
    expect(h.actuator.calls.filter((c) => c.value === 'baseline')).toHaveLength(3);
    const first = (await h.runtime.history({ limit: 10, offset: 0 })).entries.filter((e) => e.action === 'rollback').at(-1);
    const until = new Date(Date.parse(first?.startedAt ?? '') + 3_600_000).toISOString();
    expect(status?.hold).toMatchObject({ cause: 'rate_limit', detail: `limits.maxRollbacksPerHour: 3 automatic rollbacks in the last hour (max 3), until ${until}` });
    const held = h.sink.alerts.find((a) => a.name === 'GuardrailRollbackHeld');
    expect(held).toMatchObject({ severity: 'critical', summary: `Automatic rollback of demo held (rate_limit): ${status?.hold?.detail ?? ''}` });
    expect(Date.parse(until)).toBeGreaterThan(firstAt);
  });
});

describe('a look taken across a switch', () => {
  it('is not applied: a manual rollback that ran while the tick was reading what runs is no out-of-band change', async () => {
    h = await createHarness();
    await h.tick();
    const answering = h.actuator.inspectBehaviour;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Only the tick's look is held (one-shot); the look right after the rollback answers at once.
    h.actuator.inspectBehaviour = async (target, options) => {
      h.actuator.inspectBehaviour = answering;
      const seen = await answering(target, options); // read before the rollback: the ML
      await gate;
      return seen;
    };
    h.clock += 2_000;
    const ticking = h.runtime.tickAll();
    await h.runtime.submit('demo', { kind: 'rollback', actor: 'ops', reason: 'test' });
    await h.runtime.idle();
    // Looked at again right after the switch: status shows the baseline before any tick.
    expect(h.runtime.status()[0]?.services).toMatchObject([{ service: 'demo', known: true, value: 'baseline' }]);
    release();
    await ticking;
    await h.runtime.idle();
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'rolled_back', variant: 'baseline' });
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted']);
    await h.tick();
    expect(h.runtime.status()[0]?.services).toMatchObject([{ service: 'demo', known: true, value: 'baseline' }]);
    expect(h.sink.names()).toEqual(['GuardrailRollbackStarted']);
  });
});

describe('readiness means able to act', () => {
  it('the actuator not answering: not ready, guardrail_can_act 0, one WARNING (at startup too); resolved when it answers again', async () => {
    h = await createHarness();
    const answering = h.actuator.inspectBehaviour;
    h.actuator.inspectBehaviour = () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock'));
    await h.restart();
    expect(h.runtime.readiness()).toEqual({ ready: false, detail: 'cannot act on demo: demo: the actuator did not answer: connect ENOENT /var/run/docker.sock' });
    expect(h.sink.names()).toEqual(['GuardrailCannotAct']);
    expect(h.sink.alerts[0]).toMatchObject({ severity: 'warning' });
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_can_act\{target="demo"\} 0/);
    await h.tick();
    await h.tick();
    expect(h.sink.names()).toEqual(['GuardrailCannotAct']);
    expect(h.runtime.status()[0]?.canAct).toMatchObject({ ok: false });
    h.actuator.inspectBehaviour = answering;
    await h.tick();
    expect(h.runtime.readiness().ready).toBe(true);
    expect(h.sink.names()).toEqual(['GuardrailCannotAct', 'GuardrailCannotAct:resolved']);
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_can_act\{target="demo"\} 1/);
  });

  it('a service with no running container, or a verify endpoint that does not answer, cannot be acted on', async () => {
    h = await createHarness();
    h.actuator.inspectBehaviour = (target) => Promise.resolve({ target: target.name, instances: [] });
    await h.tick();
    expect(h.runtime.readiness().detail).toBe('cannot act on demo: demo: no running container found');
    h.actuator.inspectBehaviour = (target) =>
      Promise.resolve({
        target: target.name,
        instances: [{ id: 'x', name: 'demo-api-1', running: true, value: null, role: 'current', labels: {}, probe: { variant: null, detail: 'connect ECONNREFUSED' } }],
      });
    await h.tick();
    expect(h.runtime.readiness().detail).toBe('cannot act on demo: demo: verify endpoint unreachable: demo-api-1: connect ECONNREFUSED');
    // Unknown is never acted on: what runs is still read from the variable, and nothing switched.
    expect(h.actuator.calls).toEqual([]);
  });
});
