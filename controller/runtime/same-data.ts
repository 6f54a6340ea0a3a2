import { isDeepStrictEqual } from 'node:util';

// Equality of plain data (what the runtime state is: it is saved as JSON), with the result of
// util.isDeepStrictEqual. Every decision sets its target's state, and most ticks decide an equal state in
// a new object (context.ts setTarget): isDeepStrictEqual's general walk (prototypes, symbol keys, property
// descriptors) was ~5% of a 1000-target tick (bench:scale). Plain objects and arrays are walked here;
// anything else (a Date, a Map, an object with its own prototype or symbol keys) goes to
// isDeepStrictEqual, so the answer is always the same as before.

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    // A hole is not undefined for isDeepStrictEqual: leave sparse arrays to it.
    if (!(i in a) || !(i in b)) return isDeepStrictEqual(a, b);
    if (!sameData(a[i], b[i])) return false;
  }
  return true;
}

/** Plain objects without symbol keys: counted with for-in, which needs no array of keys. */
function sameRecord(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let count = 0;
  for (const key in a) {
    // An enumerable property inherited from a polluted prototype is isDeepStrictEqual's business.
    if (!Object.hasOwn(a, key)) return isDeepStrictEqual(a, b);
    count += 1;
    if (!Object.hasOwn(b, key) || !sameData(a[key], b[key])) return false;
  }
  for (const key in b) {
    if (!Object.hasOwn(b, key)) return isDeepStrictEqual(a, b);
    count -= 1;
  }
  return count === 0;
}

/** The same as `isDeepStrictEqual(a, b)`, faster for plain objects, arrays and primitives. */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arrays = Array.isArray(a);
  if (arrays !== Array.isArray(b)) return false;
  if (arrays) {
    if (Object.getPrototypeOf(a) !== Array.prototype || Object.getPrototypeOf(b) !== Array.prototype) return isDeepStrictEqual(a, b);
    // Extra named properties on an array, or symbol keys anywhere, are isDeepStrictEqual's business.
    if (Object.keys(a).length !== (a as unknown[]).length || Object.keys(b).length !== (b as unknown[]).length) return isDeepStrictEqual(a, b);
    return sameArray(a as unknown[], b as unknown[]);
  }
  if (!isPlainObject(a) || !isPlainObject(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return isDeepStrictEqual(a, b);
  if (Object.getOwnPropertySymbols(a).length > 0 || Object.getOwnPropertySymbols(b).length > 0) return isDeepStrictEqual(a, b);
  return sameRecord(a as Record<string, unknown>, b as Record<string, unknown>);
}
