// Fault: one series is missing — the exporter stops exporting `fault_error_ratio` (Prometheus marks it
// stale), the rest is there. Guardrail: that reason is UNKNOWN no_data, the others are judged as usual;
// no switch on what it cannot see, and GuardrailBlind (WARNING) names the condition. When the series
// comes back with a breach, the normal rules act: one rollback, the warning resolved.
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

describe('fault: one series missing', () => {
  it('judges what it sees, acts on nothing it cannot see, and names the blind condition', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    stack.setMetrics({ p95Seconds: HEALTHY.p95Seconds, requests: HEALTHY.requests });
    await waitUntil('GuardrailBlind in Alertmanager', 20_000, async () => ((await stack.activeAlerts()).includes('GuardrailBlind') ? true : undefined), 500);
    await sleep(3_000);

    const missing = await statusCli();
    expect(missing).toMatchObject({ phase: 'watching', variant: null, rollback: null });
    expect(missing?.lastEvaluation?.verdicts.map((v) => [v.conditionId, v.status, v.cause ?? null])).toEqual([
      ['reasons.high-error-rate', 'unknown', 'no_data'],
      ['reasons.latency-above-slo', 'ok', null],
    ]);
    const blind = (await stack.alertmanager.alerts()).find((a) => a.labels['alertname'] === 'GuardrailBlind');
    expect(blind?.annotations['description']).toContain('reasons.high-error-rate: no_data');
    expect(blind?.annotations['description']).not.toContain('latency-above-slo');
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'ml' });
    expect(await stack.history()).toEqual([]);

    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    expect((await stack.history()).map((e) => [e.action, e.reason, e.result])).toEqual([['rollback', 'high-error-rate', 'succeeded']]);
    await waitUntil('GuardrailBlind resolved', 10_000, async () => (!(await stack.activeAlerts()).includes('GuardrailBlind') ? true : undefined), 500);
    expect(await stack.activeAlerts()).toEqual(['GuardrailRollbackStarted']);
  });
});
