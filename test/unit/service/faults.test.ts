// Fault injection acts on the ML variant only, so a rollback to the baseline really cures it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC } from '../../../service/contract.js';
import { NO_FAULTS, applyFaults, seededRandom } from '../../../service/scorers/fault-injecting-scorer.js';
import type { OnnxScorer } from '../../../service/scorers/onnx-scorer.js';
import { GOOD_INSTANCE, baselineScorer, metricValue, mlScorer, postJson, testApp } from './app-fixtures.js';

describe('fault injection', () => {
  let ml: OnnxScorer;
  beforeAll(async () => {
    ml = await mlScorer();
  });
  afterAll(async () => {
    await ml.close();
  });

  it('FAULT_ML_ERROR_RATE=1 makes every ML prediction a 500 MODEL_ERROR, counted as 5xx', async () => {
    const { app, registry, sink } = testApp(applyFaults(ml, { ...NO_FAULTS, errorRate: 1 }));
    for (let i = 0; i < 20; i++) {
      const res = await postJson(app, '/predict', GOOD_INSTANCE);
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'MODEL_ERROR', message: 'injected fault (FAULT_ML_ERROR_RATE)' } });
    }
    const batch = await postJson(app, '/predict/batch', { instances: [GOOD_INSTANCE] });
    expect(batch.statusCode).toBe(500);
    expect(await metricValue(registry, METRIC.httpRequests, { method: 'POST', route: '/predict', status_code: '500' })).toBe(20);
    expect(await metricValue(registry, METRIC.predictions, { variant: 'ml', prediction: '0' })).toBe(0);
    expect(sink.lines().filter((l) => l['msg'] === 'model error')).toHaveLength(21);
    // The model itself is fine: health stays 200, the controller must judge by the error ratio.
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('FAULT_ML_ERROR_CYCLE fails requests only in the "on" part of each period (a sawtooth)', async () => {
    let now = 1_000_000;
    const cycled = applyFaults(ml, { ...NO_FAULTS, errorRate: 1, errorCycle: { onMs: 7_500, periodMs: 12_000 } }, () => now);
    const { app } = testApp(cycled);
    const statusAt = async (offsetMs: number) => {
      now = 1_000_000 + offsetMs;
      return (await postJson(app, '/predict', GOOD_INSTANCE)).statusCode;
    };
    expect([await statusAt(0), await statusAt(7_499), await statusAt(7_500), await statusAt(11_999), await statusAt(12_000), await statusAt(31_600)]).toEqual([
      500, 500, 200, 200, 500, 200,
    ]);
  });

  it('leaves the baseline untouched even at rate 1 and 200 ms latency', async () => {
    const baseline = baselineScorer();
    expect(applyFaults(baseline, { errorRate: 1, latencyMs: 200, seed: 1 })).toBe(baseline);
    const { app } = testApp(applyFaults(baseline, { errorRate: 1, latencyMs: 200, seed: 1 }));
    const started = performance.now();
    for (let i = 0; i < 10; i++) expect((await postJson(app, '/predict', GOOD_INSTANCE)).statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('FAULT_ML_LATENCY_MS adds the delay to each ML request', async () => {
    const { app, registry } = testApp(applyFaults(ml, { ...NO_FAULTS, latencyMs: 150 }));
    const started = performance.now();
    const res = await postJson(app, '/predict', GOOD_INSTANCE);
    const elapsed = performance.now() - started;
    expect(res.statusCode).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(149);
    // The delay shows in the request histogram the controller's P95 query reads.
    const text = await registry.getSingleMetricAsString(METRIC.httpDuration);
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="POST",route="/predict",status_code="200"} 0');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.25",method="POST",route="/predict",status_code="200"} 1');
  });

  it('a 0.2 error rate fails about 20 % of requests, reproducibly for one seed', async () => {
    const run = async (): Promise<number[]> => {
      const { app } = testApp(applyFaults(ml, { ...NO_FAULTS, errorRate: 0.2, seed: 42 }));
      const statuses: number[] = [];
      for (let i = 0; i < 1000; i++) statuses.push((await postJson(app, '/predict', GOOD_INSTANCE)).statusCode);
      return statuses;
    };
    const first = await run();
    const failed = first.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(160);
    expect(failed).toBeLessThan(240);
    expect(first.every((s) => s === 200 || s === 500)).toBe(true);
    expect(await run()).toEqual(first);
  });

  it('no faults configured: the ML scorer is returned as is', () => {
    expect(applyFaults(ml, NO_FAULTS)).toBe(ml);
  });

  it('seededRandom is uniform enough and in [0, 1)', () => {
    const random = seededRandom(7);
    const draws = Array.from({ length: 10_000 }, random);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(draws.filter((x) => x < 0.2).length / draws.length).toBeCloseTo(0.2, 1);
  });
});
