// The TreeEnsemble attributes (parallel lists, one entry per node, children named by node id within the
// tree) turned into flat arrays indexed by node position, children as positions, so that a row's walk is
// a few array reads per level. Trees keep onnxruntime's order: a tree's root is the first node of its
// run of nodes in the attribute lists, and the trees are summed in the order their runs appear
// (tree_ensemble_common.h, Init); a tree id that comes back after another tree's nodes is refused.
import type { GraphNode } from './onnx-graph.js';
import { floats, ints, strings } from './attributes.js';

export interface TreeArrays {
  /** Position of each tree's root, in summation order. */
  readonly roots: Int32Array;
  /** Feature index per node; -1 for a leaf. */
  readonly feature: Int32Array;
  /** The float32 threshold per branch node, widened exactly to a double. */
  readonly threshold: Float64Array;
  readonly yes: Int32Array;
  readonly no: Int32Array;
  /** 1 when a NaN (missing) input takes the true branch. */
  readonly missingYes: Uint8Array;
  /** The float32 class weight per leaf. */
  readonly weight: Float64Array;
}

type Fail = (reason: string) => never;

const key = (tree: number, node: number): string => `${tree}/${node}`;

function positions(
  treeIds: readonly number[],
  nodeIds: readonly number[],
  fail: Fail,
): { byId: Map<string, number>; roots: number[] } {
  const byId = new Map<string, number>();
  const roots: number[] = [];
  const seenTrees = new Set<number>();
  for (let i = 0; i < treeIds.length; i++) {
    const tree = treeIds[i]!;
    if (i === 0 || treeIds[i - 1] !== tree) {
      if (seenTrees.has(tree)) fail(`tree ${tree}'s nodes are not contiguous in the attribute lists`);
      seenTrees.add(tree);
      roots.push(i);
    }
    const k = key(tree, nodeIds[i]!);
    if (byId.has(k)) fail(`node ${k} (tree/node) appears twice`);
    byId.set(k, i);
  }
  return { byId, roots };
}

function attachWeights(
  node: GraphNode,
  byId: Map<string, number>,
  feature: Int32Array,
  fail: Fail,
): Float64Array {
  const treeIds = ints(node, 'class_treeids');
  const nodeIds = ints(node, 'class_nodeids');
  const values = floats(node, 'class_weights');
  if (nodeIds.length !== treeIds.length || values.length !== treeIds.length)
    fail('class_treeids, class_nodeids and class_weights differ in length');
  const weight = new Float64Array(feature.length).fill(Number.NaN);
  for (let j = 0; j < treeIds.length; j++) {
    const i = byId.get(key(treeIds[j]!, nodeIds[j]!));
    if (i === undefined)
      fail(`a class weight names node ${key(treeIds[j]!, nodeIds[j]!)}, which does not exist`);
    if (feature[i]! >= 0) fail(`a class weight is attached to branch node ${key(treeIds[j]!, nodeIds[j]!)}`);
    if (!Number.isNaN(weight[i]!))
      fail(`leaf ${key(treeIds[j]!, nodeIds[j]!)} has more than one class weight`);
    weight[i] = values[j]!;
  }
  for (let i = 0; i < feature.length; i++)
    if (feature[i]! < 0 && Number.isNaN(weight[i]!)) fail(`leaf at position ${i} has no class weight`);
  return weight;
}

/** Refuses a tree whose walk could loop: every walk from a root must end at a leaf within `nodes` steps. */
function checkAcyclic(arrays: Omit<TreeArrays, 'weight'>, fail: Fail): void {
  const depth = new Int32Array(arrays.feature.length).fill(-1);
  const visit = (i: number, d: number): void => {
    if (d > arrays.feature.length) fail('a tree has a cycle');
    if (depth[i]! >= 0) fail(`node at position ${i} is reached twice`);
    depth[i] = d;
    if (arrays.feature[i]! >= 0) {
      visit(arrays.yes[i]!, d + 1);
      visit(arrays.no[i]!, d + 1);
    }
  };
  for (const root of arrays.roots) visit(root, 0);
}

export function buildTrees(node: GraphNode, width: number, fail: Fail): TreeArrays {
  const treeIds = ints(node, 'nodes_treeids');
  const nodeIds = ints(node, 'nodes_nodeids');
  const n = treeIds.length;
  const lists = {
    nodes_nodeids: nodeIds,
    nodes_featureids: ints(node, 'nodes_featureids'),
    nodes_truenodeids: ints(node, 'nodes_truenodeids'),
    nodes_falsenodeids: ints(node, 'nodes_falsenodeids'),
    nodes_modes: strings(node, 'nodes_modes'),
    nodes_values: floats(node, 'nodes_values'),
  };
  for (const [name, list] of Object.entries(lists))
    if (list.length !== n) fail(`${name} has ${list.length} entries, nodes_treeids ${n}`);
  const missing = ints(node, 'nodes_missing_value_tracks_true', true);
  if (missing.length !== 0 && missing.length !== n)
    fail(`nodes_missing_value_tracks_true has ${missing.length} entries, nodes_treeids ${n}`);
  if (n === 0) fail('the ensemble has no nodes');
  const { byId, roots } = positions(treeIds, nodeIds, fail);
  const feature = new Int32Array(n);
  const threshold = new Float64Array(n);
  const yes = new Int32Array(n);
  const no = new Int32Array(n);
  const missingYes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const mode = lists.nodes_modes[i];
    if (mode === 'LEAF') {
      feature[i] = -1;
      continue;
    }
    if (mode !== 'BRANCH_LT')
      fail(`node mode ${mode ?? 'missing'} is not compiled (only BRANCH_LT and LEAF)`);
    const f = lists.nodes_featureids[i]!;
    if (f < 0 || f >= width) fail(`a node reads feature ${f}; the input has ${width}`);
    const child = (id: number): number =>
      byId.get(key(treeIds[i]!, id)) ??
      fail(`node ${key(treeIds[i]!, nodeIds[i]!)} names a child ${id} that does not exist`);
    feature[i] = f;
    threshold[i] = lists.nodes_values[i]!;
    yes[i] = child(lists.nodes_truenodeids[i]!);
    no[i] = child(lists.nodes_falsenodeids[i]!);
    missingYes[i] = missing[i] === 1 ? 1 : 0;
  }
  const arrays = { roots: Int32Array.from(roots), feature, threshold, yes, no, missingYes };
  checkAcyclic(arrays, fail);
  return { ...arrays, weight: attachWeights(node, byId, feature, fail) };
}
