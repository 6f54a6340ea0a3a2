// The metrics contract against a REAL Prometheus: the controller's error-ratio and P95 queries, run on what
// a real service exposes under fault injection, give the numbers the faults imply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusQueryResponse, type RealPrometheus, type VectorSample } from '../../helpers/real-prometheus.js';
import { buildService, startService, type ServiceProcess } from './service-process.js';

const ERROR_RATIO =
  'sum(rate(http_requests_total{route="/predict",status_code=~"5.."}[30s])) / sum(rate(http_requests_total{route="/predict"}[30s]))';
const p95 = (matchers: string): string =>
  `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{route="/predict"${matchers}}[30s])))`;
const INJECTED_LATENCY_MS = 300;
const BODY = JSON.stringify({ price: 100, midprice: 100.01, return_1s: 0.0001, return_5s: -0.0002, volatility: 0.0002 });

function scalarOf(response: PrometheusQueryResponse): number {
  expect(response.status).toBe('success');
  const result = response.data?.result as VectorSample[] | undefined;
  expect(result).toHaveLength(1);
  return Number(result?.[0]?.value[1]);
}

/** Steady traffic: each worker sends one request every `periodMs` (or as fast as answers come back). */
function steadyTraffic(url: string, workers: number, periodMs: number): { stop: () => Promise<{ sent: number; statuses: Map<number, number> }> } {
  let running = true;
  let sent = 0;
  const statuses = new Map<number, number>();
  const worker = async (): Promise<void> => {
    while (running) {
      const started = Date.now();
      try {
        const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
      sent++;
      const wait = periodMs - (Date.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  return {
    async stop() {
      running = false;
      await all;
      return { sent, statuses };
    },
  };
}

describe('metrics contract with a real Prometheus', () => {
  let fast: ServiceProcess;
  let slow: ServiceProcess;
  let fastUrl: string;
  let slowUrl: string;
  let prometheus: RealPrometheus | undefined;

  beforeAll(async () => {
    await buildService();
    // Both at a 0.2 error rate, so the unfiltered error-ratio query over both is still 0.2; the second
    // also adds latency, told apart in the P95 queries by its instance label.
    fast = startService({ FAULT_ML_ERROR_RATE: '0.2', FAULT_SEED: '7' });
    slow = startService({ FAULT_ML_ERROR_RATE: '0.2', FAULT_ML_LATENCY_MS: String(INJECTED_LATENCY_MS), FAULT_SEED: '8' });
    [fastUrl, slowUrl] = await Promise.all([fast.listening(), slow.listening()]);
    prometheus = await startPrometheus({ scrapeTargets: [new URL(fastUrl).host, new URL(slowUrl).host], scrapeIntervalSec: 1 });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all([fast?.kill(), slow?.kill()]);
  });

  it('the error-ratio query reads ~0.2 and the P95 query is finite, and higher with injected latency', async () => {
    const fastTraffic = steadyTraffic(fastUrl, 4, 10); // ~400 rps
    const slowTraffic = steadyTraffic(slowUrl, 16, 0); // ~50 rps, each request ≥ 300 ms
    try {
      const p = prometheus;
      if (p === undefined) throw new Error('prometheus did not start');
      // Enough 1 s scrapes of both targets inside the 30 s window for rate() to be meaningful.
      const deadline = Date.now() + 45_000;
      for (;;) {
        const res = await p.query('min(count_over_time(up{job="targets"}[30s]))');
        const scrapes = res.status === 'success' && Array.isArray(res.data?.result) && res.data.result.length > 0 ? scalarOf(res) : 0;
        if (scrapes >= 10) break;
        if (Date.now() > deadline) throw new Error(`only ${scrapes} scrapes after 45 s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const ratio = scalarOf(await p.query(ERROR_RATIO));
      expect(ratio).toBeGreaterThan(0.15);
      expect(ratio).toBeLessThan(0.25);

      const fastHost = new URL(fastUrl).host;
      const slowHost = new URL(slowUrl).host;
      const fastP95 = scalarOf(await p.query(p95(`,instance="${fastHost}"`)));
      expect(Number.isFinite(fastP95)).toBe(true);
      expect(fastP95).toBeGreaterThan(0);
      expect(fastP95).toBeLessThan(0.1);
      const slowP95 = scalarOf(await p.query(p95(`,instance="${slowHost}"`)));
      expect(slowP95).toBeGreaterThan(INJECTED_LATENCY_MS / 1000);
      expect(slowP95).toBeLessThanOrEqual(0.5);
      expect(slowP95).toBeGreaterThan(fastP95);
      console.info(`error ratio ${ratio.toFixed(4)}, p95 fast ${(fastP95 * 1000).toFixed(2)} ms, p95 with ${INJECTED_LATENCY_MS} ms injected ${(slowP95 * 1000).toFixed(1)} ms`);
      // The unfiltered query the controller's default policy uses is finite too.
      expect(Number.isFinite(scalarOf(await p.query(p95(''))))).toBe(true);

      // The other contract series are there, with the labels the docs promise.
      const info = (await p.query('model_info{job="targets"}')).data?.result as VectorSample[];
      expect(info.map((s) => s.metric['variant'])).toEqual(['ml', 'ml']);
      expect(info.every((s) => /^xgb-/.test(s.metric['version'] ?? ''))).toBe(true);
      const predicted = scalarOf(await p.query('sum(rate(model_predictions_total{variant="ml"}[30s]))'));
      expect(predicted).toBeGreaterThan(0);
    } finally {
      const fastDone = await fastTraffic.stop();
      const slowDone = await slowTraffic.stop();
      // What the clients saw matches: only 200s and injected 500s, about one in five.
      for (const done of [fastDone, slowDone]) {
        expect([...done.statuses.keys()].sort()).toEqual([200, 500]);
        expect((done.statuses.get(500) ?? 0) / done.sent).toBeGreaterThan(0.12);
        expect((done.statuses.get(500) ?? 0) / done.sent).toBeLessThan(0.28);
      }
    }
  });
});
