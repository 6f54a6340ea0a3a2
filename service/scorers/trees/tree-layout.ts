// The trees laid out for a fast walk, cold or warm: every tree padded to a complete binary tree of the
// ensemble's maximum depth D, in heap order (node k's children at 2k+1 and 2k+2), so a row takes exactly D
// steps per tree, each chosen without a data-dependent branch — the comparison's 0/1 is arithmetic — and
// the CPU can overlap the trees' walks instead of flushing on a mispredicted branch per level. A leaf above
// depth D becomes a padding node (threshold NaN: every input goes right) whose subtree holds copies of its
// weight, so any path gives that weight. The committed model (400 trees, depth 3) takes 400 × (7 + 7 × 4 +
// 8 × 4) bytes ≈ 27 KB, a few hundred cache lines to bring back after an idle gap; measured against
// walking the attribute arrays and against straight-line generated code in docs/performance.md.
import type { TreeArrays } from './tree-arrays.js';

/** Deeper trees would pad to 2^D leaves each; such a model stays on onnxruntime. */
export const MAX_DEPTH = 10;
/** Features are stored in 7 bits beside the missing-goes-true bit. */
export const MAX_WIDTH = 128;

export interface TreeLayout {
  readonly depth: number;
  readonly trees: number;
  /** Per internal heap node: feature index | (NaN goes true ? 128 : 0). */
  readonly meta: Uint8Array;
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
  const meta = new Uint8Array(t.roots.length * internal);
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
        meta[tree * internal + k] = t.feature[i]! | (t.missingYes[i] === 1 ? 128 : 0);
        threshold[tree * internal + k] = t.threshold[i]!;
      }
      fill(isLeaf ? i : t.yes[i]!, 2 * k + 1, d + 1);
      fill(isLeaf ? i : t.no[i]!, 2 * k + 2, d + 1);
    };
    fill(root, 0, 0);
  });
  return { depth, trees: t.roots.length, meta, threshold, leaf };
}

/** The row's score: the leaf weights summed in float32, tree by tree in order, from 0. */
export function scoreRow(layout: TreeLayout, input: Float32Array, at: number): number {
  return layout.depth === 3 ? scoreRowDepth3(layout, input, at) : scoreRowAnyDepth(layout, input, at);
}

/** Any depth: the loop over levels. */
export function scoreRowAnyDepth(layout: TreeLayout, input: Float32Array, at: number): number {
  const { depth, trees, meta, threshold, leaf } = layout;
  // 1 << depth, not 2 ** depth: V8 types the latter as a double, and every index computed from it then
  // goes through double arithmetic (measured 6x slower).
  const internal = (1 << depth) - 1;
  const leaves = internal + 1;
  let s = 0;
  for (let tree = 0, base = 0; tree < trees; tree++, base += internal) {
    let k = 0;
    for (let d = 0; d < depth; d++) {
      const m = meta[base + k]!;
      const x = input[at + (m & 127)]!;
      // 1 when the row goes to the true child: x < threshold, or x is NaN (missing) and the node sends
      // missing values that way. Arithmetic on the comparisons' 0/1, not a branch (see the header).
      const yes = +(x < threshold[base + k]!) | (+(x !== x) & (m >> 7));
      k = 2 * k + 2 - yes;
    }
    s = Math.fround(s + leaf[tree * leaves + k - internal]!);
  }
  return s;
}

/**
 * Depth 3 (the committed model, XGBoost's max_depth=3), the levels written out: the same steps and the
 * same float32 sum as scoreRowAnyDepth, without the level loop's counter, bound and index arithmetic.
 */
function scoreRowDepth3(layout: TreeLayout, input: Float32Array, at: number): number {
  const { trees, meta, threshold, leaf } = layout;
  let s = 0;
  for (let tree = 0, base = 0, leafBase = -7; tree < trees; tree++, base += 7, leafBase += 8) {
    let m = meta[base]!;
    let x = input[at + (m & 127)]!;
    let k = 2 - (+(x < threshold[base]!) | (+(x !== x) & (m >> 7)));
    m = meta[base + k]!;
    x = input[at + (m & 127)]!;
    k = 2 * k + 2 - (+(x < threshold[base + k]!) | (+(x !== x) & (m >> 7)));
    m = meta[base + k]!;
    x = input[at + (m & 127)]!;
    k = 2 * k + 2 - (+(x < threshold[base + k]!) | (+(x !== x) & (m >> 7)));
    s = Math.fround(s + leaf[leafBase + k]!);
  }
  return s;
}
