// onnxruntime's LOGISTIC post-transform, bit for bit: ComputeLogistic (core/providers/cpu/ml/ml_common.h)
//   v = 1 / (1 + expf(-|val|)) in float32; return val < 0 ? 1 - v : v
// where expf is the C library's (onnxruntime-node's libonnxruntime.so imports expf@GLIBC_2.27). Math.exp
// is not that function: glibc's expf is not correctly rounded (0.502 ulp; its source counts 170,635 floats
// whose result is not the correctly rounded one), so fround(Math.exp(x)) can differ from it. This emulates
// glibc's algorithm (sysdeps/ieee754/flt-32/e_expf.c, the
// ARM optimized-routines expf: a 32-entry table of 2^(i/32) and a cubic, all in double, rounded once to
// float). JavaScript evaluates it in IEEE double without fused multiply-adds, which is glibc's plain
// (SSE2) build; on a CPU with FMA and AVX2 glibc picks a build whose contracted multiply-adds can change
// the double result in its last bits, and so the float only when the double lies within a hair of a
// float rounding midpoint. Those inputs are reported as undecidable (NaN) and the caller asks
// onnxruntime instead: exhaustively over every float in [-103.97, -0], the plain emulation differs from
// this machine's (FMA) glibc expf on 1 input, which is flagged, among 8,089 flagged inputs in all
// (test/bench/tools/expf-exhaustive.c, docs/performance.md).

/** glibc __exp2f_data.tab: tab[i] = bits(2^(i/32)) - (i << 47). */
const TAB = [
  0x3ff0000000000000n,
  0x3fefd9b0d3158574n,
  0x3fefb5586cf9890fn,
  0x3fef9301d0125b51n,
  0x3fef72b83c7d517bn,
  0x3fef54873168b9aan,
  0x3fef387a6e756238n,
  0x3fef1e9df51fdee1n,
  0x3fef06fe0a31b715n,
  0x3feef1a7373aa9cbn,
  0x3feedea64c123422n,
  0x3feece086061892dn,
  0x3feebfdad5362a27n,
  0x3feeb42b569d4f82n,
  0x3feeab07dd485429n,
  0x3feea47eb03a5585n,
  0x3feea09e667f3bcdn,
  0x3fee9f75e8ec5f74n,
  0x3feea11473eb0187n,
  0x3feea589994cce13n,
  0x3feeace5422aa0dbn,
  0x3feeb737b0cdc5e5n,
  0x3feec49182a3f090n,
  0x3feed503b23e255dn,
  0x3feee89f995ad3adn,
  0x3feeff76f2fb5e47n,
  0x3fef199bdd85529cn,
  0x3fef3720dcef9069n,
  0x3fef5818dcfba487n,
  0x3fef7c97337b9b5fn,
  0x3fefa4afa2a490dan,
  0x3fefd0765b6e4540n,
];

/** 2^n, exactly (repeated halving or doubling of 1 is exact in double for these exponents). */
function pow2(n: number): number {
  let x = 1;
  for (let i = 0; i < Math.abs(n); i++) x = n < 0 ? x * 0.5 : x * 2;
  return x;
}

const bits = new DataView(new ArrayBuffer(8));
/** The double glibc builds from tab[i] + (i << 47): 2^(i/32), its table's own rounding. */
const SCALE = TAB.map((t, i) => {
  bits.setBigUint64(0, t + (BigInt(i) << 47n));
  return bits.getFloat64(0);
});
/** 2^e for the exponents k >> 5 takes on [-103.97, 0]: [-151, 0]. */
const POW2_OFFSET = 160;
const POW2 = Float64Array.from({ length: POW2_OFFSET + 1 }, (_, i) => pow2(i - POW2_OFFSET));

const SHIFT = 0x18000000000000 * pow2(0); // 0x1.8p+52
const INV_LN2_N = 0x171547652b82fe * pow2(-52 + 5); // 0x1.71547652b82fep+0 * 32
const C0 = 0x1c6af84b912394 * pow2(-52 - 5 - 15); // 0x1.c6af84b912394p-5 / 32^3
const C1 = 0x1ebfce50fac4f3 * pow2(-52 - 3 - 10); // 0x1.ebfce50fac4f3p-3 / 32^2
const C2 = 0x162e42ff0c52d6 * pow2(-52 - 1 - 5); // 0x1.62e42ff0c52d6p-1 / 32
/** Below log(2^-150) expf underflows to +0 (glibc: __math_uflowf). */
const UNDERFLOW = -0x19fe368 * pow2(-18); // -0x1.9fe368p6
/** How close to a float midpoint (relative) the double may lie before the FMA build could round otherwise. */
const MIDPOINT_MARGIN = pow2(-40);
/** |r| this close to 1/2: the FMA build may round x*32/ln2 to the other integer and use another table entry. */
const R_LIMIT = 0.5 - pow2(-20);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * glibc expf(x) for a float32 x ≤ 0 (as a number), or NaN when this machine's glibc build might round it
 * differently (see the header).
 */
export function expfNonPositive(x: number): number {
  if (x < UNDERFLOW) return 0;
  const z = INV_LN2_N * x;
  const kd = z + SHIFT - SHIFT;
  const r = z - kd;
  const k = kd | 0;
  const s = SCALE[k & 31]! * POW2[(k >> 5) + POW2_OFFSET]!;
  const y = ((C0 * r + C1) * (r * r) + (C2 * r + 1)) * s;
  const e = Math.fround(y);
  if (Math.abs(r) > R_LIMIT) return Number.NaN;
  f32[0] = e;
  u32[0] = y >= e ? u32[0]! + 1 : u32[0]! - 1;
  const midpoint = (e + f32[0]) / 2;
  return Math.abs(y - midpoint) <= y * MIDPOINT_MARGIN ? Number.NaN : e;
}

/** onnxruntime's ComputeLogistic(val) for a float32 val; NaN when expf is undecidable (see above). */
export function logisticF32(val: number): number {
  const e = expfNonPositive(-Math.abs(val));
  const v = Math.fround(1 / Math.fround(1 + e));
  return val < 0 ? Math.fround(1 - v) : v;
}

/**
 * Both columns of onnxruntime's binary LOGISTIC output for a float32 score s, [ComputeLogistic(-s),
 * ComputeLogistic(s)], written at out[at], out[at + 1]. Both calls take expf(-|s|) and the same v, so one
 * expf serves the pair (it was computed twice per row before); false when that expf is undecidable.
 */
export function logisticPairF32(s: number, out: Float32Array, at: number): boolean {
  const v = Math.fround(1 / Math.fround(1 + expfNonPositive(-Math.abs(s))));
  if (v !== v) return false;
  const complement = Math.fround(1 - v);
  // ComputeLogistic(val) returns 1 - v for val < 0: column 0 takes -s, so it complements when s > 0.
  out[at] = s > 0 ? complement : v;
  out[at + 1] = s < 0 ? complement : v;
  return true;
}
