// The one place where the five API fields become the model's inputs. models/training/features.py is its
// twin for training; test/unit/models/feature-parity.test.ts checks both give bit-identical float32 vectors
// on models/artifacts/parity.json. Absolute price levels never reach the model: they do not generalise
// across time, so every input is scale-free (ratios, absolute returns, volatility).
import type { RawFeatures } from '../contract.js';

export const FEATURE_NAMES = [
  'rel_spread',
  'abs_return_1s',
  'abs_return_5s',
  'volatility',
  'shock_1s',
  'return_5s',
  'spread_to_vol',
  'shock_5s',
] as const;

const value = (x: number | undefined): number => (x === undefined ? Number.NaN : x);

/**
 * Derive the model's input vector. Missing inputs propagate as NaN, which XGBoost and the ONNX model treat
 * as missing. Computed in float64 and rounded to float32 once, exactly like the Python twin.
 */
export function deriveFeatures(raw: RawFeatures): Float32Array {
  const out = new Float32Array(FEATURE_NAMES.length);
  deriveFeaturesInto(raw, out, 0);
  return out;
}

/** deriveFeatures written into `out` at `offset` (a row of a batch's input buffer): no allocation per row. */
export function deriveFeaturesInto(raw: RawFeatures, out: Float32Array, offset: number): void {
  const price = value(raw.price);
  const mid = value(raw.midprice);
  const r1 = value(raw.return_1s);
  const r5 = value(raw.return_5s);
  const vol = value(raw.volatility);
  const relSpread = Math.abs(price - mid) / mid;
  // A shock measured in units of current volatility; zero volatility gives no meaningful ratio, so missing.
  const shock = vol > 0 ? Math.abs(r1) / vol : Number.NaN;
  // The quoted spread relative to trailing volatility: market makers price the current conditional
  // volatility into the spread, so a spread wide for the trailing volatility hints that it is rising.
  const spreadToVol = vol > 0 ? relSpread / vol : Number.NaN;
  const shock5s = vol > 0 ? Math.abs(r5) / vol : Number.NaN;
  // Each store rounds the float64 to float32, as Float32Array.from does.
  out[offset] = relSpread;
  out[offset + 1] = Math.abs(r1);
  out[offset + 2] = Math.abs(r5);
  out[offset + 3] = vol;
  out[offset + 4] = shock;
  out[offset + 5] = r5;
  out[offset + 6] = spreadToVol;
  out[offset + 7] = shock5s;
  // XGBoost refuses infinities, and a value that overflowed float32 (or came from x/0) has no comparable
  // magnitude: any non-finite result is missing, as in training.
  for (let i = offset; i < offset + FEATURE_NAMES.length; i++) {
    if (!Number.isFinite(out[i])) out[i] = Number.NaN;
  }
}
