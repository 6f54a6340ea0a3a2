// Feature rows where a tree ensemble is easiest to get wrong, for the compiled trees' property tests: most
// values sit on a split threshold or one float32 step either side of it, some are the float32 specials (NaN,
// ±0, ±∞, the smallest subnormal and normal, the largest finite), the rest any float.
import fc from 'fast-check';
import { nextFloat32 } from '../../../service/scorers/trees/self-check.js';

export const FLOAT32_SPECIALS: readonly number[] = [
  Number.NaN,
  0,
  -0,
  Infinity,
  -Infinity,
  2 ** -149,
  -(2 ** -149),
  2 ** -126,
  3.4028234663852886e38,
  -3.4028234663852886e38,
];

/** One row of `width` features; `thresholdsOf(f)` lists the split thresholds on feature f. */
export function edgeRow(width: number, thresholdsOf: (feature: number) => readonly number[]): fc.Arbitrary<number[]> {
  const feature = (f: number): fc.Arbitrary<number> => {
    const nearThreshold = fc
      .tuple(fc.constantFrom(...thresholdsOf(f)), fc.constantFrom(-1, 0, 1))
      .map(([t, step]) => (step === 0 ? t : nextFloat32(t, step === 1 ? 1 : -1)));
    return fc.oneof(
      { arbitrary: nearThreshold, weight: 6 },
      { arbitrary: fc.constantFrom(...FLOAT32_SPECIALS), weight: 1 },
      { arbitrary: fc.float(), weight: 2 },
    );
  };
  return fc.tuple(...Array.from({ length: width }, (_, f) => feature(f)));
}
