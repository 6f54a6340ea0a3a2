// The committed model's graph, compiled from the ONNX file into compact typed arrays (tree-layout.ts) and
// evaluated with onnxruntime's arithmetic, in WebAssembly and JavaScript: a single-row onnxruntime run costs
// ~78k instructions of fixed overhead plus ~66k per row, and after an idle gap its memory is cold
// (docs/performance.md); a row here is 1,200 branch-free steps through ~30 KB.
//
// Exactly onnxruntime 1.30's TreeEnsembleClassifier (core/providers/cpu/ml/tree_ensemble_common.h,
// tree_ensemble_aggregator.h) for what this graph uses, and nothing else: float32 thresholds compared as
// `x < t` (BRANCH_LT), NaN taking the true branch where nodes_missing_value_tracks_true says so; the leaf
// weights summed in float32 tree by tree, in the order the trees first appear in the attributes, from 0;
// base_values[0] added; then, binary with mixed-sign weights, [logistic(-s), logistic(s)]. Any other graph,
// operator, mode or attribute is refused with an UnsupportedModelError naming it, and the service scores
// with onnxruntime.
import { describe, fail, floats, ints } from './attributes.js';
export { UnsupportedModelError } from './attributes.js';
import type { GraphNode, OnnxGraph } from './onnx-graph.js';
import { logisticPairF32 } from './logistic.js';
import { buildTrees, type TreeArrays } from './tree-arrays.js';
import { layOut, scoreRowAnyDepth, type TreeLayout } from './tree-layout.js';
import { createWasmWalk, type WasmWalk } from './tree-walk-wasm.js';

export interface CompiledEnsemble {
  readonly trees: number;
  readonly nodes: number;
  /** How rows are walked: "in WebAssembly", or "in JavaScript (why not in WebAssembly)". */
  readonly walk: string;
  /** The distinct thresholds each feature is compared with (the self-check probes them ± 1 ulp). */
  readonly thresholds: readonly (readonly number[])[];
  /**
   * Writes each row's [P(class 0), P(class 1)] as onnxruntime would (float32) into `out`. Returns false
   * when some row's logistic is undecidable here (logistic.ts): then `out` is incomplete; ask onnxruntime.
   */
  probabilities(input: Float32Array, rows: number, out: Float32Array): boolean;
}

const SUPPORTED = new Set([
  'base_values',
  'class_ids',
  'class_nodeids',
  'class_treeids',
  'class_weights',
  'classlabels_int64s',
  'nodes_falsenodeids',
  'nodes_featureids',
  'nodes_hitrates', // ignored by onnxruntime too
  'nodes_missing_value_tracks_true',
  'nodes_modes',
  'nodes_nodeids',
  'nodes_treeids',
  'nodes_truenodeids',
  'nodes_values',
  'post_transform',
]);

/** The one node this compiler accepts, checked against the graph around it. */
function ensembleNode(graph: OnnxGraph, inputName: string, probabilityOutput: string): GraphNode {
  const ops = graph.nodes.map((n) => `${n.domain}:${n.opType}`).join(', ');
  if (graph.nodes.length !== 1)
    fail(
      `the graph has ${graph.nodes.length} nodes [${ops}]; only a lone TreeEnsembleClassifier is compiled`,
    );
  const node = graph.nodes[0]!;
  if (node.domain !== 'ai.onnx.ml' || node.opType !== 'TreeEnsembleClassifier')
    fail(`operator ${ops} is not compiled (only ai.onnx.ml:TreeEnsembleClassifier)`);
  const opset = graph.opsets.get('ai.onnx.ml');
  if (opset === undefined || opset < 1 || opset > 3)
    fail(`ai.onnx.ml opset ${opset ?? 'missing'}: only 1-3 are compiled`);
  if (graph.initializers !== 0) fail(`the graph has ${graph.initializers} initializers`);
  if (
    graph.inputs.length !== 1 ||
    graph.inputs[0] !== inputName ||
    node.inputs.length !== 1 ||
    node.inputs[0] !== inputName
  ) {
    fail(
      `expected one input "${inputName}" feeding the ensemble, found graph inputs [${graph.inputs.join(', ')}]`,
    );
  }
  if (node.outputs[1] !== probabilityOutput || !graph.outputs.includes(probabilityOutput)) {
    fail(
      `the ensemble's probability output is "${node.outputs[1] ?? 'missing'}", the scorer reads "${probabilityOutput}"`,
    );
  }
  for (const name of node.attributes.keys())
    if (!SUPPORTED.has(name)) fail(`attribute ${name} is not compiled`);
  return node;
}

/** Binary, one class column, mixed-sign weights, logistic: the case onnxruntime writes as [σ(-s), σ(s)]. */
function checkBinaryLogistic(node: GraphNode, trees: TreeArrays): number {
  const post = node.attributes.get('post_transform');
  if (post?.kind !== 'string' || post.value !== 'LOGISTIC')
    fail(
      `post_transform ${post?.kind === 'string' ? post.value : describe(post)}: only LOGISTIC is compiled`,
    );
  const labels = ints(node, 'classlabels_int64s');
  if (labels.length !== 2) fail(`${labels.length} class labels: only binary classifiers are compiled`);
  if (ints(node, 'class_ids').some((id) => id !== 0))
    fail('class_ids other than 0: only one weight column is compiled');
  // With no negative weight onnxruntime skips the logistic and writes [1 - s, s] instead.
  if (!trees.weight.some((w) => w < 0))
    fail('all class weights are non-negative: onnxruntime does not apply the logistic then');
  const base = floats(node, 'base_values', true);
  if (base.length > 1) fail(`${base.length} base_values: only none or one are compiled`);
  return base.length === 1 ? base[0]! : Number.NaN;
}

/** Compiles the graph's ensemble, or throws UnsupportedModelError saying what it does not compile. */
export function compileTreeEnsemble(
  graph: OnnxGraph,
  inputName: string,
  probabilityOutput: string,
  width: number,
): CompiledEnsemble {
  const node = ensembleNode(graph, inputName, probabilityOutput);
  const trees = buildTrees(node, width, fail);
  const base = checkBinaryLogistic(node, trees);
  const layout = layOut(trees, width, fail);
  const wasmOrReason = createWasmWalk(layout, width);
  const wasm = typeof wasmOrReason === 'string' ? undefined : wasmOrReason;
  return {
    trees: trees.roots.length,
    nodes: trees.feature.length,
    walk: wasm === undefined ? `in JavaScript (${String(wasmOrReason)})` : 'in WebAssembly',
    thresholds: thresholdsByFeature(trees, width),
    probabilities: (input, rows, out) => evaluate(layout, wasm, base, width, input, rows, out),
  };
}

function thresholdsByFeature(t: TreeArrays, width: number): number[][] {
  const sets = Array.from({ length: width }, () => new Set<number>());
  t.feature.forEach((f, i) => {
    if (f >= 0) sets[f]?.add(t.threshold[i]!);
  });
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

function evaluate(
  layout: TreeLayout,
  wasm: WasmWalk | undefined,
  base: number,
  width: number,
  input: Float32Array,
  rows: number,
  out: Float32Array,
): boolean {
  for (let r = 0; r < rows; r++) {
    let s = wasm === undefined ? scoreRowAnyDepth(layout, input, r * width) : wasm.score(input, r * width);
    if (base === base) s = Math.fround(s + base);
    if (!logisticPairF32(s, out, r * 2)) return false;
  }
  return true;
}
