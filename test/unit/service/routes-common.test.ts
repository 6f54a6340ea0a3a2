// Routes and metrics that do not depend on the variant: /metrics exposition, route labels, 404, 503.
import { describe, expect, it } from 'vitest';
import { METRIC, SHADOW_METRICS } from '../../../service/contract.js';
import { HTTP_DURATION_BUCKETS } from '../../../service/metrics.js';
import { GOOD_INSTANCE, baselineScorer, isErrorBody, metricValue, postJson, testApp } from './app-fixtures.js';

describe('GET /metrics', () => {
  it('exposes every contract metric, the model_info gauge and default process metrics', async () => {
    const { app } = testApp(baselineScorer());
    await postJson(app, '/predict', GOOD_INSTANCE);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    // The shadow_* metrics exist only with mirroring on (shadow-mirror.test.ts).
    for (const name of Object.values(METRIC)) {
      if (SHADOW_METRICS.includes(name)) expect(text).not.toContain(`# TYPE ${name} `);
      else expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('model_info{variant="baseline",version="baseline-1764545017"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/predict",status_code="200"} 1');
    expect(text).toContain('model_inference_duration_seconds_count{variant="baseline"} 1');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    // Every invalid-input reason exists from the start (at 0), so rate() works before the first error.
    expect(text).toContain('prediction_invalid_input_total{reason="wrong_type"} 0');
  });

  it('has latency buckets including 0.8 s and 5 s and bounds above 5 s', async () => {
    const { app } = testApp(baselineScorer());
    await postJson(app, '/predict', GOOD_INSTANCE);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const les = [...text.matchAll(/http_request_duration_seconds_bucket\{le="([^"]+)",method="POST",route="\/predict",status_code="200"\}/g)].map((m) => m[1]);
    expect(les).toEqual([...HTTP_DURATION_BUCKETS.map(String), '+Inf']);
    expect(les).toContain('0.8');
    expect(les).toContain('5');
    expect(HTTP_DURATION_BUCKETS.some((b) => b > 5)).toBe(true);
  });

  it('labels unknown paths with one route value, so scanners cannot explode cardinality', async () => {
    const { app, registry } = testApp(baselineScorer());
    for (const url of ['/admin', '/wp-login.php', '/predict/../etc/passwd', '/x?y=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect(await metricValue(registry, METRIC.httpRequests, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(4);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).not.toContain('wp-login');
  });

  it('GET on a POST route is a 404 in the error shape', async () => {
    const { app } = testApp(baselineScorer());
    const res = await app.inject({ method: 'GET', url: '/predict' });
    expect(res.statusCode).toBe(404);
    expect(isErrorBody(res.json())).toBe(true);
  });

  it('observes the request duration of /predict under the route pattern', async () => {
    const { app, registry } = testApp(baselineScorer());
    await postJson(app, '/predict', GOOD_INSTANCE);
    await postJson(app, '/predict', GOOD_INSTANCE);
    const text = await registry.getSingleMetricAsString(METRIC.httpDuration);
    expect(text).toContain('http_request_duration_seconds_count{method="POST",route="/predict",status_code="200"} 2');
  });
});

describe('model not loaded', () => {
  it('GET /health is 503 with the configured variant', async () => {
    const { app } = testApp(undefined, 'ml');
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', model_variant: 'ml', model_version: null });
  });

  it('prediction routes and /version answer 503 MODEL_NOT_LOADED', async () => {
    const { app } = testApp(undefined, 'baseline');
    const requests = [
      postJson(app, '/predict', GOOD_INSTANCE),
      postJson(app, '/predict/batch', { instances: [GOOD_INSTANCE] }),
      app.inject({ method: 'GET', url: '/version' }),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: { code: 'MODEL_NOT_LOADED' } });
    }
  });

  it('/metrics still answers, without a model_info series', async () => {
    const { app } = testApp(undefined, 'ml');
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/^model_info\{/m);
  });
});

describe('buildApp', () => {
  it('refuses a scorer whose variant differs from the configured one', () => {
    expect(() => testApp(baselineScorer(), 'ml')).toThrow(/variant baseline does not match config variant ml/);
  });
});
