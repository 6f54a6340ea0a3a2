// The trees laid out for a fast walk, cold or warm: every tree padded to a complete binary tree of the
// ensemble's maximum depth D, in heap order (node k's children at 2k+1 and 2k+2), so a row takes exactly D
// steps per tree, each chosen without a data-dependent branch — the comparison's 0/1 is arithmetic — and
// the CPU can overlap the trees' walks instead of flushing on a mispredicted branch per level. A leaf above
// depth D becomes a padding node (threshold NaN: every input goes right) whose subtree holds copies of its
// weight, so any path gives that weight. The committed model (400 trees, depth 3) takes 400 × (7 + 7 + 7 × 4
// + 8 × 4) bytes ≈ 30 KB. Depth-3 trees are walked in WebAssembly (tree-walk-wasm.ts, 1.2–3.4× faster:
// docs/performance.md); scoreRowAnyDepth here walks other depths and processes without WebAssembly, and is
// the reference the WebAssembly walk is tested against.
import type { TreeArrays } from './tree-arrays.js';

/** Deeper trees would pad to 2^D leaves each; such a model stays on onnxruntime. */
export const MAX_DEPTH = 10;
/** Feature indexes are stored in a byte. */
export const MAX_WIDTH = 128;

export interface TreeLayout {
  readonly depth: number;
  readonly trees: number;
  /** Per internal heap node: the feature it compares. */
  readonly feature: Uint8Array;
  /** Per internal heap node: 1 when a missing (NaN) value takes the true branch. */
  readonly missingTrue: Uint8Array;
  /** Per internal heap node: the float32 threshold (NaN for padding). */
  readonly threshold: Float32Array;
  /** Per leaf slot: the float32 weight. */
  readonly leaf: Float32Array;
}

function depthOf(t: TreeArrays, i: number): number {
  return t.feature[i]! < 0 ? 0 : 1 + Math.max(depthOf(t, t.yes[i]!), depthOf(t, t.no[i]!));
}

export function layOut(t: TreeArrays, width: number, fail: (reason: string) => never): TreeLayout {
  if (width > MAX_WIDTH) fail(`the input has ${width} features; at most ${MAX_WIDTH} are compiled`);
  const depth = Math.max(...Array.from(t.roots, (r) => depthOf(t, r)));
  if (depth > MAX_DEPTH) fail(`a tree is ${depth} deep; trees up to ${MAX_DEPTH} deep are compiled`);
  const internal = 2 ** depth - 1;
  const leaves = 2 ** depth;
  const feature = new Uint8Array(t.roots.length * internal);
  const missingTrue = new Uint8Array(t.roots.length * internal);
  const threshold = new Float32Array(t.roots.length * internal).fill(Number.NaN);
  const leaf = new Float32Array(t.roots.length * leaves);
  t.roots.forEach((root, tree) => {
    const fill = (i: number, k: number, d: number): void => {
      if (d === depth) {
        leaf[tree * leaves + k - internal] = t.weight[i]!;
        return;
      }
      const isLeaf = t.feature[i]! < 0;
      if (!isLeaf) {
        feature[tree * internal + k] = t.feature[i]!;
        missingTrue[tree * internal + k] = t.missingYes[i] === 1 ? 1 : 0;
        threshold[tree * internal + k] = t.threshold[i]!;
      }
      fill(isLeaf ? i : t.yes[i]!, 2 * k + 1, d + 1);
      fill(isLeaf ? i : t.no[i]!, 2 * k + 2, d + 1);
    };
    fill(root, 0, 0);
  });
  return { depth, trees: t.roots.length, feature, missingTrue, threshold, leaf };
}

/**
 * The score of the row at `input[at…]`: the leaf weights summed in float32, tree by tree in order, from 0.
 * Any depth, any row: the loop over levels, with each node's direction for a missing value.
 */
export function scoreRowAnyDepth(layout: TreeLayout, input: Float32Array, at: number): number {
  const { depth, trees, feature, missingTrue, threshold, leaf } = layout;
  // 1 << depth, not 2 ** depth: V8 types the latter as a double, and every index computed from it then
  // goes through double arithmetic (measured 6x slower).
  const internal = (1 << depth) - 1;
  const leaves = internal + 1;
  let s = 0;
  for (let tree = 0, base = 0; tree < trees; tree++, base += internal) {
    let k = 0;
    for (let d = 0; d < depth; d++) {
      const x = input[at + feature[base + k]!]!;
      // 1 when the row goes to the true child: x < threshold, or x is NaN (missing) and the node sends
      // missing values that way. Arithmetic on the comparisons' 0/1, not a branch (see the header).
      const yes = +(x < threshold[base + k]!) | (+(x !== x) & missingTrue[base + k]!);
      k = 2 * k + 2 - yes;
    }
    s = Math.fround(s + leaf[tree * leaves + k - internal]!);
  }
  return s;
}
