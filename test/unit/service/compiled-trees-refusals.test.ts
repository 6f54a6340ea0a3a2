// What the compiled ensemble refuses, and what the service does then: every graph, operator, mode and
// attribute outside what the committed model uses is an UnsupportedModelError naming it; a self-check
// difference or an uncompilable model.onnx leaves the service on onnxruntime with the reason logged and
// shown by /version; the emulated expf leaves its one known-differing input (and its neighbours in
// doubt) to onnxruntime.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../service/config.js';
import { loadScorer } from '../../../service/load-scorer.js';
import { openNativeSession } from '../../../service/scorers/onnx-native.js';
import { chooseEngine } from '../../../service/scorers/trees/compiled-engine.js';
import { expfNonPositive, logisticF32 } from '../../../service/scorers/trees/logistic.js';
import {
  readOnnxGraph,
  type AttributeValue,
  type GraphNode,
  type OnnxGraph,
} from '../../../service/scorers/trees/onnx-graph.js';
import { UnsupportedModelError, compileTreeEnsemble } from '../../../service/scorers/trees/tree-ensemble.js';
import { ARTIFACTS_DIR, MODEL_PATH, logSink, testApp } from './app-fixtures.js';

let graph: OnnxGraph;
let modelBytes: Buffer;
beforeAll(async () => {
  modelBytes = await readFile(MODEL_PATH);
  graph = readOnnxGraph(modelBytes);
});

const compile = (g: OnnxGraph) => compileTreeEnsemble(g, 'features', 'probabilities', 8);
const theNode = (): GraphNode => graph.nodes[0]!;
const withNode = (node: Partial<GraphNode>): OnnxGraph => ({ ...graph, nodes: [{ ...theNode(), ...node }] });
function withAttribute(name: string, value: AttributeValue | undefined): OnnxGraph {
  const attributes = new Map(theNode().attributes);
  if (value === undefined) attributes.delete(name);
  else attributes.set(name, value);
  return withNode({ attributes });
}
const intsOf = (name: string): number[] => {
  const a = theNode().attributes.get(name);
  if (a?.kind !== 'ints') throw new Error(`${name} is not ints`);
  return [...a.value];
};
const floatsOf = (name: string): Float32Array => {
  const a = theNode().attributes.get(name);
  if (a?.kind !== 'floats') throw new Error(`${name} is not floats`);
  return a.value.slice();
};

describe('the tree-ensemble compiler refuses what it does not compile', () => {
  const modes = (): string[] => {
    const a = theNode().attributes.get('nodes_modes');
    return a?.kind === 'strings' ? [...a.value] : [];
  };
  const cases: [string, () => OnnxGraph, RegExp][] = [
    ['a second node', () => ({ ...graph, nodes: [theNode(), theNode()] }), /the graph has 2 nodes/],
    [
      'another operator',
      () => withNode({ opType: 'TreeEnsembleRegressor' }),
      /operator ai\.onnx\.ml:TreeEnsembleRegressor is not compiled/,
    ],
    [
      'another opset',
      () => ({ ...graph, opsets: new Map([...graph.opsets, ['ai.onnx.ml', 5]]) }),
      /ai\.onnx\.ml opset 5: only 1-3/,
    ],
    ['another input name', () => compileInputRenamed(), /expected one input "features"/],
    [
      'PROBIT',
      () => withAttribute('post_transform', { kind: 'string', value: 'PROBIT' }),
      /post_transform PROBIT: only LOGISTIC/,
    ],
    [
      'no post_transform (NONE)',
      () => withAttribute('post_transform', undefined),
      /post_transform missing: only LOGISTIC/,
    ],
    [
      'a BRANCH_LEQ node',
      () =>
        withAttribute('nodes_modes', {
          kind: 'strings',
          value: modes().map((m, i) => (i === 0 ? 'BRANCH_LEQ' : m)),
        }),
      /node mode BRANCH_LEQ is not compiled/,
    ],
    [
      'thresholds as a tensor',
      () => withAttribute('nodes_values_as_tensor', { kind: 'other', type: 4 }),
      /attribute nodes_values_as_tensor is not compiled/,
    ],
    [
      'thresholds of the wrong kind',
      () => withAttribute('nodes_values', { kind: 'other', type: 4 }),
      /attribute nodes_values is of ONNX attribute type 4, expected floats/,
    ],
    [
      'string class labels',
      () => withAttribute('classlabels_strings', { kind: 'strings', value: ['a', 'b'] }),
      /attribute classlabels_strings is not compiled/,
    ],
    [
      'three classes',
      () => withAttribute('classlabels_int64s', { kind: 'ints', value: [0, 1, 2] }),
      /3 class labels: only binary/,
    ],
    [
      'a second weight column',
      () =>
        withAttribute('class_ids', {
          kind: 'ints',
          value: intsOf('class_ids').map((c, i) => (i === 0 ? 1 : c)),
        }),
      /class_ids other than 0/,
    ],
    [
      'no negative weight',
      () =>
        withAttribute('class_weights', { kind: 'floats', value: floatsOf('class_weights').map(Math.abs) }),
      /all class weights are non-negative/,
    ],
    [
      'two base values',
      () => withAttribute('base_values', { kind: 'floats', value: new Float32Array([0, 0]) }),
      /2 base_values/,
    ],
    [
      'a leaf without a weight',
      () => withAttribute('class_treeids', { kind: 'ints', value: intsOf('class_treeids').slice(1) }),
      /differ in length/,
    ],
    [
      'a missing child',
      () =>
        withAttribute('nodes_truenodeids', {
          kind: 'ints',
          value: intsOf('nodes_truenodeids').map((c, i) => (i === 0 ? 99 : c)),
        }),
      /names a child 99 that does not exist/,
    ],
    [
      'a feature beyond the input',
      () =>
        withAttribute('nodes_featureids', {
          kind: 'ints',
          value: intsOf('nodes_featureids').map((f, i) => (i === 0 ? 8 : f)),
        }),
      /reads feature 8; the input has 8/,
    ],
    [
      'a tree split in two runs',
      () =>
        withAttribute('nodes_treeids', {
          kind: 'ints',
          value: intsOf('nodes_treeids').map((t, i) => (i === 1 ? 1 : t)),
        }),
      /not contiguous|does not exist/,
    ],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    const broken = make();
    expect(() => compile(broken)).toThrow(UnsupportedModelError);
    expect(() => compile(broken)).toThrow(message);
  });

  function compileInputRenamed(): OnnxGraph {
    return { ...graph, inputs: ['x'], nodes: [{ ...theNode(), inputs: ['x'] }] };
  }

  it('an input wider than the layout stores (128 features)', () => {
    expect(() => compileTreeEnsemble(graph, 'features', 'probabilities', 200)).toThrow(
      /the input has 200 features; at most 128 are compiled/,
    );
  });

  it('a file that is not ONNX is an error, not a graph', () => {
    expect(() => readOnnxGraph(Buffer.from('garbage, not protobuf'))).toThrow();
  });
});

describe('the service falls back to onnxruntime, and says why', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-trees-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a self-check difference of one bit keeps onnxruntime, naming the probe row', async () => {
    const native = openNativeSession({
      modelPath: MODEL_PATH,
      options: { intraOpNumThreads: 1 },
      input: 'features',
      output: 'probabilities',
    });
    if (native === undefined) throw new Error('the native session did not open');
    try {
      const flipped = (input: Float32Array, rows: number): Float32Array => {
        const out = native.run(input, rows, 8).slice();
        const bits = new Uint32Array(out.buffer);
        bits[7] = (bits[7] ?? 0) ^ 1; // row 3's positive-class probability, last bit
        return out;
      };
      const choice = await chooseEngine({
        modelPath: MODEL_PATH,
        input: 'features',
        output: 'probabilities',
        width: 8,
        reference: flipped,
      });
      expect(choice.engine).toBe('onnxruntime');
      expect(choice.note).toMatch(
        /^the compiled ensemble differs from onnxruntime: probe row 3 \[.*\]: compiled \[.*\], onnxruntime \[.*\]$/,
      );
    } finally {
      native.release();
    }
  });

  it('a model.onnx onnxruntime runs but the compiler refuses (BRANCH_GT) is served by onnxruntime, with a warning and /version saying so', async () => {
    // Same length, so the protobuf stays valid: the first node's mode becomes BRANCH_GT.
    const at = modelBytes.indexOf('BRANCH_LT');
    const edited = Buffer.from(modelBytes);
    edited.write('BRANCH_GT', at, 'latin1');
    await writeFile(join(dir, 'model.onnx'), edited);
    await copyFile(join(ARTIFACTS_DIR, 'model-card.json'), join(dir, 'model-card.json'));
    const sink = logSink();
    const scorer = await loadScorer(loadConfig({ MODEL_DIR: dir }, '/unused', '/'), sink.logger, 0);
    try {
      expect(scorer.engine).toBe('onnxruntime-native');
      const warning = sink.lines().find((l) => l['level'] === 40);
      expect(warning).toMatchObject({
        model_engine: 'onnxruntime-native',
        msg: 'ML scoring engine: onnxruntime-native (the compiled tree ensemble is not used)',
      });
      expect(String(warning?.['reason'])).toMatch(
        /the tree ensemble was not compiled: node mode BRANCH_GT is not compiled/,
      );
      const [score] = await scorer.score([
        { price: 1, midprice: 1, return_1s: 0.001, return_5s: 0.002, volatility: 0.0003 },
      ]);
      expect(score?.probability).toBeGreaterThanOrEqual(0);
      const { app } = testApp(scorer);
      expect((await app.inject({ method: 'GET', url: '/version' })).json()).toMatchObject({
        model_engine: 'onnxruntime-native',
      });
    } finally {
      await scorer.close();
    }
  });
});

describe('the emulated expf (glibc) and logistic', () => {
  it('leaves undecided the one input where glibc’s FMA build differs (test/bench/tools/expf-exhaustive.c)', () => {
    // x = -0x1.f8cbb2p+5: the plain algorithm gives 0x1.f45324p-92, this machine's glibc 0x1.f45326p-92.
    expect(expfNonPositive(-0xfc65d9 * 2 ** -18)).toBeNaN();
  });

  it('keeps glibc’s edges: exp(-0) = 1, underflow to +0 below log(2^-150)', () => {
    expect(expfNonPositive(-0)).toBe(1);
    expect(Object.is(expfNonPositive(-104), 0)).toBe(true);
    expect(expfNonPositive(-Infinity)).toBe(0);
    expect(logisticF32(0)).toBe(0.5);
    expect(logisticF32(-0)).toBe(0.5);
    expect(logisticF32(200)).toBe(1);
    expect(logisticF32(-200)).toBe(0);
  });
});
