// The fast paths of the compiled ensemble against their plain forms, on rows built to hit the edges (each
// feature a threshold of the model exactly or ± 1 ulp, NaN, ±0, ±∞, denormals, the float32 extremes, or any
// float32): the depth-3 walk with its levels written out (scoreRow on the committed model) gives the
// loop-over-levels walk's (scoreRowAnyDepth) float32 sum bit for bit, and the logistic pair from one expf
// gives [logisticF32(-s), logisticF32(s)] bit for bit, or says "undecidable" exactly when either of them does. compiled-trees.test.ts compares the whole ensemble
// with onnxruntime itself.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../service/model/features.js';
import { fail } from '../../../service/scorers/trees/attributes.js';
import { logisticF32, logisticPairF32 } from '../../../service/scorers/trees/logistic.js';
import { readOnnxGraph } from '../../../service/scorers/trees/onnx-graph.js';
import { buildTrees, type TreeArrays } from '../../../service/scorers/trees/tree-arrays.js';
import {
  layOut,
  scoreRow,
  scoreRowAnyDepth,
  type TreeLayout,
} from '../../../service/scorers/trees/tree-layout.js';
import { MODEL_PATH } from './app-fixtures.js';
import { edgeRow } from './edge-rows.js';

const WIDTH = FEATURE_NAMES.length;
let trees: TreeArrays;
let layout: TreeLayout;

beforeAll(() => {
  trees = buildTrees(readOnnxGraph(readFileSync(MODEL_PATH)).nodes[0]!, WIDTH, fail);
  layout = layOut(trees, WIDTH, fail);
});

function edgeRowOfTrees(): fc.Arbitrary<number[]> {
  const thresholdsOf = (f: number): number[] => [
    ...new Set(
      Array.from(trees.feature.keys())
        .filter((i) => trees.feature[i] === f)
        .map((i) => trees.threshold[i]!),
    ),
  ];
  return edgeRow(WIDTH, thresholdsOf);
}

/** The layout with only its first `count` trees. */
const firstTrees = (count: number): TreeLayout => ({ ...layout, trees: count });

describe('the depth-3 walk', () => {
  it('is the one the committed model takes', () => expect(layout.depth).toBe(3));

  it('gives the loop-over-levels float32 sum on 20,000 edge rows, for 400 trees and for the first 1-7', () => {
    const layouts = [layout, ...[1, 2, 3, 5, 6, 7].map(firstTrees)];
    let distinct = 0;
    fc.assert(
      fc.property(edgeRowOfTrees(), (row) => {
        const input = Float32Array.from(row);
        for (const l of layouts)
          expect(Object.is(scoreRow(l, input, 0), scoreRowAnyDepth(l, input, 0))).toBe(true);
        distinct++;
      }),
      { numRuns: 20_000, seed: 1703 },
    );
    expect(distinct).toBe(20_000);
  });

  it('reads the row at its offset in a batch buffer', () => {
    const input = new Float32Array(3 * WIDTH).map((_, i) => (i % 7) * 1e-3);
    expect(scoreRow(layout, input, 2 * WIDTH)).toBe(scoreRowAnyDepth(layout, input, 2 * WIDTH));
  });
});

describe('the logistic pair from one expf', () => {
  const bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;
  it('equals [logisticF32(-s), logisticF32(s)] bit for bit, undecidable exactly when they are', () => {
    const out = new Float32Array(2);
    let undecidable = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.float(), fc.constantFrom(0, -0, Number.NaN, 0xfc65d9 * 2 ** -18, -0xfc65d9 * 2 ** -18)),
        (s) => {
          const p0 = logisticF32(-s);
          const p1 = logisticF32(s);
          const decided = logisticPairF32(s, out, 0);
          expect(decided).toBe(!(Number.isNaN(p0) || Number.isNaN(p1)));
          if (!decided) undecidable++;
          else expect([bits(out[0]!), bits(out[1]!)]).toEqual([bits(p0), bits(p1)]);
        },
      ),
      { numRuns: 100_000, seed: 1703 },
    );
    // The known undecidable input and NaN are among the constants: the false branch is exercised.
    expect(undecidable).toBeGreaterThan(0);
  });
});
