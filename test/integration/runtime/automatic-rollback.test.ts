import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTraffic, type Traffic } from '../../../scripts/demo-traffic.js';
import { serviceVariant, startRealStack, waitUntil, type RealStack } from './real-stack.js';

// The whole loop with real parts: the compiled service failing half of its ML predictions
// (FAULT_ML_ERROR_RATE=0.5, ML variant only), a real Prometheus scraping it every second, the demo policy
// (2 s ticks, 15 s windows, for 6 s, minRequests 10 per 15 s), cron ticks, the process actuator and a
// real Alertmanager.

let stack: RealStack;
let traffic: Traffic | undefined;

beforeAll(async () => {
  stack = await startRealStack({ FAULT_ML_ERROR_RATE: '0.5' });
}, 60_000);

afterAll(async () => {
  traffic?.stop();
  await stack?.stop();
});

const WINDOW_MS = 15_000;
const FOR_MS = 6_000;
const INTERVAL_MS = 2_000;

describe('automatic rollback with the demo policy', () => {
  it('low traffic with errors (below minRequests): nothing happens, the verdicts say low_traffic', async () => {
    expect(await serviceVariant(stack.serviceUrl)).toMatch(/^ml /);
    traffic = startTraffic(`${stack.serviceUrl}/predict`, 0.4); // ~6 requests per 15 s < 10
    await new Promise((r) => setTimeout(r, 20_000));
    traffic.stop();
    expect(traffic.counts.serverErrors).toBeGreaterThan(0);
    const [status] = stack.runtime.status();
    expect(status?.phase).toBe('watching');
    expect(status?.lastEvaluation?.verdicts.find((v) => v.conditionId === 'reasons.high-error-rate')).toMatchObject({ status: 'unknown', cause: 'low_traffic' });
    const { total } = await stack.runtime.history({ limit: 10, offset: 0 });
    expect(total).toBe(0);
  }, 40_000);

  it('enough traffic: rolls back within window + for + 2 intervals, exactly once, verified, alerted, recorded; a racing manual rollback conflicts', async () => {
    const started = Date.now();
    traffic = startTraffic(`${stack.serviceUrl}/predict`, 10);
    const decided = await waitUntil('the rollback decision', WINDOW_MS + FOR_MS + 2 * INTERVAL_MS, () => {
      const [status] = stack.runtime.status();
      return status?.phase === 'rolling_back' || status?.phase === 'rolled_back' ? status : undefined;
    }, 20);
    const decidedAfterMs = Date.now() - started;
    // While the switch is in flight, a manual rollback is refused (conflict names the automatic one, or the engine says so).
    const manual = await stack.runtime.submit('demo', { kind: 'rollback', actor: 'test', reason: 'racing' });
    expect(manual.outcome).toBe('conflict');

    await waitUntil('rolled_back', 30_000, () => (stack.runtime.status()[0]?.phase === 'rolled_back' ? true : undefined));
    const verifiedAfterMs = Date.now() - started;
    expect(await serviceVariant(stack.serviceUrl)).toMatch(/^baseline baseline-/);
    expect(decided.rollback?.reason).toBe('high-error-rate');

    const { entries, total } = await stack.runtime.history({ limit: 10, offset: 0 });
    expect(total).toBe(1);
    expect(entries[0]).toMatchObject({ action: 'rollback', reason: 'high-error-rate', result: 'succeeded', trigger: { kind: 'automatic' } });
    expect(entries[0]?.evidence.conditions[0]?.value).toBeGreaterThan(0.05);

    const alert = await waitUntil('GuardrailRollbackStarted in Alertmanager', 10_000, async () =>
      (await stack.alertmanager.alerts()).find((a) => a.labels['alertname'] === 'GuardrailRollbackStarted'),
    );
    expect(alert.labels).toMatchObject({ severity: 'info', target: 'demo', reason: 'high-error-rate', rollbackId: entries[0]?.id });
    process.stdout.write(`[runtime-it] rollback decided ${decidedAfterMs} ms and verified ${verifiedAfterMs} ms after traffic started\n`);

    // More ticks change nothing: still one history entry, and the errors are gone (baseline ignores the ML fault).
    const errorsBefore = traffic.counts.serverErrors;
    await new Promise((r) => setTimeout(r, 4_000));
    expect(traffic.counts.serverErrors).toBe(errorsBefore);
    expect((await stack.runtime.history({ limit: 10, offset: 0 })).total).toBe(1);
  }, 60_000);

  it('a runtime restart during the rollback keeps its true start; the service comes back on baseline', async () => {
    const before = stack.runtime.status()[0]?.rollback;
    expect(before).not.toBeNull();
    await stack.restartRuntime();
    const after = stack.runtime.status()[0];
    expect(after?.phase).toBe('rolled_back');
    expect(after?.rollback?.startedAt).toBe(before?.startedAt);
    expect(after?.rollback?.id).toBe(before?.id);
    expect(await serviceVariant(stack.serviceUrl)).toMatch(/^baseline /);
    expect((await stack.runtime.history({ limit: 10, offset: 0 })).total).toBe(1);
  }, 30_000);
});
