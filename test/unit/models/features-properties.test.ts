// Properties of deriveFeatures that the model relies on, over random inputs: the price LEVEL never
// reaches the model (scaling price and mid together changes nothing beyond float rounding), and the
// output is always a fixed-width vector of finite float32 values or NaN (XGBoost refuses Infinity).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawFeatures } from '../../../service/contract.js';
import { FEATURE_NAMES, deriveFeatures } from '../../../service/model/features.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const raw: fc.Arbitrary<RawFeatures> = fc.record(
  { price: finite, midprice: finite, return_1s: finite, return_5s: finite, volatility: finite },
  { requiredKeys: [] },
);

describe('deriveFeatures properties', () => {
  it('returns one finite-or-NaN float32 per feature name for any request', () => {
    fc.assert(
      fc.property(raw, (r) => {
        const v = deriveFeatures(r);
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(FEATURE_NAMES.length);
        expect(Array.from(v).every((x) => Number.isNaN(x) || Number.isFinite(x))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is blind to the price level: scaling price and midprice by k leaves the vector unchanged', () => {
    const level = fc.double({ min: 1, max: 1e6, noNaN: true });
    const spread = fc.double({ min: -0.01, max: 0.01, noNaN: true });
    const k = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
    const r = fc.double({ min: -0.05, max: 0.05, noNaN: true });
    const vol = fc.double({ min: 1e-6, max: 0.05, noNaN: true });
    fc.assert(
      fc.property(level, spread, k, r, r, vol, (mid, s, scale, r1, r5, v) => {
        const base = { return_1s: r1, return_5s: r5, volatility: v };
        const a = deriveFeatures({ ...base, price: mid * (1 + s), midprice: mid });
        const b = deriveFeatures({ ...base, price: mid * scale * (1 + s), midprice: mid * scale });
        a.forEach((x, i) => {
          const y = b[i] ?? Number.NaN;
          // Only rel_spread and spread_to_vol see prices, through a ratio: equal up to float32 rounding
          // (relative 1e-6) plus the float64 rounding of price = mid * (1 + s), a few 1e-16 in rel_spread,
          // divided by volatility in spread_to_vol.
          expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-6 * Math.abs(x) + 1e-15 * (1 + 1 / v));
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('turns every absent field into NaN in the features that use it', () => {
    const v = deriveFeatures({});
    expect(Array.from(v).every((x) => Number.isNaN(x))).toBe(true);
    const onlyVol = deriveFeatures({ volatility: 0.001 });
    expect(onlyVol[FEATURE_NAMES.indexOf('volatility')]).toBeCloseTo(0.001, 9);
    expect(Number.isNaN(onlyVol[FEATURE_NAMES.indexOf('shock_1s')])).toBe(true);
  });
});
