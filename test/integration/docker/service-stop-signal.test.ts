// The prediction service's two stop signals, as the Docker actuator uses them (docs/service.md):
// SIGTERM keeps serving SHUTDOWN_DRAIN_MS (start-first), SIGINT closes at once (a recreate switch's
// `stopSignal: SIGINT`) — both let an in-flight request finish and exit 0.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildService, startService, type ServiceProcess } from '../service/service-process.js';

const started: ServiceProcess[] = [];
const messages = (s: ServiceProcess): string[] => s.logs().map((l) => String(l['msg'] ?? l['raw']));
const BODY = JSON.stringify({ price: 100, midprice: 100, return_1s: 0, return_5s: 0, volatility: 0.0001 });

describe('prediction service stop signals', () => {
  beforeAll(async () => {
    await buildService();
  }, 120_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });

  it('SIGINT refuses new connections at once, lets an in-flight request finish, and exits 0 without the drain', async () => {
    const service = startService({ FAULT_ML_LATENCY_MS: '1000', SHUTDOWN_DRAIN_MS: '3000' });
    started.push(service);
    const url = await service.listening();
    const inFlight = fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    await new Promise((resolve) => setTimeout(resolve, 300)); // inside the 1 s delay
    const signalledAt = Date.now();
    service.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 150));
    // With a 3 s drain configured, SIGTERM would still answer here; SIGINT has closed the listener.
    await expect(fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const { code } = await service.exited();
    expect(code).toBe(0);
    // The in-flight request had ~0.7 s left; the drain (3 s) was skipped.
    expect(Date.now() - signalledAt).toBeLessThan(2_500);
    expect(messages(service)).toEqual(expect.arrayContaining(['shutting down now: finishing in-flight requests', 'shut down cleanly']));
  });
});
