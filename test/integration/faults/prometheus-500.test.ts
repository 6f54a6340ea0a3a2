// Fault: Prometheus answers HTTP 500 to every query (the fault proxy) while the exporter shows a real
// breach. Guardrail: every verdict is UNKNOWN http_error, so nothing is switched (UNKNOWN never acts);
// after blindAfter (3) ticks a GuardrailBlind WARNING is in Alertmanager and status says why. Once
// Prometheus answers again the normal rules act on the breach: one rollback, GuardrailBlind resolved.
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

describe('fault: Prometheus answers 500', () => {
  it('switches nothing while blind and says so; acts on the breach once Prometheus answers', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    stack.proxy.set({ kind: 'status', status: 500 });
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('GuardrailBlind in Alertmanager', 20_000, async () => ((await stack.activeAlerts()).includes('GuardrailBlind') ? true : undefined), 500);
    await sleep(3_000); // well past the reason's `for` (2 s) at 1 s ticks: a switch would have started

    const blind = await statusCli();
    expect(blind).toMatchObject({ phase: 'watching', variant: null, rollback: null });
    expect(blind?.lastEvaluation?.verdicts.map((v) => [v.conditionId, v.status, v.cause])).toEqual([
      ['reasons.high-error-rate', 'unknown', 'http_error'],
      ['reasons.latency-above-slo', 'unknown', 'http_error'],
    ]);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'ml' });
    expect(await stack.history()).toEqual([]);
    expect(await stack.activeAlerts()).toEqual(['GuardrailBlind']);
    const blindAlert = (await stack.alertmanager.alerts()).find((a) => a.labels['alertname'] === 'GuardrailBlind');
    expect(blindAlert?.labels).toMatchObject({ severity: 'warning', target: 'faults' });
    expect(blindAlert?.annotations['description']).toContain('answered HTTP 500');

    stack.proxy.set({ kind: 'pass' });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    const history = await stack.history();
    expect(history.map((e) => [e.action, e.reason, e.trigger.kind, e.result])).toEqual([['rollback', 'high-error-rate', 'automatic', 'succeeded']]);
    await waitUntil('GuardrailBlind resolved', 10_000, async () => (!(await stack.activeAlerts()).includes('GuardrailBlind') ? true : undefined), 500);
    expect(await stack.activeAlerts()).toEqual(['GuardrailRollbackStarted']);
  });
});
