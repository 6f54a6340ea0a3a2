// Fault: an operator rolls forward to an ML that is still broken. After a roll-forward the cooldown is a
// baking window, not a blind spot: a CRITICAL reason rolls back again as soon as its `for` has passed
// (here 2 s, on 1 s ticks), no GuardrailRollbackHeld; maxRollbacksPerHour stays the guard against
// flapping. Asserted: the second rollback is decided within `for` + one interval (+ the scrape that
// brings the ML's numbers and a margin for a loaded machine) of the roll-forward's end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, startFaultStack, TOKEN, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
}, 120_000);
afterAll(async () => stack?.stop());

const FOR_MS = 2_000;
const INTERVAL_MS = 1_000;
/** Prometheus scrapes every 1 s and the exporter follows /version every 300 ms; 2 s for a loaded machine. */
const OBSERVE_MS = 1_300 + 2_000;

describe('fault: a roll-forward to a still-broken model', () => {
  it('is rolled back again within for + one interval, not held by the cooldown', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);

    const response = await fetch(`${stack.controller.url}/api/v1/targets/faults/rollforward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ reason: 'fixed, we think' }),
    });
    expect(response.status).toBeLessThan(300);
    await waitUntil('the second rollback', 30_000, async () => ((await stack.history()).filter((e) => e.action === 'rollback' && e.result === 'succeeded').length === 2 ? true : undefined), 500);

    const [second, forward, first] = await stack.history();
    expect([second, forward, first].map((e) => `${e?.action}:${e?.result}:${e?.reason}`)).toEqual([
      'rollback:succeeded:high-error-rate',
      'rollforward:succeeded:manual',
      'rollback:succeeded:high-error-rate',
    ]);
    expect(forward?.trigger).toMatchObject({ kind: 'manual', reason: 'fixed, we think' });
    const gapMs = Date.parse(second?.startedAt ?? '') - Date.parse(forward?.endedAt ?? '');
    expect(gapMs).toBeGreaterThanOrEqual(FOR_MS);
    expect(gapMs).toBeLessThanOrEqual(FOR_MS + INTERVAL_MS + OBSERVE_MS);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    expect((await stack.status()).targets[0]).toMatchObject({ phase: 'rolled_back', hold: null, rollback: { id: second?.id } });
    expect(await stack.activeAlerts()).not.toContain('GuardrailRollbackHeld');
  });
});
