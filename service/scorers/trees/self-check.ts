// The start-up check that lets the compiled ensemble serve: it must give onnxruntime's float32 outputs bit
// for bit on a fixed probe set, or the service scores with onnxruntime. The probes aim at the places where
// an emulation goes wrong: every threshold of every feature exactly and one ulp either side (where `<`
// flips), NaN (missing, both branch directions), ±0, infinities' float32 neighbours, denormals, and rows
// mixing them, so that many leaf combinations and scores of both signs reach the logistic.
import type { CompiledEnsemble } from './tree-ensemble.js';
import { seededRandom } from '../fault-injecting-scorer.js';

export interface SelfCheck {
  readonly ok: boolean;
  readonly rows: number;
  /** Rows whose logistic the emulation left to onnxruntime (logistic.ts); not a failure. */
  readonly undecidable: number;
  /** Why the check failed: the first differing row and both outputs. */
  readonly reason?: string;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 next to x towards +∞ (step +1) or −∞ (step −1); x finite. */
export function nextFloat32(x: number, step: 1 | -1): number {
  f32[0] = x;
  if (x === 0) return step * 2 ** -149;
  u32[0] = u32[0]! + (x > 0 === step > 0 ? 1 : -1);
  return f32[0];
}

const SPECIAL = [
  Number.NaN,
  0,
  -0,
  2 ** -149,
  -(2 ** -149),
  2 ** -126,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1,
  -1,
];

/** A value for feature f: one of its thresholds (exact or ± 1 ulp), or a special value. */
function pick(thresholds: readonly number[], random: () => number): number {
  const r = random();
  if (thresholds.length === 0 || r < 0.15) return SPECIAL[Math.floor(random() * SPECIAL.length)]!;
  const t = thresholds[Math.floor(random() * thresholds.length)]!;
  return r < 0.45 ? t : r < 0.75 ? nextFloat32(t, 1) : nextFloat32(t, -1);
}

/** `randomRows` mixed rows, then for every threshold three rows (t − 1 ulp, t, t + 1 ulp) on that feature. */
export function probeRows(
  ensemble: CompiledEnsemble,
  width: number,
  randomRows = 2048,
  seed = 17,
): Float32Array {
  const random = seededRandom(seed); // deterministic: the probes are the same on every start
  const perThreshold = ensemble.thresholds.reduce((n, ts) => n + ts.length * 3, 0);
  const rows = new Float32Array((randomRows + perThreshold) * width);
  const fill = (row: number): void => {
    for (let f = 0; f < width; f++) rows[row * width + f] = pick(ensemble.thresholds[f] ?? [], random);
  };
  let row = 0;
  for (; row < randomRows; row++) fill(row);
  ensemble.thresholds.forEach((ts, f) => {
    for (const t of ts) {
      for (const v of [nextFloat32(t, -1), t, nextFloat32(t, 1)]) {
        fill(row);
        rows[row * width + f] = v;
        row++;
      }
    }
  });
  return rows;
}

/**
 * Compares the ensemble with onnxruntime (`reference`: rows in, [rows, 2] float32 probabilities out) on
 * every probe by their float32 bits: all probes in one batch call (quick, and it is the batch path the
 * micro-batches take), then row by row only if some row's logistic was undecidable.
 */
export function selfCheck(
  ensemble: CompiledEnsemble,
  reference: (input: Float32Array, rows: number) => Float32Array,
  width: number,
): SelfCheck {
  const input = probeRows(ensemble, width);
  const rows = input.length / width;
  const expected = new Uint32Array(reference(input, rows).slice().buffer);
  if (expected.length !== rows * 2)
    return {
      ok: false,
      rows,
      undecidable: 0,
      reason: `onnxruntime returned ${expected.length} values for ${rows} rows`,
    };
  const out = new Float32Array(rows * 2);
  const got = new Uint32Array(out.buffer);
  if (ensemble.probabilities(input, rows, out)) {
    for (let row = 0; row < rows; row++) {
      if (got[row * 2] !== expected[row * 2] || got[row * 2 + 1] !== expected[row * 2 + 1])
        return difference(input, width, row, out, expected, 0);
    }
    return { ok: true, rows, undecidable: 0 };
  }
  let undecidable = 0;
  for (let row = 0; row < rows; row++) {
    const mine = out.subarray(row * 2, row * 2 + 2);
    if (!ensemble.probabilities(input.subarray(row * width, (row + 1) * width), 1, mine)) {
      undecidable++;
      continue;
    }
    if (got[row * 2] !== expected[row * 2] || got[row * 2 + 1] !== expected[row * 2 + 1])
      return difference(input, width, row, out, expected, undecidable);
  }
  return { ok: true, rows, undecidable };
}

function difference(
  input: Float32Array,
  width: number,
  row: number,
  out: Float32Array,
  expected: Uint32Array,
  undecidable: number,
): SelfCheck {
  const features = Array.from(input.subarray(row * width, (row + 1) * width)).join(', ');
  const mine = Array.from(out.subarray(row * 2, row * 2 + 2)).join(', ');
  const theirs = Array.from(new Float32Array(expected.buffer, row * 8, 2)).join(', ');
  return {
    ok: false,
    rows: input.length / width,
    undecidable,
    reason: `probe row ${row} [${features}]: compiled [${mine}], onnxruntime [${theirs}]`,
  };
}
