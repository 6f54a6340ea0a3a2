// The tree ensemble compiled from the committed model.onnx must give onnxruntime's probabilities bit for
// bit (float32 bits compared, both columns): on every row of models/artifacts/parity.json, and on 100,000
// generated rows built to hit the edges — each feature one of the model's thresholds exactly or ± 1 ulp,
// NaN (missing), ±0, ±Infinity, denormals, the float32 extremes, or any float32 — in single-row calls and
// in batches. Rows the emulated logistic leaves undecided are counted: the scorer sends those to
// onnxruntime, so they are not compared here, and there must be few.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawFeatures } from '../../../service/contract.js';
import { FEATURE_NAMES, deriveFeaturesInto } from '../../../service/model/features.js';
import { OnnxScorer, loadModelCard } from '../../../service/scorers/onnx-scorer.js';
import { openNativeSession, type NativeSession } from '../../../service/scorers/onnx-native.js';
import { readOnnxGraph } from '../../../service/scorers/trees/onnx-graph.js';
import { compileTreeEnsemble, type CompiledEnsemble } from '../../../service/scorers/trees/tree-ensemble.js';
import { ARTIFACTS_DIR, LOADED_AT_MS, MODEL_CARD_PATH, MODEL_PATH } from './app-fixtures.js';
import { edgeRow } from './edge-rows.js';

const WIDTH = FEATURE_NAMES.length;
const ROWS_PER_RUN = 1000;
const RUNS = 100;

interface ParityRow {
  readonly raw: RawFeatures;
  readonly features: readonly (number | null)[];
}

let ensemble: CompiledEnsemble;
let native: NativeSession;

beforeAll(() => {
  ensemble = compileTreeEnsemble(readOnnxGraph(readFileSync(MODEL_PATH)), 'features', 'probabilities', WIDTH);
  const session = openNativeSession({
    modelPath: MODEL_PATH,
    options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    input: 'features',
    output: 'probabilities',
  });
  if (session === undefined) throw new Error('the native onnxruntime session did not open');
  native = session;
});
afterAll(() => native.release());

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Compares rows one by one and as one batch with onnxruntime; returns how many rows were undecided. */
function compare(input: Float32Array, rows: number): number {
  const expected = bitsOf(native.run(input, rows, WIDTH).slice());
  const out = new Float32Array(2);
  const got = bitsOf(out);
  let undecided = 0;
  for (let row = 0; row < rows; row++) {
    if (!ensemble.probabilities(input.subarray(row * WIDTH, (row + 1) * WIDTH), 1, out)) {
      undecided++;
      continue;
    }
    if (got[0] !== expected[row * 2] || got[1] !== expected[row * 2 + 1]) {
      // Shown with the row's features and both outputs' bits, so a failure says where it went wrong.
      const features = Array.from(input.subarray(row * WIDTH, (row + 1) * WIDTH));
      expect({ row, features, bits: Array.from(got) }).toEqual({
        row,
        features,
        bits: Array.from(expected.subarray(row * 2, row * 2 + 2)),
      });
    }
  }
  const batch = new Float32Array(rows * 2);
  if (undecided === 0) {
    expect(ensemble.probabilities(input, rows, batch)).toBe(true);
    expect(bitsOf(batch)).toEqual(expected);
  }
  return undecided;
}

describe('the compiled tree ensemble against onnxruntime', () => {
  it('compiles the committed model: 400 trees, 5374 nodes', () => {
    expect({ trees: ensemble.trees, nodes: ensemble.nodes }).toEqual({ trees: 400, nodes: 5374 });
  });

  it('every parity.json row, from its recorded features and from its raw request: bit-identical', () => {
    const parity = JSON.parse(readFileSync(`${ARTIFACTS_DIR}/parity.json`, 'utf8')) as { rows: ParityRow[] };
    expect(parity.rows.length).toBeGreaterThan(0);
    const recorded = Float32Array.from(parity.rows.flatMap((r) => r.features.map((x) => x ?? Number.NaN)));
    const derived = new Float32Array(parity.rows.length * WIDTH);
    parity.rows.forEach((r, i) => deriveFeaturesInto(r.raw, derived, i * WIDTH));
    expect(compare(recorded, parity.rows.length)).toBe(0);
    expect(compare(derived, parity.rows.length)).toBe(0);
  });

  it(`${RUNS * ROWS_PER_RUN} generated edge rows: bit-identical, single rows and batches`, () => {
    const row = edgeRow(WIDTH, (f) => ensemble.thresholds[f] ?? []);
    let undecided = 0;
    const seen = new Set<number>();
    fc.assert(
      fc.property(fc.array(row, { minLength: ROWS_PER_RUN, maxLength: ROWS_PER_RUN }), (rows) => {
        const input = Float32Array.from(rows.flat());
        undecided += compare(input, rows.length);
        const out = new Float32Array(rows.length * 2);
        if (ensemble.probabilities(input, rows.length, out))
          for (let i = 1; i < out.length; i += 2) seen.add(out[i]!);
      }),
      // endOnFailure: shrinking 1000-row arrays takes minutes; the failure already names the row and bits.
      { numRuns: RUNS, seed: 1703, endOnFailure: true },
    );
    // The rows reach many different leaf combinations, not a handful of saturated scores.
    expect(seen.size).toBeGreaterThan(10_000);
    expect(undecided).toBeLessThan(RUNS * ROWS_PER_RUN * 0.001);
  }, 120_000);

  it('serves through the compiled ensemble by default, and MODEL_ENGINE=onnxruntime gives the same scores', async () => {
    const card = await loadModelCard(MODEL_CARD_PATH);
    const compiled = await OnnxScorer.load(MODEL_PATH, card, LOADED_AT_MS);
    const ort = await OnnxScorer.load(MODEL_PATH, card, LOADED_AT_MS, { engine: 'onnxruntime' });
    try {
      expect(compiled.engine).toBe('compiled-trees');
      expect(compiled.engineNote).toMatch(
        /^400 trees, 5374 nodes, walked in WebAssembly; bit-identical to onnxruntime on \d+ probe rows/,
      );
      expect(ort.engine).toBe('onnxruntime-native');
      const parity = JSON.parse(readFileSync(`${ARTIFACTS_DIR}/parity.json`, 'utf8')) as {
        rows: ParityRow[];
      };
      const raw = parity.rows.map((r) => r.raw);
      expect(await compiled.score(raw)).toEqual(await ort.score(raw));
    } finally {
      await compiled.close();
      await ort.close();
    }
  });
});
