// Exhaustive check behind service/scorers/trees/logistic.ts, over every float32 x in [-103.97, -0] (the
// inputs onnxruntime's logistic gives expf: -|score|):
//   1. this C library's expf (what libonnxruntime.so calls; glibc picks its FMA build on CPUs with FMA)
//      against a plain-double emulation of glibc's algorithm, with logistic.ts's "undecidable" rule:
//      every difference must be flagged undecidable;
//   2. a checksum of the emulation (flagged inputs as a marker) that expf-exhaustive.ts computes from
//      logistic.ts: equal checksums mean the TypeScript gives these results on every input.
//   gcc -O2 -ffp-contract=off -o /tmp/expf-exhaustive test/bench/tools/expf-exhaustive.c -lm && /tmp/expf-exhaustive
//   npx tsx test/bench/tools/expf-exhaustive.ts
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint64_t T[32] = {
  0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51, 0x3fef72b83c7d517b,
  0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1, 0x3fef06fe0a31b715, 0x3feef1a7373aa9cb,
  0x3feedea64c123422, 0x3feece086061892d, 0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429,
  0x3feea47eb03a5585, 0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
  0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d, 0x3feee89f995ad3ad,
  0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069, 0x3fef5818dcfba487, 0x3fef7c97337b9b5f,
  0x3fefa4afa2a490da, 0x3fefd0765b6e4540};
static const double SHIFT = 0x1.8p+52, INV_LN2_N = 0x1.71547652b82fep+0 * 32;
static const double C0 = 0x1.c6af84b912394p-5 / 32 / 32 / 32, C1 = 0x1.ebfce50fac4f3p-3 / 32 / 32, C2 = 0x1.62e42ff0c52d6p-1 / 32;

/* glibc's expf without fused multiply-adds; sets *undecidable as logistic.ts does. */
static float emulated(float x, int *undecidable) {
  double z = INV_LN2_N * (double)x, kd = z + SHIFT;
  uint64_t ki;
  memcpy(&ki, &kd, 8);
  kd -= SHIFT;
  double r = z - kd, s;
  uint64_t t = T[ki % 32] + (ki << 47);
  memcpy(&s, &t, 8);
  double y = ((C0 * r + C1) * (r * r) + (C2 * r + 1)) * s;
  float e = (float)y, next = y >= (double)e ? nextafterf(e, INFINITY) : nextafterf(e, 0.0f);
  double midpoint = ((double)e + (double)next) / 2;
  *undecidable = fabs(r) > 0.5 - 0x1p-20 || fabs(y - midpoint) <= y * 0x1p-40;
  return e;
}

int main(void) {
  long total = 0, differ = 0, flagged = 0, unflaggedDiffer = 0;
  uint32_t checksum = 0;
  for (uint32_t bits = 0x80000000u;; bits++) {
    float x;
    memcpy(&x, &bits, 4);
    if (x < -0x1.9fe368p6f) break;
    int undecidable;
    float e = emulated(x, &undecidable), g = expf(x);
    uint32_t eb;
    memcpy(&eb, &e, 4);
    total++;
    flagged += undecidable;
    checksum = checksum * 31u + (undecidable ? 0xffffffffu : eb);
    if (memcmp(&e, &g, 4) != 0) {
      differ++;
      if (!undecidable) unflaggedDiffer++;
      printf("differs at x=%a (bits 0x%08x): emulated %a, expf %a, flagged %d\n", x, bits, e, g, undecidable);
    }
  }
  printf("inputs %ld, emulation differs from expf on %ld, flagged undecidable %ld, differing but not flagged %ld, checksum %08x\n",
         total, differ, flagged, unflaggedDiffer, checksum);
  return unflaggedDiffer == 0 ? 0 : 1;
}
