import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetricsSource, type RetryInfo } from '../../../controller/adapters/prometheus/metrics-source.js';
import type { Sample } from '../../../controller/core/observation.js';
import { freePort } from '../../helpers/free-port.js';
import { startMetricsExporter, type MetricsExporter } from '../../helpers/metrics-exporter.js';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';
import { startScriptedServer, type ScriptedServer } from '../../helpers/scripted-server.js';

// The Prometheus adapter against a REAL Prometheus scraping a real exporter, and against a scripted HTTP
// server for the failures a healthy Prometheus will not produce (garbage, 503, silence).

function expectUnknown(sample: Sample, cause: string, detailPart?: string): void {
  expect(sample).toMatchObject({ kind: 'unknown', cause });
  if (detailPart !== undefined && sample.kind === 'unknown') expect(sample.detail).toContain(detailPart);
}

describe('PrometheusMetricsSource against a real Prometheus', () => {
  let exporter: MetricsExporter;
  let prometheus: RealPrometheus;
  let source: PrometheusMetricsSource;
  const retries: RetryInfo[] = [];

  beforeAll(async () => {
    exporter = await startMetricsExporter([
      { name: 'guardrail_test_error_ratio', labels: { service: 'api' }, value: 0.0375 },
      { name: 'guardrail_test_multi', labels: { instance: 'a' }, value: 1 },
      { name: 'guardrail_test_multi', labels: { instance: 'b' }, value: 2 },
      { name: 'guardrail_test_nan', value: NaN },
    ]);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    source = new PrometheusMetricsSource({ baseUrl: prometheus.url, timeoutMs: 2_000, backoffMs: 10, onRetry: (info) => retries.push(info) });
    await prometheus.waitForSample('guardrail_test_nan', 20_000);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('reads the exported gauge value', async () => {
    expect(await source.query('guardrail_test_error_ratio{service="api"}')).toEqual({ kind: 'value', value: 0.0375 });
  });

  it('accepts scalar results', async () => {
    expect(await source.query('scalar(guardrail_test_error_ratio) * 100')).toEqual({ kind: 'value', value: 3.75 });
  });

  it('also works with POST', async () => {
    const post = new PrometheusMetricsSource({ baseUrl: prometheus.url, method: 'POST' });
    expect(await post.query('sum(guardrail_test_multi)')).toEqual({ kind: 'value', value: 3 });
  });

  it('calls an empty vector no_data', async () => {
    expectUnknown(await source.query('guardrail_test_error_ratio{service="nope"}'), 'no_data', 'no series');
  });

  it('calls 0/0 not_finite (NaN)', async () => {
    expectUnknown(await source.query('vector(0) / vector(0)'), 'not_finite', 'NaN');
  });

  it('calls a scraped NaN not_finite', async () => {
    expectUnknown(await source.query('guardrail_test_nan'), 'not_finite', 'NaN');
  });

  it('calls 1/0 and -1/0 not_finite (+Inf, -Inf)', async () => {
    expectUnknown(await source.query('vector(1) / vector(0)'), 'not_finite', '+Inf');
    expectUnknown(await source.query('vector(-1) / vector(0)'), 'not_finite', '-Inf');
  });

  it('refuses several series and lists both label sets', async () => {
    const sample = await source.query('guardrail_test_multi');
    expectUnknown(sample, 'several_series', 'returned 2 series');
    expectUnknown(sample, 'several_series', 'instance="a"');
    expectUnknown(sample, 'several_series', 'instance="b"');
  });

  it('reports bad PromQL as query_error without retrying', async () => {
    retries.length = 0;
    const sample = await source.query('sum(rate(');
    expectUnknown(sample, 'query_error', 'bad_data');
    expect(retries).toHaveLength(0);
  });

  it('calls a range vector (matrix) bad_response', async () => {
    expectUnknown(await source.query('guardrail_test_error_ratio[1m]'), 'bad_response', 'returned a matrix');
  });

  it('calls a string result bad_response', async () => {
    expectUnknown(await source.query('"hello"'), 'bad_response', 'returned a string');
  });

  it('runs a tick of queries in order', async () => {
    const samples = await source.queryAll(['vector(1)', 'guardrail_test_multi', 'vector(3)']);
    expect(samples.map((s) => (s.kind === 'value' ? s.value : s.cause))).toEqual([1, 'several_series', 3]);
  });

  it('is reachable', async () => {
    expect(await source.isReachable()).toBe(true);
  });
});

describe('PrometheusMetricsSource against a scripted HTTP server', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer((_req, res) => res.end());
  });
  afterAll(async () => {
    await server?.stop();
  });
  const sourceFor = (extra: { timeoutMs?: number; retries?: number } = {}): PrometheusMetricsSource =>
    new PrometheusMetricsSource({ baseUrl: server.url, backoffMs: 10, timeoutMs: extra.timeoutMs ?? 2_000, retries: extra.retries ?? 2 });

  it('calls a 200 with a non-JSON body bad_response, without retrying', async () => {
    server.reset();
    server.setHandler((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
    expectUnknown(await sourceFor().query('up'), 'bad_response', 'not JSON');
    expect(server.count()).toBe(1);
  });

  it('asks for an uncompressed answer (inflating gzip cost more CPU per tick than the bytes it saves)', async () => {
    server.reset();
    const encodings: (string | undefined)[] = [];
    server.setHandler((req, res) => {
      encodings.push(req.headers['accept-encoding']);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success","data":{"resultType":"scalar","result":[1,"7"]}}');
    });
    expect(await sourceFor().query('up')).toEqual({ kind: 'value', value: 7 });
    expect(encodings).toEqual(['identity']);
  });

  it('calls JSON of the wrong shape bad_response', async () => {
    server.setHandler((_req, res) => res.writeHead(200).end('{"hello":"world"}'));
    expectUnknown(await sourceFor().query('up'), 'bad_response', 'without status');
  });

  it('retries a 503 and then reports http_error with the status', async () => {
    server.reset();
    server.setHandler((_req, res) => res.writeHead(503).end('overloaded'));
    expectUnknown(await sourceFor({ retries: 2 }).query('up'), 'http_error', 'HTTP 503');
    expect(server.count()).toBe(3);
  });

  it('recovers when a retry succeeds', async () => {
    server.reset();
    server.setHandler((_req, res, n) =>
      n === 1 ? res.writeHead(502).end() : res.writeHead(200).end('{"status":"success","data":{"resultType":"scalar","result":[1,"7"]}}'),
    );
    expect(await sourceFor().query('up')).toEqual({ kind: 'value', value: 7 });
    expect(server.count()).toBe(2);
  });

  it('retries 429', async () => {
    server.reset();
    server.setHandler((_req, res) => res.writeHead(429).end());
    expectUnknown(await sourceFor({ retries: 1 }).query('up'), 'http_error', 'HTTP 429');
    expect(server.count()).toBe(2);
  });

  it('does not retry a 404', async () => {
    server.reset();
    server.setHandler((_req, res) => res.writeHead(404).end('not found'));
    expectUnknown(await sourceFor().query('up'), 'http_error', 'HTTP 404');
    expect(server.count()).toBe(1);
  });

  it('reports a server that never answers as timeout with the budget in the detail', async () => {
    server.reset();
    server.setHandler(() => {
      /* never answer */
    });
    const started = Date.now();
    const sample = await sourceFor({ timeoutMs: 300, retries: 1 }).query('up');
    const elapsed = Date.now() - started;
    expectUnknown(sample, 'timeout', `Prometheus at ${server.url} did not answer within 300 ms`);
    expect(server.count()).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    server.reset();
    server.setHandler(() => {
      /* never answer */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const sample = await sourceFor({ timeoutMs: 5_000, retries: 3 }).query('up', { signal: controller.signal });
    expectUnknown(sample, 'timeout', 'cancelled by its caller');
    expect(server.count()).toBe(1);
  });

  it('keeps at most maxConcurrency queries in flight and returns results in order', async () => {
    server.reset();
    server.setHandler((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      setTimeout(() => res.writeHead(200).end(`{"status":"success","data":{"resultType":"scalar","result":[1,"${query}"]}}`), 50);
    });
    const source = new PrometheusMetricsSource({ baseUrl: server.url, maxConcurrency: 2 });
    const samples = await source.queryAll(['1', '2', '3', '4', '5', '6']);
    expect(samples).toEqual([1, 2, 3, 4, 5, 6].map((value) => ({ kind: 'value', value })));
    expect(server.maxInFlight()).toBe(2);
  });
});

describe('PrometheusMetricsSource when Prometheus is not there', () => {
  it('calls a closed port unreachable after bounded retries', async () => {
    const port = await freePort();
    const retries: RetryInfo[] = [];
    const source = new PrometheusMetricsSource({ baseUrl: `http://127.0.0.1:${port}`, backoffMs: 10, retries: 2, onRetry: (r) => retries.push(r) });
    const sample = await source.query('up');
    expectUnknown(sample, 'unreachable', 'ECONNREFUSED');
    expectUnknown(sample, 'unreachable', 'gave up after 3 attempts');
    expect(retries.map((r) => r.delayMs)).toEqual([10, 20]);
    expect(await source.isReachable()).toBe(false);
  });

  it('turns a Prometheus killed mid-run into unreachable, without throwing', async () => {
    const prometheus = await startPrometheus({ scrapeTargets: [] });
    try {
      const source = new PrometheusMetricsSource({ baseUrl: prometheus.url, backoffMs: 10, retries: 1 });
      expect(await source.query('vector(5)')).toEqual({ kind: 'value', value: 5 });
      await prometheus.kill();
      expectUnknown(await source.query('vector(5)'), 'unreachable', prometheus.url);
    } finally {
      await prometheus.stop();
    }
  });
});
