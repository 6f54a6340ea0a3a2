// The fast paths of the compiled ensemble against their plain forms, on rows built to hit the edges (each
// feature a threshold of the model exactly or ± 1 ulp, NaN, ±0, ±∞, denormals, the float32 extremes, or any
// float32): the walk of four trees side by side (scoreRow) gives scoreRowSingly's float32 sum bit for bit,
// and the logistic pair from one expf gives [logisticF32(-s), logisticF32(s)] bit for bit, or says
// "undecidable" exactly when either of them does. compiled-trees.test.ts compares the whole ensemble
// with onnxruntime itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logisticF32, logisticPairF32 } from '../../../service/scorers/trees/logistic.js';

describe('the logistic pair from one expf', () => {
  const bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;
  it('equals [logisticF32(-s), logisticF32(s)] bit for bit, undecidable exactly when they are', () => {
    const out = new Float32Array(2);
    let undecidable = 0;
    fc.assert(
      fc.property(fc.oneof(fc.float(), fc.constantFrom(0, -0, Number.NaN, 0xfc65d9 * 2 ** -18, -0xfc65d9 * 2 ** -18)), (s) => {
        const p0 = logisticF32(-s);
        const p1 = logisticF32(s);
        const decided = logisticPairF32(s, out, 0);
        expect(decided).toBe(!(Number.isNaN(p0) || Number.isNaN(p1)));
        if (!decided) undecidable++;
        else expect([bits(out[0]!), bits(out[1]!)]).toEqual([bits(p0), bits(p1)]);
      }),
      { numRuns: 100_000, seed: 1703 },
    );
    // The known undecidable input and NaN are among the constants: the false branch is exercised.
    expect(undecidable).toBeGreaterThan(0);
  });
});
