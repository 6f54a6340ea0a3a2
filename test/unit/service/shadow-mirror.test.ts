// Request mirroring against real candidates on loopback: the real service (ML) and hand-written node:http
// servers that fail on purpose. Each outcome of shadow_requests_total, the agreement counts, the drop
// bound, sampling, and what is never mirrored.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, SHADOW_METRICS } from '../../../service/contract.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { SHADOW_DURATION_BUCKETS } from '../../../service/shadow/shadow-metrics.js';
import { freePort } from '../../helpers/free-port.js';
import { GOOD_INSTANCE, baselineScorer, metricValue, mlScorer, postJson, testApp, type TestApp } from './app-fixtures.js';
import { answer, garbage, hang, reset, shadowApp, shadowCounts, startCandidate, waitForMirrors, type Candidate, type ShadowTestApp } from './shadow-fixtures.js';

/** Baseline threshold in app-fixtures is volatility 0.02: GOOD_INSTANCE (0.01) is class 0, this one class 1. */
const SPIKE = { ...GOOD_INSTANCE, volatility: 0.05 };

describe('mirroring to the real service (ML) as the candidate', () => {
  let ml: Scorer;
  let candidate: TestApp;
  let candidateUrl: string;
  beforeAll(async () => {
    ml = await mlScorer();
    candidate = testApp(ml);
    candidateUrl = await candidate.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await candidate.app.close();
    await ml.close();
  });

  it('counts ok mirrors and agreement per instance: an ML server mirroring to ML agrees on everything', async () => {
    const servingScorer = await mlScorer();
    const serving = shadowApp(servingScorer, { url: candidateUrl });
    try {
      for (let i = 0; i < 5; i++) expect((await postJson(serving.app, '/predict', { ...GOOD_INSTANCE, volatility: 0.001 * i })).statusCode).toBe(200);
      const batch = { instances: [GOOD_INSTANCE, SPIKE, { price: 1, midprice: 1 }] };
      expect((await postJson(serving.app, '/predict/batch', batch)).statusCode).toBe(200);
      const counts = await waitForMirrors(serving.registry, 6);
      expect(counts).toEqual({ ok: 6, error: 0, timeout: 0, unreachable: 0, dropped: 0, agree: 8, differ: 0, timed: 6 });
      expect(await candidate.app.inject({ method: 'GET', url: '/metrics' }).then((r) => r.body)).toContain('http_requests_total{method="POST",route="/predict/batch",status_code="200"}');
    } finally {
      await serving.app.close();
      await servingScorer.close();
    }
  });

  it('a baseline server mirroring to ML counts exactly the instances whose classes differ', async () => {
    const serving = shadowApp(baselineScorer(), { url: candidateUrl });
    try {
      const instances = Array.from({ length: 40 }, (_, i) => ({ ...GOOD_INSTANCE, return_1s: (i - 20) * 0.002, volatility: 0.0015 * i }));
      const served = (await postJson(serving.app, '/predict/batch', { instances })).json<{ predictions: { prediction: number }[] }>().predictions;
      const direct = (await postJson(candidate.app, '/predict/batch', { instances })).json<{ predictions: { prediction: number }[] }>().predictions;
      const differ = served.filter((p, i) => p.prediction !== direct[i]?.prediction).length;
      expect(differ, 'the fixture should hold some disagreement').toBeGreaterThan(0);
      const counts = await waitForMirrors(serving.registry, 1);
      expect(counts).toMatchObject({ ok: 1, error: 0, agree: 40 - differ, differ });
    } finally {
      await serving.app.close();
    }
  });
});

describe('mirroring to hand-written candidates', () => {
  const started: { stop(): Promise<void> }[] = [];
  async function candidateThat(handler: Parameters<typeof startCandidate>[0]): Promise<Candidate> {
    const c = await startCandidate(handler);
    started.push(c);
    return c;
  }
  async function servingTo(shadow: Parameters<typeof shadowApp>[1]): Promise<ShadowTestApp> {
    const s = shadowApp(baselineScorer(), shadow);
    started.push({ stop: () => s.app.close() });
    return s;
  }
  afterEach(async () => {
    // The serving apps first (pushed after their candidates): their pooled connections go before the servers.
    for (const s of started.splice(0).reverse()) await s.stop();
  });

  it('sends the same JSON body to the same route, after the reply, over pooled keep-alive connections', async () => {
    const c = await candidateThat(answer(200, JSON.stringify({ prediction: 0, probability: 0 })));
    const s = await servingTo({ url: `${c.url}/` });
    for (let i = 1; i <= 20; i++) {
      await postJson(s.app, '/predict', GOOD_INSTANCE);
      await waitForMirrors(s.registry, i);
    }
    await postJson(s.app, '/predict/batch', { instances: [SPIKE, { price: 2 }] });
    expect(await waitForMirrors(s.registry, 21)).toMatchObject({ ok: 20, error: 1 }); // the batch got a /predict answer
    expect(c.received).toHaveLength(21);
    expect(c.received[0]).toEqual({ path: '/predict', contentType: 'application/json', marker: '1', body: JSON.stringify(GOOD_INSTANCE) });
    expect(c.received[20]).toEqual({ path: '/predict/batch', contentType: 'application/json', marker: '1', body: JSON.stringify({ instances: [SPIKE, { price: 2 }] }) });
    // One mirror at a time: one pooled connection for all of them.
    expect(c.connections()).toBe(1);
  });

  it('counts differ when the candidate answers another class, agree when the same', async () => {
    const c = await candidateThat(answer(200, JSON.stringify({ prediction: 1, probability: 0.9 })));
    const s = await servingTo({ url: c.url });
    await postJson(s.app, '/predict', GOOD_INSTANCE); // served 0
    await postJson(s.app, '/predict', SPIKE); // served 1
    expect(await waitForMirrors(s.registry, 2)).toMatchObject({ ok: 2, agree: 1, differ: 1 });
  });

  it.each([
    ['a 500', answer(500, '{"error":{"code":"MODEL_ERROR","message":"x"}}'), '/predict'],
    ['a 200 that is not JSON', answer(200, '<html>'), '/predict'],
    ['a 200 without a prediction', answer(200, '{"prediction":"yes"}'), '/predict'],
    ['a batch answer with another count', answer(200, '{"predictions":[{"prediction":0}]}'), '/predict/batch'],
  ])('counts %s as error, with its latency, and no agreement', async (_what, handler, route) => {
    const c = await candidateThat(handler);
    const s = await servingTo({ url: c.url });
    const body = route === '/predict' ? GOOD_INSTANCE : { instances: [GOOD_INSTANCE, SPIKE] };
    expect((await postJson(s.app, route, body)).statusCode).toBe(200);
    expect(await waitForMirrors(s.registry, 1)).toEqual({ ok: 0, error: 1, timeout: 0, unreachable: 0, dropped: 0, agree: 0, differ: 0, timed: 1 });
  });

  it('counts bytes that are not HTTP as error, and a reset before any answer as unreachable', async () => {
    const bad = await candidateThat(garbage);
    const s1 = await servingTo({ url: bad.url });
    await postJson(s1.app, '/predict', GOOD_INSTANCE);
    expect(await waitForMirrors(s1.registry, 1)).toMatchObject({ error: 1, unreachable: 0 });
    const resetting = await candidateThat(reset);
    const s2 = await servingTo({ url: resetting.url });
    await postJson(s2.app, '/predict', GOOD_INSTANCE);
    expect(await waitForMirrors(s2.registry, 1)).toMatchObject({ error: 0, unreachable: 1, timed: 0 });
  });

  it('counts a closed port as unreachable, and logs one WARN line for many failures', async () => {
    const s = await servingTo({ url: `http://127.0.0.1:${await freePort()}` });
    for (let i = 0; i < 30; i++) expect((await postJson(s.app, '/predict', GOOD_INSTANCE)).statusCode).toBe(200);
    expect(await waitForMirrors(s.registry, 30)).toEqual({ ok: 0, error: 0, timeout: 0, unreachable: 30, dropped: 0, agree: 0, differ: 0, timed: 0 });
    const warnings = s.sink.lines().filter((l) => String(l['msg']).startsWith('shadow candidate'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['msg']).toMatch(/1 of 1 mirrored requests failed so far .*last: unreachable: .*ECONNREFUSED/);
  });

  it('counts a name that does not resolve as unreachable', async () => {
    // .invalid never resolves (RFC 2606); a generous timeout so a slow resolver is not counted as timeout.
    const s = await servingTo({ url: 'http://shadow-candidate.invalid:8000', timeoutMs: 10_000 });
    expect((await postJson(s.app, '/predict', GOOD_INSTANCE)).statusCode).toBe(200);
    expect(await waitForMirrors(s.registry, 1, 15_000)).toMatchObject({ ok: 0, error: 0, timeout: 0, unreachable: 1 });
    expect(String(s.sink.lines().at(-1)?.['msg'])).toMatch(/last: unreachable: .*(ENOTFOUND|EAI_AGAIN)/);
  });

  it('counts a candidate that never answers as timeout after SHADOW_TIMEOUT_MS', async () => {
    const c = await candidateThat(hang);
    const s = await servingTo({ url: c.url, timeoutMs: 150 });
    const sentAt = Date.now();
    expect((await postJson(s.app, '/predict', GOOD_INSTANCE)).statusCode).toBe(200);
    expect(await waitForMirrors(s.registry, 1)).toEqual({ ok: 0, error: 0, timeout: 1, unreachable: 0, dropped: 0, agree: 0, differ: 0, timed: 0 });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
  });

  it('drops and counts mirrors beyond SHADOW_MAX_IN_FLIGHT, and counts nothing after close', async () => {
    const c = await candidateThat(hang);
    const s = shadowApp(baselineScorer(), { url: c.url, maxInFlight: 1, timeoutMs: 60_000 });
    for (let i = 0; i < 5; i++) expect((await postJson(s.app, '/predict', GOOD_INSTANCE)).statusCode).toBe(200);
    await expect.poll(() => c.received.length).toBe(1);
    expect(await shadowCounts(s.registry)).toEqual({ ok: 0, error: 0, timeout: 0, unreachable: 0, dropped: 4, agree: 0, differ: 0, timed: 0 });
    await s.app.close(); // destroys the hung mirror's connection
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await shadowCounts(s.registry)).toMatchObject({ timeout: 0, unreachable: 0, error: 0, dropped: 4 });
  });

  it('mirrors nothing with SHADOW_SHARE=0, and about half with 0.5', async () => {
    const c = await candidateThat(answer(200, '{"prediction":0}'));
    const none = await servingTo({ url: c.url, share: 0 });
    for (let i = 0; i < 50; i++) await postJson(none.app, '/predict', GOOD_INSTANCE);
    const half = await servingTo({ url: c.url, share: 0.5 });
    for (let i = 0; i < 400; i++) await postJson(half.app, '/predict', GOOD_INSTANCE);
    await expect.poll(async () => (await shadowCounts(half.registry)).ok === c.received.length).toBe(true);
    expect(await shadowCounts(none.registry)).toMatchObject({ ok: 0, dropped: 0 });
    // Binomial(400, 0.5): 140..260 is more than 6 standard deviations either side.
    expect(c.received.length).toBeGreaterThan(140);
    expect(c.received.length).toBeLessThan(260);
  });

  it('never mirrors a request answered 4xx', async () => {
    const c = await candidateThat(answer(200, '{"prediction":0}'));
    const s = await servingTo({ url: c.url });
    expect((await postJson(s.app, '/predict', { ...GOOD_INSTANCE, price: -1 })).statusCode).toBe(400);
    expect((await postJson(s.app, '/predict/batch', { instances: [] })).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{' })).statusCode).toBe(400);
    expect((await postJson(s.app, '/predict', GOOD_INSTANCE)).statusCode).toBe(200);
    await waitForMirrors(s.registry, 1);
    expect(c.received.map((r) => r.body)).toEqual([JSON.stringify(GOOD_INSTANCE)]);
  });
});

describe('a SHADOW_URL leading back to the service itself', () => {
  it('mirrors each request once: a mirror is never mirrored again', async () => {
    const port = await freePort();
    const s = shadowApp(baselineScorer(), { url: `http://127.0.0.1:${port}` });
    try {
      await s.app.listen({ port, host: '127.0.0.1' });
      const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(GOOD_INSTANCE) });
      expect(res.status).toBe(200);
      expect(await waitForMirrors(s.registry, 1)).toMatchObject({ ok: 1, agree: 1, differ: 0 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await shadowCounts(s.registry)).toMatchObject({ ok: 1, dropped: 0 });
      expect(await metricValue(s.registry, METRIC.httpRequests, { method: 'POST', route: '/predict', status_code: '200' })).toBe(2);
    } finally {
      await s.app.close();
    }
  });
});

describe('shadow metrics exposition', () => {
  it('with mirroring on: every label value at 0 from the start, and shadow_info', async () => {
    const s = shadowApp(baselineScorer(), { url: 'http://api-guardrail-shadow:8000' });
    const text = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    await s.app.close();
    for (const name of SHADOW_METRICS) expect(text).toContain(`# TYPE ${name} `);
    for (const outcome of ['ok', 'error', 'timeout', 'unreachable']) expect(text).toContain(`shadow_requests_total{outcome="${outcome}"} 0`);
    expect(text).toContain('shadow_dropped_total{reason="queue_full"} 0');
    expect(text).toContain('shadow_predictions_total{agreement="agree"} 0');
    expect(text).toContain('shadow_predictions_total{agreement="differ"} 0');
    expect(text).toContain('shadow_info{shadow_url="http://api-guardrail-shadow:8000"} 1');
    const les = [...text.matchAll(/shadow_request_duration_seconds_bucket\{le="([^"]+)"\}/g)].map((m) => m[1]);
    expect(les).toEqual([...SHADOW_DURATION_BUCKETS.map(String), '+Inf']);
    expect(SHADOW_DURATION_BUCKETS).toEqual(expect.arrayContaining([0.001, 0.8, 1, 10]));
  });

  it('with mirroring off: no shadow metric at all', async () => {
    const { app, registry } = testApp(baselineScorer());
    await postJson(app, '/predict', GOOD_INSTANCE);
    for (const name of SHADOW_METRICS) expect(registry.getSingleMetric(name), name).toBeUndefined();
    expect(METRIC.shadowInfo).toBe('shadow_info');
  });
});
