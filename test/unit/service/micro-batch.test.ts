// Micro-batching must not change a single byte of any answer: single-row requests that share one model
// run (concurrent requests, one event-loop turn) get exactly the bodies they get when each is scored on
// its own through onnxruntime's public async API (the path before micro-batching), and /predict/batch
// gives the same predictions. Random valid inputs, missing fields included, with the real model.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawFeatures } from '../../../service/contract.js';
import { MicroBatch } from '../../../service/scorers/micro-batch.js';
import { OnnxScorer, loadModelCard } from '../../../service/scorers/onnx-scorer.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { LOADED_AT_MS, MODEL_CARD_PATH, MODEL_PATH, postJson, testApp } from './app-fixtures.js';

const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const positive = fc.oneof(finite(1e-6, 1e6), fc.constantFrom(50_000, 50_001.5, 1));
/** Valid instances: any subset of the fields (at least one), each within its allowed range. */
const instance: fc.Arbitrary<RawFeatures> = fc
  .record(
    {
      price: positive,
      midprice: positive,
      return_1s: fc.oneof(finite(-0.05, 0.05), finite(-1e3, 1e3)),
      return_5s: fc.oneof(finite(-0.05, 0.05), finite(-1e3, 1e3)),
      volatility: fc.oneof(finite(0, 0.05), fc.constant(0)),
    },
    { requiredKeys: [] },
  )
  .filter((r) => Object.keys(r).length > 0);

/** The real ML scorer, counting the rows of each synchronous (batched) run. */
function countingRuns(inner: OnnxScorer, runs: number[]): Scorer {
  const scoreNow = inner.scoreNow;
  if (scoreNow === undefined) throw new Error('the native session did not open');
  return {
    variant: inner.variant,
    version: inner.version,
    loadedAtMs: inner.loadedAtMs,
    score: (instances) => inner.score(instances),
    scoreNow: (instances) => {
      runs.push(instances.length);
      return scoreNow(instances);
    },
    close: () => inner.close(),
  };
}

describe('micro-batched ML scoring', () => {
  let native: OnnxScorer;
  let publicApi: OnnxScorer;
  beforeAll(async () => {
    const card = await loadModelCard(MODEL_CARD_PATH);
    native = await OnnxScorer.load(MODEL_PATH, card, LOADED_AT_MS);
    publicApi = await OnnxScorer.load(MODEL_PATH, card, LOADED_AT_MS, { native: false });
  });
  afterAll(async () => {
    await native.close();
    await publicApi.close();
  });

  it('scores through the native session, and the fallback through the public API', () => {
    expect(native.native).toBe(true);
    expect(native.scoreNow).toBeDefined();
    expect(publicApi.native).toBe(false);
    expect(publicApi.scoreNow).toBeUndefined();
  });

  it('concurrent /predict requests share runs and answer byte-identical bodies to one-by-one public-API scoring', async () => {
    const runs: number[] = [];
    const batched = testApp(countingRuns(native, runs));
    const reference = testApp(publicApi);
    let shared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(instance, { minLength: 1, maxLength: 40 }), async (instances) => {
        runs.length = 0;
        const together = await Promise.all(instances.map((x) => postJson(batched.app, '/predict', x)));
        const alone: string[] = [];
        for (const x of instances) alone.push((await postJson(reference.app, '/predict', x)).payload);
        expect(together.map((r) => r.statusCode)).toEqual(instances.map(() => 200));
        expect(together.map((r) => r.payload)).toEqual(alone);
        expect(runs.reduce((a, b) => a + b, 0)).toBe(instances.length);
        if (runs.some((rows) => rows > 1)) shared += 1;
        const batch = (await postJson(batched.app, '/predict/batch', { instances })).json<{ predictions: unknown[] }>();
        expect(batch.predictions).toEqual(alone.map((text) => {
          const { prediction, probability, missing_features } = JSON.parse(text) as Record<string, unknown>;
          return missing_features === undefined ? { prediction, probability } : { prediction, probability, missing_features };
        }));
      }),
      { numRuns: 40 },
    );
    // The property is only about batching if requests really shared runs.
    expect(shared).toBeGreaterThan(10);
  });

  it('observes model_inference_duration_seconds once per request, with the time of the run that scored it', async () => {
    const { app, registry } = testApp(native);
    await Promise.all([1, 2, 3].map((v) => postJson(app, '/predict', { volatility: v / 1000 })));
    const text = await registry.getSingleMetricAsString('model_inference_duration_seconds');
    expect(text).toContain('model_inference_duration_seconds_count{variant="ml"} 3');
  });
});

describe('MicroBatch', () => {
  it('one run per turn, results sliced per call in order; a call over maxItems starts the next batch', async () => {
    const runs: number[][] = [];
    const batch = new MicroBatch<number, number>({ run: (xs) => (runs.push([...xs]), xs.map((x) => x * 10)), maxItems: 4 });
    const results = await Promise.all([batch.add([1]), batch.add([2, 3]), batch.add([4, 5]), batch.add([6])]);
    expect(results).toEqual([[10], [20, 30], [40, 50], [60]]);
    expect(runs).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(await batch.add([7])).toEqual([70]);
    expect(runs).toHaveLength(3);
  });

  it('a failed run rejects every call of its batch with its error, and reports the run', async () => {
    const reports: number[] = [];
    const batch = new MicroBatch<number, number>({
      run: () => {
        throw new Error('model broke');
      },
      maxItems: 10,
      onRun: (r) => reports.push(r.calls),
    });
    const outcomes = await Promise.allSettled([batch.add([1]), batch.add([2])]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'resolved'))).toEqual(['model broke', 'model broke']);
    expect(reports).toEqual([2]);
  });

  it('a run that returns the wrong number of results fails its calls instead of misassigning them', async () => {
    const batch = new MicroBatch<number, number>({ run: (xs) => xs.slice(1), maxItems: 10 });
    await expect(Promise.all([batch.add([1]), batch.add([2])])).rejects.toThrow('returned 1 results for 2 items');
  });
});
