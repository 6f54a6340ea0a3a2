// The fast paths of the compiled ensemble against their plain forms, on rows built to hit the edges (each
// feature a threshold of the model exactly or ± 1 ulp, NaN, ±0, ±∞, denormals, the float32 extremes, or any
// float32): the depth-3 walk in WebAssembly (walk3.wat) gives the loop-over-levels walk's
// (scoreRowAnyDepth) float32 sum bit for bit, on rows with no missing value (walk3) and with some
// (walk3_missing); the committed WebAssembly is what walk3.wat compiles to; and the logistic pair from one
// expf gives [logisticF32(-s), logisticF32(s)] bit for bit, or says "undecidable" exactly when either of
// them does. compiled-trees.test.ts compares the whole ensemble with onnxruntime itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../service/model/features.js';
import { fail } from '../../../service/scorers/trees/attributes.js';
import { logisticF32, logisticPairF32 } from '../../../service/scorers/trees/logistic.js';
import { readOnnxGraph } from '../../../service/scorers/trees/onnx-graph.js';
import { buildTrees, type TreeArrays } from '../../../service/scorers/trees/tree-arrays.js';
import { layOut, scoreRowAnyDepth, type TreeLayout } from '../../../service/scorers/trees/tree-layout.js';
import { createWasmWalk, type WasmWalk } from '../../../service/scorers/trees/tree-walk-wasm.js';
import { WALK3_WASM_BASE64 } from '../../../service/scorers/trees/walk3-wasm.js';
// @ts-expect-error: a plain .mjs script, no declarations
import { compileWalk3 } from '../../../scripts/build-wasm.mjs';
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
const firstTrees = (count: number): TreeLayout => ({
  ...layout,
  trees: count,
  feature: layout.feature.slice(0, count * 7),
  missingTrue: layout.missingTrue.slice(0, count * 7),
  threshold: layout.threshold.slice(0, count * 7),
  leaf: layout.leaf.slice(0, count * 8),
});

function wasmWalk(l: TreeLayout): WasmWalk {
  const walk = createWasmWalk(l, WIDTH);
  if (typeof walk === 'string') throw new Error(walk);
  return walk;
}

describe('the depth-3 walk in WebAssembly', () => {
  it('is the one the committed model takes', () => expect(layout.depth).toBe(3));

  it('gives the loop-over-levels float32 sum on 20,000 edge rows, for 400 trees and the first 1-7', () => {
    const walks = [layout, ...[1, 2, 3, 5, 6, 7].map(firstTrees)].map((l) => ({ l, walk: wasmWalk(l) }));
    let complete = 0;
    // A third of the rows with at least one NaN (walk3_missing), the rest with none (walk3).
    const rows = fc
      .tuple(edgeRowOfTrees(), fc.option(fc.nat(WIDTH - 1), { freq: 2 }))
      .map(([r, missingAt]) =>
        r.map((x, f) => (f === missingAt ? Number.NaN : missingAt === null && Number.isNaN(x) ? 0 : x)),
      );
    fc.assert(
      fc.property(rows, (values) => {
        const input = Float32Array.from(values);
        const missing = values.some(Number.isNaN);
        if (!missing) complete++;
        for (const { l, walk } of walks) {
          expect(Object.is(walk.score(input, 0), scoreRowAnyDepth(l, input, 0))).toBe(true);
        }
      }),
      { numRuns: 20_000, seed: 1703 },
    );
    expect(complete).toBeGreaterThan(10_000);
    expect(complete).toBeLessThan(18_000);
  });

  it('reads the row at its offset in a batch buffer', () => {
    const input = new Float32Array(3 * WIDTH).map((_, i) => Math.sin(i) * 0.01);
    const walk = wasmWalk(layout);
    input[WIDTH + 3] = Number.NaN;
    const scores = [0, WIDTH, 2 * WIDTH].map((at) => walk.score(input, at));
    expect(scores).toEqual([0, WIDTH, 2 * WIDTH].map((at) => scoreRowAnyDepth(layout, input, at)));
    // The three rows differ, so each was read at its own offset.
    expect(new Set(scores).size).toBe(3);
  });

  it('is declined, with the reason, for another depth', () => {
    expect(createWasmWalk({ ...layout, depth: 4 }, WIDTH)).toMatch(/4 deep/);
  });

  it('in a process without WebAssembly (node --jitless), the ensemble walks in JavaScript and scores the same', () => {
    const rows = Array.from({ length: 64 * WIDTH }, (_, i) =>
      i % 13 === 5 ? Number.NaN : Math.sin(i) * 0.01,
    );
    const probabilities = (args: string[]): { walk: string; out: number[] } => {
      const script = `
        const { readFileSync } = await import('node:fs');
        const { readOnnxGraph } = await import('./service/scorers/trees/onnx-graph.ts');
        const { compileTreeEnsemble } = await import('./service/scorers/trees/tree-ensemble.ts');
        const ensemble = compileTreeEnsemble(readOnnxGraph(readFileSync(${JSON.stringify(MODEL_PATH)})), 'features', 'probabilities', ${WIDTH});
        const out = new Float32Array(128);
        ensemble.probabilities(Float32Array.from(${JSON.stringify(rows.map((x) => (Number.isNaN(x) ? null : x)))}, (x) => x ?? NaN), 64, out);
        console.log(JSON.stringify({ walk: ensemble.walk, out: [...out] }));`;
      const child = spawnSync(
        process.execPath,
        [...args, '--import', 'tsx', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
        },
      );
      expect(child.status, child.stderr).toBe(0);
      return JSON.parse(child.stdout) as { walk: string; out: number[] };
    };
    const jitless = probabilities(['--jitless']);
    const usual = probabilities([]);
    expect(jitless.walk).toBe('in JavaScript (this process has no WebAssembly)');
    expect(usual.walk).toBe('in WebAssembly');
    expect(jitless.out).toEqual(usual.out);
    expect(new Set(usual.out).size).toBeGreaterThan(10);
  }, 30_000);

  it('runs the bytes walk3.wat compiles to (npm run build:wasm)', async () => {
    const bytes = (await compileWalk3()) as Buffer;
    expect(bytes.toString('base64')).toBe(WALK3_WASM_BASE64);
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
