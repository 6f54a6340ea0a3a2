// model.onnx, run by onnxruntime-node exactly as the service runs it (one intra-op thread), must reproduce
// XGBoost's own probabilities on the parity fixture's derived vectors: the converter in
// models/training/export_onnx.py is then a faithful copy of the trees, missing-value routing included.
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../service/model/features.js';
import { MODEL_PATH, expectedVector, readJson, readParity } from './artifacts.js';

const fixture = readParity();
const card = readJson('model-card.json') as {
  onnx_input: { name: string };
  onnx_outputs: { name: string }[];
  serving_threshold: number;
};
let session: ort.InferenceSession;

beforeAll(async () => {
  session = await ort.InferenceSession.create(MODEL_PATH, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await session.release();
});

describe('ONNX export parity (onnxruntime-node vs XGBoost)', () => {
  it('has the input and outputs the model card documents', () => {
    expect(session.inputNames).toEqual([card.onnx_input.name]);
    expect(session.outputNames).toEqual(card.onnx_outputs.map((o) => o.name));
  });

  it('reproduces XGBoost probabilities within 1e-6 on every fixture row', async () => {
    const n = fixture.rows.length;
    const width = FEATURE_NAMES.length;
    const data = new Float32Array(n * width);
    fixture.rows.forEach((row, i) => data.set(expectedVector(row), i * width));
    const out = await session.run({ [card.onnx_input.name]: new ort.Tensor('float32', data, [n, width]) });
    const probs = out['probabilities'];
    const labels = out['label'];
    if (probs === undefined || labels === undefined) throw new Error('missing outputs');
    expect(probs.dims).toEqual([n, 2]);
    const p = probs.data as Float32Array;
    let worst = 0;
    let labelFlips = 0;
    let decisionFlips = 0;
    fixture.rows.forEach((row, i) => {
      const p1 = p[i * 2 + 1] ?? Number.NaN;
      const p0 = p[i * 2] ?? Number.NaN;
      worst = Math.max(worst, Math.abs(p1 - row.xgb_probability));
      expect(Math.abs(p0 + p1 - 1)).toBeLessThan(1e-6);
      const label = Number((labels.data as BigInt64Array)[i]);
      if (label !== (p1 > 0.5 ? 1 : 0) && Math.abs(p1 - 0.5) > 1e-6) labelFlips += 1;
      // The service's decision (probability >= serving_threshold) must not change between the two runtimes.
      if (p1 >= card.serving_threshold !== row.xgb_probability >= card.serving_threshold) decisionFlips += 1;
    });
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(labelFlips).toBe(0);
    expect(decisionFlips).toBe(0);
    // Both classes must actually appear, or the fixture proves little.
    expect(fixture.rows.some((r) => r.xgb_probability > 0.5)).toBe(true);
    expect(fixture.rows.some((r) => r.xgb_probability < 0.05)).toBe(true);
  });

  it('gives the same answer for one row as for the batch', async () => {
    const row = fixture.rows.find((r) => r.xgb_probability > 0.5);
    if (row === undefined) throw new Error('no spike row in fixture');
    const out = await session.run({ features: new ort.Tensor('float32', expectedVector(row), [1, FEATURE_NAMES.length]) });
    const p1 = (out['probabilities']?.data as Float32Array)[1] ?? Number.NaN;
    expect(Math.abs(p1 - row.xgb_probability)).toBeLessThanOrEqual(1e-6);
  });
});
