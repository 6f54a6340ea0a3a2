// Fault: a webhook storm — the same firing alert (one fingerprint, one startsAt) POSTed 1,000 times in
// 10 s, as a misbehaving Alertmanager or a replaying client would. Guardrail: exactly one action — one
// switch, one history row, one GuardrailRollbackStarted; 999 answers say `duplicates: 1`. The breach is
// real and visible in Prometheus (a webhook may be checked against it), but the reason's own `for` is
// 1 h here, so only the webhook can act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, startFaultStack, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ editPolicy: (yaml) => yaml.replace('above: slo.errorRatio, for: 2s', 'above: slo.errorRatio, for: 1h') });
}, 120_000);
afterAll(async () => stack?.stop());

/** The end state as the operator reads it: `guardrail status --json`. */
const statusCli = async () => (await stack.status()).targets[0];
const STORM = 1_000;
const PER_100_MS = 10;

function payload(): unknown {
  const alert = {
    status: 'firing',
    labels: { alertname: 'FaultHighErrorRate', severity: 'critical', job: 'faults' },
    annotations: { summary: 'errors above 5%' },
    startsAt: '2026-11-27T10:00:00.000Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: 'f00dfeedf00dfeed',
  };
  return { version: '4', status: 'firing', receiver: 'guardrail', groupKey: '{}:{alertname="FaultHighErrorRate"}', groupLabels: {}, commonLabels: alert.labels, commonAnnotations: {}, externalURL: 'http://am', alerts: [alert] };
}

describe('fault: a webhook storm', () => {
  it('1,000 identical alerts in 10 s: exactly one action', async () => {
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the breach evaluated', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts[0]?.status === 'breach' ? true : undefined), 500);
    const before = await stack.client.listContainers({ filters: { name: [stack.prefix] } });

    const answers: { status: number; queued: number; duplicates: number }[] = [];
    for (let sent = 0; sent < STORM; sent += PER_100_MS) {
      const wave = Array.from({ length: PER_100_MS }, async () => {
        const res = await stack.postWebhook(payload());
        const body = (await res.json()) as { queued: number; duplicates: number };
        answers.push({ status: res.status, queued: body.queued, duplicates: body.duplicates });
      });
      await Promise.all([...wave, new Promise((r) => setTimeout(r, 100))]);
    }
    expect(answers).toHaveLength(STORM);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.queued === 1)).toHaveLength(1);
    expect(answers.filter((a) => a.queued === 0 && a.duplicates === 1)).toHaveLength(STORM - 1);

    await waitUntil('the rollback', 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 500);
    const status = await statusCli();
    expect(status?.rollback?.trigger).toMatchObject({ kind: 'webhook', alertname: 'FaultHighErrorRate', fingerprint: 'f00dfeedf00dfeed' });
    const history = await stack.history();
    expect(history.map((e) => [e.action, e.reason, e.trigger.kind, e.result])).toEqual([['rollback', 'high-error-rate', 'webhook', 'succeeded']]);
    const after = await stack.client.listContainers({ all: true, filters: { name: [stack.prefix] } });
    expect(after).toHaveLength(1);
    expect(after[0]?.Id).not.toBe(before[0]?.Id); // recreated exactly once: one new container, the old one gone
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    await waitUntil('GuardrailRollbackStarted in Alertmanager', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailRollbackStarted') ? true : undefined), 500);
    expect(await stack.activeAlerts()).toEqual(['GuardrailRollbackStarted']);
    const metrics = await stack.metricsText();
    expect(metrics).toMatch(/^guardrail_webhook_alerts_total\{outcome="queued"\} 1$/m);
    expect(metrics).toMatch(/^guardrail_webhook_alerts_total\{outcome="duplicate"\} 999$/m);
    expect(metrics).toMatch(/^guardrail_rollbacks_total\{target="faults",reason="high-error-rate",trigger="webhook"\} 1$/m);
  });
});
