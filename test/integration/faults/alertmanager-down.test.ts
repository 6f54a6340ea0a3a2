// Fault: Alertmanager is down while a rollback happens. Guardrail: the rollback is not held up by its
// observers — it runs, verifies and is recorded; the failed deliveries are counted; the firing alert is
// re-posted on every resend interval (2 s here), so GuardrailRollbackStarted is in Alertmanager once it
// is back (same address, as after a crash and restart).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, startFaultStack, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
}, 120_000);
afterAll(async () => stack?.stop());

/** The end state as the operator reads it: `guardrail status --json`. */
const statusCli = async () => (await stack.status()).targets[0];
const sendFailures = async (): Promise<number> => Number(/^guardrail_alert_send_failures_total\{sink="alertmanager"\} (\d+)$/m.exec(await stack.metricsText())?.[1] ?? 0);

describe('fault: Alertmanager down during a rollback', () => {
  it('rolls back anyway, counts the failed deliveries, and the alert arrives once Alertmanager is back', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    await stack.alertmanager.kill();
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    expect((await stack.history()).map((e) => [e.action, e.reason, e.result])).toEqual([['rollback', 'high-error-rate', 'succeeded']]);
    await waitUntil('a failed delivery counted', 10_000, async () => ((await sendFailures()) >= 1 ? true : undefined), 500);

    await stack.alertmanager.restart();
    await waitUntil('GuardrailRollbackStarted in Alertmanager', 15_000, async () => ((await stack.activeAlerts()).includes('GuardrailRollbackStarted') ? true : undefined), 500);
    expect(await stack.activeAlerts()).toEqual(['GuardrailRollbackStarted']);
    const [started] = await stack.alertmanager.alerts();
    const status = await statusCli();
    expect(started?.labels).toMatchObject({ severity: 'info', target: 'faults', reason: 'high-error-rate', rollbackId: status?.rollback?.id });
    expect(status).toMatchObject({ phase: 'rolled_back', variant: 'baseline', lastError: null });
    expect(await stack.history()).toHaveLength(1);
  });
});
