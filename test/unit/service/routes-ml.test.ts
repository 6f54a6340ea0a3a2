// The routes on the ML variant, with the real committed model.onnx and model card.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, type RawFeatures } from '../../../service/contract.js';
import type { OnnxScorer } from '../../../service/scorers/onnx-scorer.js';
import { parseInstance } from '../../../service/validate-input.js';
import { ARTIFACTS_DIR, GOOD_INSTANCE, LOADED_AT_MS, NOW_MS, MODEL_CARD_PATH, metricValue, mlScorer, postJson, testApp } from './app-fixtures.js';

interface ParityRow {
  readonly case: string;
  readonly raw: RawFeatures;
  readonly xgb_probability: number;
}
interface Prediction {
  readonly prediction: 0 | 1;
  readonly probability: number;
  readonly missing_features?: string[];
}

const card = JSON.parse(readFileSync(MODEL_CARD_PATH, 'utf8')) as { model_version: string; serving_threshold: number };

describe('ml variant routes', () => {
  let scorer: OnnxScorer;
  beforeAll(async () => {
    scorer = await mlScorer();
  });
  afterAll(async () => {
    await scorer.close();
  });

  it('reports the model card version (xgb-…) and threshold', () => {
    expect(scorer.version).toBe(card.model_version);
    expect(scorer.version).toMatch(/^xgb-[0-9a-f]+$/);
    expect(scorer.threshold).toBe(card.serving_threshold);
  });

  it('POST /predict answers a probability and prediction = probability >= serving_threshold', async () => {
    const { app, registry } = testApp(scorer);
    const res = await postJson(app, '/predict', GOOD_INSTANCE);
    expect(res.statusCode).toBe(200);
    const body = res.json<Prediction & { model_version: string; model_variant: string; timestamp: number }>();
    expect(body.probability).toBeGreaterThanOrEqual(0);
    expect(body.probability).toBeLessThanOrEqual(1);
    expect(body.prediction).toBe(body.probability >= card.serving_threshold ? 1 : 0);
    expect(body).toMatchObject({ model_version: card.model_version, model_variant: 'ml', timestamp: NOW_MS / 1000 });
    expect(await metricValue(registry, METRIC.predictions, { variant: 'ml', prediction: String(body.prediction) })).toBe(1);
    expect(await metricValue(registry, METRIC.modelInfo, { variant: 'ml', version: card.model_version })).toBe(1);
  });

  it('reproduces XGBoost through HTTP on the parity fixture (batch of every valid row)', async () => {
    const fixture = JSON.parse(readFileSync(join(ARTIFACTS_DIR, 'parity.json'), 'utf8')) as { rows: ParityRow[] };
    const rows = fixture.rows.filter((r) => {
      try {
        parseInstance(r.raw);
        return true;
      } catch {
        return false; // rows the API refuses (e.g. a non-positive price) are the validator's business
      }
    });
    expect(rows.length).toBeGreaterThan(800);
    const { app } = testApp(scorer);
    for (let start = 0; start < rows.length; start += 1000) {
      const chunk = rows.slice(start, start + 1000);
      const res = await postJson(app, '/predict/batch', { instances: chunk.map((r) => r.raw) });
      expect(res.statusCode).toBe(200);
      const { predictions } = res.json<{ predictions: Prediction[] }>();
      predictions.forEach((p, i) => {
        const want = chunk[i]?.xgb_probability ?? Number.NaN;
        expect(Math.abs(p.probability - want), `row ${start + i}`).toBeLessThan(1e-5);
        expect(p.prediction).toBe(p.probability >= card.serving_threshold ? 1 : 0);
      });
    }
  });

  it('scores missing values (NaN for the trees) and lists them', async () => {
    const { app } = testApp(scorer);
    const res = await postJson(app, '/predict', { volatility: 0.0004 });
    expect(res.statusCode).toBe(200);
    const body = res.json<Prediction>();
    expect(Number.isFinite(body.probability)).toBe(true);
    expect(body.missing_features).toEqual(['price', 'midprice', 'return_1s', 'return_5s']);
  });

  it('a batch gives the same probabilities as single requests', async () => {
    const { app } = testApp(scorer);
    const instances: RawFeatures[] = [GOOD_INSTANCE, { ...GOOD_INSTANCE, volatility: 0.002, return_1s: 0.004 }, { price: 10, midprice: 10.5 }];
    const batch = (await postJson(app, '/predict/batch', { instances })).json<{ predictions: Prediction[] }>().predictions;
    for (const [i, instance] of instances.entries()) {
      const single = (await postJson(app, '/predict', instance)).json<Prediction>();
      expect(batch[i]?.probability).toBe(single.probability);
    }
  });

  it('GET /version and /health report the ML model', async () => {
    const { app } = testApp(scorer);
    expect((await app.inject({ method: 'GET', url: '/version' })).json()).toEqual({
      api_version: '1.0.0',
      model_version: card.model_version,
      model_variant: 'ml',
      model_loaded_at: LOADED_AT_MS / 1000,
      model_engine: 'compiled-trees',
      node_version: process.version,
    });
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', model_variant: 'ml', model_version: card.model_version });
  });

  it('observes inference time per call in model_inference_duration_seconds', async () => {
    const { app, registry } = testApp(scorer);
    await postJson(app, '/predict', GOOD_INSTANCE);
    await postJson(app, '/predict/batch', { instances: [GOOD_INSTANCE, GOOD_INSTANCE] });
    const text = await registry.getSingleMetricAsString(METRIC.inferenceDuration);
    expect(text).toContain('model_inference_duration_seconds_count{variant="ml"} 2');
  });
});
