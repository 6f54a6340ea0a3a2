import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingAlert } from '../../../controller/ports/controller.js';
import { createHarness, type Harness } from './harness.js';

// Manual operations and Alertmanager webhooks go through the same per-target queue as ticks.

let h: Harness;
afterEach(async () => h.cleanup());

async function settle(): Promise<void> {
  await h.runtime.idle();
}

function deferred(): { promise: Promise<void>; release: () => void } {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

const firing = (fingerprint: string, labels: Record<string, string> = { alertname: 'DemoHighErrorRate' }): IncomingAlert => ({
  status: 'firing',
  labels,
  startsAt: '2026-11-27T10:00:00.000Z',
  fingerprint,
});

describe('manual operations', () => {
  it('manual rollback: accepted at once, performed on the queue, recorded with the actor', async () => {
    h = await createHarness();
    const outcome = await h.runtime.submit('demo', { kind: 'rollback', actor: 'api-token:alice', reason: 'bad release' });
    expect(outcome).toMatchObject({ outcome: 'accepted', operation: { kind: 'rollback', target: 'demo', status: 'queued' } });
    await settle();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    if (outcome.outcome !== 'accepted') throw new Error('not accepted');
    expect(h.runtime.operation(outcome.operation.id)).toMatchObject({ status: 'done' });
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries[0]).toMatchObject({ trigger: { kind: 'manual', actor: 'api-token:alice', reason: 'bad release' }, reason: 'manual', result: 'succeeded' });
  });

  it('unknown target, and a refusal on the current state (rollforward while watching), answer at once without acting', async () => {
    h = await createHarness();
    expect(await h.runtime.submit('nope', { kind: 'rollback', actor: 'a', reason: 'r' })).toEqual({ outcome: 'unknown_target', target: 'nope' });
    expect(await h.runtime.submit('demo', { kind: 'rollforward', actor: 'a', reason: 'r' })).toEqual({ outcome: 'conflict', reason: 'not rolled back', inFlight: null });
    await settle();
    expect(h.actuator.calls).toEqual([]);
  });

  it('a manual rollback racing an automatic one performs exactly one switch (conflict names the automatic one)', async () => {
    h = await createHarness();
    const gate = deferred();
    h.actuator.behaviour = () => gate.promise;
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 3; i++) await h.tick();
    // The 4th breaching tick starts the automatic rollback; its actuation is held at the gate.
    h.clock += 2_000;
    const ticking = h.runtime.tickAll();
    while (h.actuator.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    const manual = await h.runtime.submit('demo', { kind: 'rollback', actor: 'bob', reason: 'me too' });
    expect(manual.outcome).toBe('conflict');
    if (manual.outcome !== 'conflict') throw new Error('no conflict');
    expect(manual.inFlight).toMatchObject({ kind: 'rollback', status: 'running', id: expect.stringMatching(/^rb-demo-/) });
    expect(h.runtime.status()[0]?.inFlight?.id).toBe(manual.inFlight?.id);
    gate.release();
    await ticking;
    await settle();
    expect(h.actuator.calls).toHaveLength(1);
    expect(h.runtime.status()[0]?.phase).toBe('rolled_back');
  });

  it('a manual rollback queued just before the automatic decision: the tick finds it rolled back, one switch', async () => {
    h = await createHarness();
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 3; i++) await h.tick();
    const manual = await h.runtime.submit('demo', { kind: 'rollback', actor: 'bob', reason: 'now' });
    expect(manual.outcome).toBe('accepted');
    await h.tick();
    await h.tick();
    expect(h.actuator.calls).toHaveLength(1);
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries.map((e) => e.trigger.kind)).toEqual(['manual']);
  });

  it('pause holds automation until resume; rollforward restores the normal value', async () => {
    h = await createHarness();
    const paused = await h.runtime.submit('demo', { kind: 'pause', actor: 'ops', reason: 'maintenance', untilMs: h.clock + 600_000 });
    expect(paused.outcome).toBe('accepted');
    await settle();
    h.metrics.errorRatio(0.4);
    for (let i = 0; i < 6; i++) await h.tick();
    expect(h.actuator.calls).toEqual([]);
    expect(h.runtime.status()[0]?.pause).toMatchObject({ actor: 'ops' });
    await h.runtime.submit('demo', { kind: 'resume', actor: 'ops', reason: 'done' });
    await settle();
    for (let i = 0; i < 4; i++) await h.tick();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    h.metrics.errorRatio(0);
    const forward = await h.runtime.submit('demo', { kind: 'rollforward', actor: 'ops', reason: 'fixed' });
    expect(forward.outcome).toBe('accepted');
    await settle();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline', null]);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'watching', variant: null, rollback: null });
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries.map((e) => `${e.action}:${e.result}`)).toEqual(['rollforward:succeeded', 'rollback:succeeded']);
  });
});

describe('Alertmanager webhook', () => {
  it('a matching firing alert rolls back once; replays (also after a restart), resolved and unmatched alerts do nothing', async () => {
    h = await createHarness();
    h.metrics.firingAlerts = { kind: 'value', value: 1 }; // the rule fires in Prometheus
    const first = await h.runtime.alertmanagerWebhook([firing('fp1'), { ...firing('fp2'), status: 'resolved' }, firing('fp3', { alertname: 'Other' })]);
    expect(first).toMatchObject({ duplicates: 0, resolvedIgnored: 1, unmatched: 1 });
    expect(first.queued).toHaveLength(1);
    await settle();
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries[0]?.trigger).toMatchObject({ kind: 'webhook', alertname: 'DemoHighErrorRate', fingerprint: 'fp1' });

    expect(await h.runtime.alertmanagerWebhook([firing('fp1')])).toMatchObject({ queued: [], duplicates: 1 });
    await h.restart();
    expect(await h.runtime.alertmanagerWebhook([firing('fp1')])).toMatchObject({ queued: [], duplicates: 1 });
    await settle();
    expect(h.actuator.calls).toHaveLength(1);
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_webhook_alerts_total\{outcome="duplicate"\} 1/);
  });
});

describe('Alertmanager webhook: corroboration against Prometheus', () => {
  const refusedOp = async (fingerprint: string) => {
    const outcome = await h.runtime.alertmanagerWebhook([firing(fingerprint)]);
    await settle();
    const id = outcome.queued[0]?.id ?? '';
    return h.runtime.operation(id);
  };

  it('a forged alert (rule not firing, reason OK) is refused: no switch, operation refused, WARNING, counted', async () => {
    h = await createHarness();
    const op = await refusedOp('forged-1');
    expect(h.actuator.calls).toEqual([]);
    expect(h.runtime.status()[0]).toMatchObject({ phase: 'watching', rollback: null });
    expect(op).toMatchObject({ kind: 'webhook', status: 'refused' });
    expect(op?.message).toBe(
      'not corroborated by Prometheus: ALERTS{alertstate="firing",alertname="DemoHighErrorRate"} has no firing series; reason high-error-rate: reasons.high-error-rate 0 not > 0.05',
    );
    // The exact queries: the rule in ALERTS, the traffic guard, the reason's condition.
    expect(h.metrics.promqls.filter((q) => q.includes('ALERTS{'))).toEqual(['count(ALERTS{alertstate="firing",alertname="DemoHighErrorRate"})']);
    const warning = h.sink.alerts.find((a) => a.name === 'GuardrailWebhookNotCorroborated');
    expect(warning).toMatchObject({ severity: 'warning', target: 'demo', labels: { claimed_alertname: 'DemoHighErrorRate', fingerprint: 'forged-1', blind: 'false' } });
    expect(await h.runtime.metrics.registry.metrics()).toMatch(/guardrail_webhook_alerts_total\{outcome="not_corroborated"\} 1/);
    const { entries } = await h.runtime.history({ limit: 5, offset: 0 });
    expect(entries).toEqual([]);
  });

  it('the WARNING is resolved an hour later, at a tick', async () => {
    h = await createHarness();
    await refusedOp('forged-2');
    h.clock += 3_600_000;
    await h.tick();
    expect(h.sink.names().filter((n) => n.startsWith('GuardrailWebhookNotCorroborated'))).toEqual(['GuardrailWebhookNotCorroborated', 'GuardrailWebhookNotCorroborated:resolved']);
  });

  it('the reason breaching now corroborates an alert whose rule Prometheus does not evaluate', async () => {
    h = await createHarness();
    h.metrics.errorRatio(0.5);
    const op = await refusedOp('real-1');
    expect(op).toMatchObject({ status: 'done' });
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
  });

  it('Prometheus unreachable: refused as blind (never acts on an unverified claim)', async () => {
    h = await createHarness();
    h.metrics.blind();
    const op = await refusedOp('blind-1');
    expect(op).toMatchObject({ status: 'refused' });
    expect(op?.message).toContain('unknown (unreachable: connection refused)');
    expect(h.actuator.calls).toEqual([]);
    expect(h.sink.alerts.find((a) => a.name === 'GuardrailWebhookNotCorroborated')?.labels['blind']).toBe('true');
  });

  it('corroborate: false on the trigger acts without asking Prometheus', async () => {
    h = await createHarness((yaml) => yaml.replace('reason: high-error-rate\n', 'reason: high-error-rate\n      corroborate: false\n'));
    const before = h.metrics.promqls.length;
    const op = await refusedOp('trusted-1');
    expect(op).toMatchObject({ status: 'done' });
    expect(h.actuator.calls.map((c) => c.value)).toEqual(['baseline']);
    expect(h.metrics.promqls.slice(before).filter((q) => q.includes('ALERTS{'))).toEqual([]);
  });
});
