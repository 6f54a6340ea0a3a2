import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraffic, type Traffic } from '../../../scripts/demo-traffic.js';
import { serviceVariant, startRealStack, waitUntil, type RealStack } from './real-stack.js';

// Prometheus goes away while the ML model fails half its requests: the controller cannot see it, so it
// must NOT roll back (UNKNOWN never does), and it must say it is blind (WARNING GuardrailBlind after
// blindAfter = 5 ticks of the demo policy).

let stack: RealStack;
let traffic: Traffic | undefined;

beforeAll(async () => {
  stack = await startRealStack({ FAULT_ML_ERROR_RATE: '0.5' });
}, 60_000);

afterAll(async () => {
  traffic?.stop();
  await stack?.stop();
});

describe('Prometheus stopped', () => {
  it('no rollback, and the blind WARNING reaches Alertmanager', async () => {
    traffic = startTraffic(`${stack.serviceUrl}/predict`, 10);
    await stack.prometheus.kill();
    const killedAt = Date.now();
    const alert = await waitUntil('GuardrailBlind in Alertmanager', 25_000, async () =>
      (await stack.alertmanager.alerts()).find((a) => a.labels['alertname'] === 'GuardrailBlind'),
    500);
    process.stdout.write(`[runtime-it] GuardrailBlind in Alertmanager ${Date.now() - killedAt} ms after Prometheus was killed\n`);
    expect(alert.labels).toMatchObject({ severity: 'warning', target: 'demo' });
    // Errors keep happening, but nothing is switched while blind.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(traffic.counts.serverErrors).toBeGreaterThan(20);
    const [status] = stack.runtime.status();
    expect(status?.phase).toBe('watching');
    expect(status?.lastEvaluation?.verdicts.every((v) => v.status === 'unknown')).toBe(true);
    expect(await serviceVariant(stack.serviceUrl)).toMatch(/^ml /);
    expect((await stack.runtime.history({ limit: 10, offset: 0 })).total).toBe(0);
    expect(await stack.runtime.metrics.registry.metrics()).toMatch(/guardrail_evaluation_errors_total\{target="demo",cause="unreachable"\} \d+/);
  }, 45_000);
});
