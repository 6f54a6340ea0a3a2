// The routes on the baseline variant: the seed's z-score rule with fixed stats (threshold 0.02 here).
import { describe, expect, it } from 'vitest';
import { METRIC } from '../../../service/contract.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { GOOD_INSTANCE, NOW_MS, baselineScorer, metricValue, postJson, testApp } from './app-fixtures.js';

describe('baseline variant routes', () => {
  it('POST /predict flags volatility above mean + 2·std with probability 0.8', async () => {
    const { app, registry } = testApp(baselineScorer());
    const res = await postJson(app, '/predict', { ...GOOD_INSTANCE, volatility: 0.021 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      prediction: 1,
      probability: 0.8,
      model_version: 'baseline-1764545017',
      model_variant: 'baseline',
      timestamp: NOW_MS / 1000,
    });
    expect(await metricValue(registry, METRIC.predictions, { variant: 'baseline', prediction: '1' })).toBe(1);
    expect(await metricValue(registry, METRIC.predictions, { variant: 'baseline', prediction: '0' })).toBe(0);
  });

  it('POST /predict: volatility at or below the threshold is no spike, probability 0', async () => {
    const { app } = testApp(baselineScorer());
    for (const volatility of [0, 0.01, 0.02]) {
      const res = await postJson(app, '/predict', { ...GOOD_INSTANCE, volatility });
      expect(res.json()).toMatchObject({ prediction: 0, probability: 0 });
    }
  });

  it('a missing volatility is "no spike" and is listed in missing_features', async () => {
    const { app } = testApp(baselineScorer());
    const res = await postJson(app, '/predict', { price: 50_000, midprice: 50_000 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ prediction: 0, probability: 0, missing_features: ['return_1s', 'return_5s', 'volatility'] });
  });

  it('null counts as a missing value, like an absent field', async () => {
    const { app } = testApp(baselineScorer());
    const res = await postJson(app, '/predict', { ...GOOD_INSTANCE, volatility: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ prediction: 0, missing_features: ['volatility'] });
  });

  it('a complete request has no missing_features key', async () => {
    const { app } = testApp(baselineScorer());
    const body: Record<string, unknown> = (await postJson(app, '/predict', GOOD_INSTANCE)).json();
    expect(Object.hasOwn(body, 'missing_features')).toBe(false);
  });

  it('POST /predict/batch scores 1000 instances in order and counts each prediction', async () => {
    const { app, registry } = testApp(baselineScorer());
    const instances = Array.from({ length: 1000 }, (_, i) => ({ ...GOOD_INSTANCE, volatility: i % 4 === 0 ? 0.05 : 0.001 }));
    const res = await postJson(app, '/predict/batch', { instances });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ predictions: { prediction: number; probability: number }[]; model_version: string; model_variant: string; timestamp: number }>();
    expect(body.predictions).toHaveLength(1000);
    body.predictions.forEach((p, i) => expect(p).toEqual(i % 4 === 0 ? { prediction: 1, probability: 0.8 } : { prediction: 0, probability: 0 }));
    expect(body).toMatchObject({ model_version: 'baseline-1764545017', model_variant: 'baseline', timestamp: NOW_MS / 1000 });
    expect(await metricValue(registry, METRIC.predictions, { variant: 'baseline', prediction: '1' })).toBe(250);
    expect(await metricValue(registry, METRIC.predictions, { variant: 'baseline', prediction: '0' })).toBe(750);
  });

  it('POST /predict/batch lists missing_features per instance', async () => {
    const { app } = testApp(baselineScorer());
    const res = await postJson(app, '/predict/batch', { instances: [GOOD_INSTANCE, { price: 1 }] });
    const body = res.json<{ predictions: Record<string, unknown>[] }>();
    expect(body.predictions[0]).toEqual({ prediction: 0, probability: 0 });
    expect(body.predictions[1]).toEqual({ prediction: 0, probability: 0, missing_features: ['midprice', 'return_1s', 'return_5s', 'volatility'] });
  });

  it('GET /version reports baseline-<unix seconds at load>', async () => {
    const { app } = testApp(baselineScorer());
    const res = await app.inject({ method: 'GET', url: '/version' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      api_version: '1.0.0',
      model_version: 'baseline-1764545017',
      model_variant: 'baseline',
      model_loaded_at: 1_764_545_017.25,
      model_engine: 'baseline',
      node_version: process.version,
    });
  });

  it('GET /health is 200 with the variant and version', async () => {
    const { app } = testApp(baselineScorer());
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', model_variant: 'baseline', model_version: 'baseline-1764545017' });
  });

  it('concurrent /predict requests share one synchronous run per turn and answer what each gets alone', async () => {
    const inner = baselineScorer();
    const runs: number[] = [];
    const counting: Scorer = {
      variant: inner.variant,
      version: inner.version,
      loadedAtMs: inner.loadedAtMs,
      score: () => Promise.reject(new Error('the routes must score the baseline synchronously')),
      scoreNow: (instances) => {
        runs.push(instances.length);
        return inner.scoreNow(instances);
      },
      close: () => inner.close(),
    };
    const together = testApp(counting);
    const alone = testApp(baselineScorer());
    const bodies = [0, 0.019, 0.021, 0.5, undefined].map((volatility) => ({ ...GOOD_INSTANCE, volatility }));
    const answers = await Promise.all(bodies.map((body) => postJson(together.app, '/predict', body)));
    const expected: string[] = [];
    for (const body of bodies) expected.push((await postJson(alone.app, '/predict', body)).payload);
    expect(answers.map((r) => r.payload)).toEqual(expected);
    expect(runs).toEqual([bodies.length]);
    const text = await together.registry.getSingleMetricAsString(METRIC.inferenceDuration);
    expect(text).toContain(`${METRIC.inferenceDuration}_count{variant="baseline"} ${bodies.length}`);
  });
});
