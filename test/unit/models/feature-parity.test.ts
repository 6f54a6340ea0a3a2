// deriveFeatures (TypeScript, serving) must give exactly the vectors features.py (Python, training) gave:
// bitwise float32, NaN == NaN, -0 != +0. A mismatch means the model sees different inputs in production.
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, deriveFeatures } from '../../../service/model/features.js';
import { expectedVector, readParity } from './artifacts.js';

const fixture = readParity();

function bits(x: Float32Array): string[] {
  const view = new DataView(x.buffer, x.byteOffset, x.byteLength);
  return Array.from({ length: x.length }, (_, i) => {
    const v = x[i] ?? Number.NaN;
    // All NaNs are the same "missing" to both libraries: compare them as one value.
    return Number.isNaN(v) ? 'NaN' : view.getUint32(i * 4, true).toString(16).padStart(8, '0');
  });
}

describe('feature derivation parity (TS deriveFeatures vs Python features.py)', () => {
  it('uses the same feature names in the same order', () => {
    expect([...FEATURE_NAMES]).toEqual(fixture.feature_names);
  });

  it('covers absent fields, NaN-producing, zero and huge inputs', () => {
    expect(fixture.rows.length).toBeGreaterThanOrEqual(1000);
    const cases = fixture.rows.map((r) => r.case);
    for (const needed of ['all absent', 'zero volatility', 'huge volatility beyond float32', 'zero midprice', 'absurd 1s return']) {
      expect(cases).toContain(needed);
    }
    expect(fixture.rows.some((r) => r.features.includes(null))).toBe(true);
    expect(fixture.rows.some((r) => Object.keys(r.raw).length < 5)).toBe(true);
  });

  it('derives bit-identical float32 vectors for every fixture row', () => {
    const mismatches = fixture.rows
      .map((row, i) => ({ i, row, got: bits(deriveFeatures(row.raw)), want: bits(expectedVector(row)) }))
      .filter(({ got, want }) => got.join() !== want.join());
    expect(mismatches.map(({ i, row, got, want }) => ({ i, case: row.case, got, want }))).toEqual([]);
  });

  it('maps non-finite results to NaN (missing), never Infinity', () => {
    const v = deriveFeatures({ price: 1, midprice: 0, return_1s: 1e300, return_5s: 0, volatility: 1e-300 });
    expect(Array.from(v).every((x) => Number.isNaN(x) || Number.isFinite(x))).toBe(true);
    expect(Number.isNaN(v[0])).toBe(true); // |1 - 0| / 0
    expect(Number.isNaN(v[1])).toBe(true); // 1e300 overflows float32
  });

  it('gives no shock without positive volatility', () => {
    for (const volatility of [0, -1e-4]) {
      expect(Number.isNaN(deriveFeatures({ return_1s: 0.001, volatility })[FEATURE_NAMES.indexOf('shock_1s')])).toBe(true);
    }
  });
});
