// Fault: while Guardrail holds a rollback, someone brings the ML back by hand (`docker compose up -d`
// with MODEL_VARIANT unset recreates the container). Guardrail reads what runs every tick (level-
// triggered truth): the change is recorded in history (actor `out-of-band`) and announced with a WARNING
// (GuardrailOutOfBandChange); status follows what runs; the normal rules guard it from then on: an ML
// that still breaches is rolled back again (usual `for`, limits, evidence), a healthy one is watched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, startFaultStack, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
let api: string;
beforeAll(async () => {
  stack = await startFaultStack();
  api = `${stack.prefix}-api`;
}, 120_000);
afterAll(async () => stack?.stop());

/** What `compose up -d` does to a container whose config changed: a new one, same name, the ML. */
async function bringMlBackByHand(): Promise<void> {
  await stack.client.getContainer(api).remove({ force: true });
  await stack.startContainer(api);
}

const rows = async () => (await stack.history()).map((e) => `${e.action}:${e.result}:${e.trigger.kind === 'manual' ? e.trigger.actor : e.trigger.kind}`);

describe('fault: an out-of-band redeploy of the ML while rolled back', () => {
  it('with the ML still faulty: recorded (actor out-of-band), WARNING, then rolled back again by the normal rules', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);

    await bringMlBackByHand();
    await waitUntil('the out-of-band change recorded', 20_000, async () => ((await rows()).includes('rollforward:out_of_band:out-of-band') ? true : undefined), 500);
    await waitUntil('the second rollback', 30_000, async () => ((await rows()).filter((r) => r.startsWith('rollback:succeeded')).length === 2 ? true : undefined), 500);

    expect(await stack.variants()).toEqual({ [api]: 'baseline' });
    expect(await rows()).toEqual(['rollback:succeeded:automatic', 'rollforward:out_of_band:out-of-band', 'rollback:succeeded:automatic']);
    const [second, change] = await stack.history();
    expect(change?.notes).toBe(`observed: faults runs (variable absent)`);
    expect(second).toMatchObject({ reason: 'high-error-rate', evidence: { conditions: [expect.objectContaining({ conditionId: 'reasons.high-error-rate' })] } });
    const status = (await stack.status()).targets[0];
    expect(status).toMatchObject({ phase: 'rolled_back', variant: 'baseline', rollback: { id: second?.id } });
    await waitUntil('the WARNING in Alertmanager', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailOutOfBandChange') ? true : undefined), 500);
    const warning = (await stack.alertmanager.alerts({ active: true })).find((a) => a.labels['alertname'] === 'GuardrailOutOfBandChange');
    expect(warning?.labels).toMatchObject({ severity: 'warning', target: 'faults' });
    expect(await stack.activeAlerts()).toContain('GuardrailRollbackStarted');
  });

  it('with the ML healthy: recorded once, watching, nothing switched', async () => {
    stack.setMetrics(HEALTHY);
    await bringMlBackByHand();
    await waitUntil('watching the ML', 20_000, async () => ((await stack.target())?.phase === 'watching' ? true : undefined), 500);
    await new Promise((r) => setTimeout(r, 4_000)); // four ticks: nothing more happens
    expect(await stack.variants()).toEqual({ [api]: 'ml' });
    expect(await rows()).toEqual(['rollforward:out_of_band:out-of-band', 'rollback:succeeded:automatic', 'rollforward:out_of_band:out-of-band', 'rollback:succeeded:automatic']);
    const status = (await stack.status()).targets[0];
    expect(status).toMatchObject({ phase: 'watching', variant: null, rollback: null, services: [{ service: 'faults', known: true, value: null }] });
    expect(await stack.activeAlerts()).not.toContain('GuardrailRollbackStarted');
  });
});
