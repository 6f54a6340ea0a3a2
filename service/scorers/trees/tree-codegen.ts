// The trees as straight-line JavaScript: each tree one nested conditional expression with its thresholds
// and leaf weights as literals, so a row's walk is compares and jumps with no array reads; measured 1.5–2×
// faster than walking the typed arrays on varied rows (test/bench/tools/trees-wall.ts). The functions are
// built from numbers alone — feature indices (integers checked against the input width) and float32
// values printed by String(), which round-trips a double exactly — never from a string read from the file.
// V8 does not optimise a function beyond ~60 KB of bytecode, so the trees are split into chunks of 50
// (~670 nodes each); the partial sum is handed from chunk to chunk, keeping onnxruntime's summation order.
import type { TreeArrays } from './tree-arrays.js';

/** Adds the chunk's trees' leaf weights for the row at `at` to `s`, in float32, tree by tree. */
export type TreeChunk = (input: Float32Array, at: number, s: number) => number;

const TREES_PER_CHUNK = 50;

function literal(x: number): string {
  // String(-0) is "0"; a threshold or weight of -0 must stay -0 (x < -0 and s + -0 behave like +0, but the
  // literal should be the file's value all the same).
  return Object.is(x, -0) ? '-0' : String(x);
}

function expression(t: TreeArrays, i: number): string {
  const f = t.feature[i]!;
  if (f < 0) return literal(t.weight[i]!);
  const x = `f${f}`;
  // x !== x: NaN, the missing value; `x < t` is false for it, so it goes where the model says.
  const condition =
    t.missingYes[i] === 1
      ? `(${x} < ${literal(t.threshold[i]!)} || ${x} !== ${x})`
      : `${x} < ${literal(t.threshold[i]!)}`;
  return `(${condition} ? ${expression(t, t.yes[i]!)} : ${expression(t, t.no[i]!)})`;
}

export function generateChunks(t: TreeArrays, width: number): TreeChunk[] {
  const chunks: TreeChunk[] = [];
  for (let first = 0; first < t.roots.length; first += TREES_PER_CHUNK) {
    const lines = Array.from({ length: width }, (_, f) => `const f${f} = input[at + ${f}];`);
    for (let tree = first; tree < Math.min(t.roots.length, first + TREES_PER_CHUNK); tree++) {
      lines.push(`s = Math.fround(s + ${expression(t, t.roots[tree]!)});`);
    }
    lines.push('return s;');
    // new Function: the point here, code generated from the model's numbers alone (see the header).
    chunks.push(new Function('input', 'at', 's', lines.join('\n')) as TreeChunk);
  }
  return chunks;
}
