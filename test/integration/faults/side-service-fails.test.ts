// Fault: one side service of a target cannot run the baseline at all (its new container exits at start)
// while the others can. A rollback moves toward safety one service at a time: the api, verified on the
// baseline, stays there; the consumer is restored to what it ran and reported; the phase is
// partially_rolled_back; a CRITICAL GuardrailRollbackPartial names the service and the cause, and the
// rollback is retried with backoff (status shows when). A roll-forward would stay all-or-nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_BASE_MS } from '../../../controller/core/index.js';
import { HEALTHY, startFaultStack, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
let api = '';
let consumer = '';
beforeAll(async () => {
  stack = await startFaultStack({ services: ['api', 'consumer'] });
  api = `${stack.prefix}-api`;
  consumer = `${stack.prefix}-consumer`;
  await stack.client.getContainer(consumer).remove({ force: true });
  await stack.startContainer(consumer, { EXIT_AT_START_FOR_VARIANT: 'baseline' });
  await waitUntil('the consumer serving', 20_000, async () => ((await stack.variants())[consumer] === 'ml' ? true : undefined), 200);
}, 120_000);
afterAll(async () => stack?.stop());

describe('fault: a side service cannot run the baseline during a rollback', () => {
  it('the api stays on the baseline, the consumer is reported and retried: partially_rolled_back, CRITICAL naming it', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback to end', 60_000, async () => (['rolled_back', 'partially_rolled_back', 'failed'].includes((await stack.target())?.phase ?? '') ? true : undefined), 300);

    expect(await stack.variants()).toEqual({ [api]: 'baseline', [consumer]: 'ml' });
    const status = (await stack.status()).targets[0];
    expect(status?.phase).toBe('partially_rolled_back');
    expect(status?.rollback?.services).toEqual([
      { service: `faults/${api}`, onValue: true, detail: 'serves baseline' },
      { service: `faults/${consumer}`, onValue: false, detail: expect.stringMatching(/exit code 3|exited|restarting/) },
    ]);
    const next = Date.parse(status?.rollback?.nextAttemptAt ?? '');
    expect(next - Date.parse(status?.phaseSince ?? '')).toBeGreaterThanOrEqual(RETRY_BASE_MS - 1_000);
    expect(status?.services.map((s) => `${s.service}=${String(s.value)}`)).toEqual([`faults/${api}=baseline`, `faults/${consumer}=null`]);
    const [row] = await stack.history();
    expect(row).toMatchObject({ action: 'rollback', result: 'partial' });
    expect(row?.notes).toContain(`faults/${api}: on baseline`);

    await waitUntil('the CRITICAL in Alertmanager', 15_000, async () => ((await stack.activeAlerts()).includes('GuardrailRollbackPartial') ? true : undefined), 500);
    const partial = (await stack.alertmanager.alerts({ active: true })).find((a) => a.labels['alertname'] === 'GuardrailRollbackPartial');
    expect(partial?.labels).toMatchObject({ severity: 'critical', target: 'faults', rollbackId: status?.rollback?.id });
    expect(partial?.annotations['summary']).toMatch(new RegExp(`^Rollback of faults INCOMPLETE: faults/${consumer} not on baseline \\(`));
  });
});
