// The depth-3 walk in WebAssembly (walk3.wat): the same float32 steps as scoreRowAnyDepth, at about a
// third of its time. In JavaScript each typed-array read pays for the array's
// base pointer and bounds check unless V8 can fold the array in as a constant, which it does or not
// depending on how the call was inlined (measured 35-60 µs for the same 8 rows); WebAssembly reads linear
// memory with neither (docs/performance.md). One instance per compiled ensemble, its memory laid out
// once: the row's features at 0, then the thresholds, feature indexes, leaf weights and missing-value
// directions (walk3.wat's header).
import type { TreeLayout } from './tree-layout.js';
import { WALK3_WASM_BASE64 } from './walk3-wasm.js';

export interface WasmWalk {
  /** The float32 score of the row at `input[at…]`, as scoreRowAnyDepth gives it. */
  score(input: Float32Array, at: number): number;
}

const PAGE = 65_536;

/** The part of the WebAssembly API used here (the project's TypeScript libs declare none of it). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
type Walk3 = (
  trees: number,
  thresholds: number,
  features: number,
  leaves: number,
  missing?: number,
) => number;

let compiled: object | undefined;

/**
 * The walk for a depth-3 layout of `width` features, or the reason there is none: another depth, or no
 * WebAssembly in this process (node --jitless). The caller then walks with scoreRowAnyDepth.
 */
export function createWasmWalk(layout: TreeLayout, width: number): WasmWalk | string {
  if (layout.depth !== 3) return `the trees are ${layout.depth} deep (the WebAssembly walk is for depth 3)`;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return 'this process has no WebAssembly';
  let exports: Record<string, unknown>;
  try {
    compiled ??= new api.Module(Buffer.from(WALK3_WASM_BASE64, 'base64'));
    exports = new api.Instance(compiled, {}).exports;
  } catch (err) {
    return `WebAssembly is not available: ${err instanceof Error ? err.message : String(err)}`;
  }
  const memory = exports['memory'] as WasmMemory;
  const walk3 = exports['walk3'] as Walk3;
  const walk3Missing = exports['walk3_missing'] as Walk3;
  const trees = layout.trees;
  const thresholds = align(width * 4);
  const features = thresholds + trees * 28;
  const leaves = align(features + trees * 7);
  const missingTrue = leaves + trees * 32;
  const end = missingTrue + trees * 7;
  // Grown once, before any view is taken: growing later would detach the views below.
  if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
  new Float32Array(memory.buffer, thresholds, trees * 7).set(layout.threshold.subarray(0, trees * 7));
  new Uint8Array(memory.buffer, features, trees * 7).set(layout.feature.subarray(0, trees * 7));
  new Float32Array(memory.buffer, leaves, trees * 8).set(layout.leaf.subarray(0, trees * 8));
  new Uint8Array(memory.buffer, missingTrue, trees * 7).set(layout.missingTrue.subarray(0, trees * 7));
  const row = new Float32Array(memory.buffer, 0, width);
  return {
    score(input, at) {
      let missing = false;
      for (let j = 0; j < width; j++) {
        const x = input[at + j]!;
        row[j] = x;
        if (x !== x) missing = true;
      }
      // Most rows have every feature: their walk skips the missing-value term.
      return missing
        ? walk3Missing(trees, thresholds, features, leaves, missingTrue)
        : walk3(trees, thresholds, features, leaves);
    },
  };
}

function align(bytes: number): number {
  return (bytes + 7) & ~7;
}
