// Fault: Prometheus answers, but only after 3 s — past the controller's per-query timeout (500 ms) and
// its tick deadline (900 ms at 1 s ticks) — while the exporter shows a real breach. Guardrail: the
// queries are cancelled, every verdict is UNKNOWN timeout, nothing is switched, GuardrailBlind (WARNING)
// is in Alertmanager, and the controller keeps ticking and answering (`guardrail status` works
// throughout). Once Prometheus is fast again the normal rules act: one rollback.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, startFaultStack, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
}, 120_000);
afterAll(async () => stack?.stop());

/** The end state as the operator reads it: `guardrail status --json`. */
const statusCli = async () => (await stack.status()).targets[0];

describe('fault: Prometheus answers slower than the timeout', () => {
  it('cancels the queries, switches nothing, warns; acts once Prometheus is fast again', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    stack.proxy.set({ kind: 'delay', ms: 3_000 });
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    const asked = stack.proxy.requests;
    await waitUntil('GuardrailBlind in Alertmanager', 20_000, async () => ((await stack.activeAlerts()).includes('GuardrailBlind') ? true : undefined), 500);
    await sleep(3_000);

    const slow = await statusCli();
    expect(slow).toMatchObject({ phase: 'watching', variant: null, rollback: null });
    expect(slow?.lastEvaluation?.verdicts.map((v) => [v.conditionId, v.status, v.cause])).toEqual([
      ['reasons.high-error-rate', 'unknown', 'timeout'],
      ['reasons.latency-above-slo', 'unknown', 'timeout'],
    ]);
    // Still ticking: it kept asking (and giving up), one evaluation per second.
    expect(stack.proxy.requests - asked).toBeGreaterThanOrEqual(4);
    expect(Date.now() - Date.parse(slow?.lastEvaluation?.at ?? '')).toBeLessThan(5_000);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'ml' });
    expect(await stack.history()).toEqual([]);
    expect(await stack.activeAlerts()).toEqual(['GuardrailBlind']);

    stack.proxy.set({ kind: 'pass' });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    expect((await stack.history()).map((e) => [e.action, e.reason, e.result])).toEqual([['rollback', 'high-error-rate', 'succeeded']]);
    await waitUntil('GuardrailBlind resolved', 10_000, async () => (!(await stack.activeAlerts()).includes('GuardrailBlind') ? true : undefined), 500);
    expect(await stack.activeAlerts()).toEqual(['GuardrailRollbackStarted']);
  });
});
