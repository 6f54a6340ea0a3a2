// The TypeScript half of expf-exhaustive.c: the same checksum over every float32 x in [-103.97, -0],
// computed from service/scorers/trees/logistic.ts (undecidable inputs as the marker 0xffffffff).
//   npx tsx test/bench/tools/expf-exhaustive.ts
import { expfNonPositive } from '../../../service/scorers/trees/logistic.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const LOWEST = -0x19fe368 / 2 ** 18;
let checksum = 0;
let total = 0;
let flagged = 0;
for (let bits = 0x80000000; ; bits++) {
  u32[0] = bits;
  const x = f32[0]!;
  if (x < LOWEST) break;
  const e = expfNonPositive(x);
  total++;
  let word = 0xffffffff;
  if (Number.isNaN(e)) flagged++;
  else {
    f32[0] = e;
    word = u32[0]!;
  }
  checksum = (Math.imul(checksum, 31) + word) >>> 0;
}
console.log(
  `inputs ${total}, flagged undecidable ${flagged}, checksum ${checksum.toString(16).padStart(8, '0')}`,
);
