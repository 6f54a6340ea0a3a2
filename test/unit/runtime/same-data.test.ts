import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { initialState, type Policy } from '../../../controller/core/index.js';
import { sameData } from '../../../controller/runtime/same-data.js';

// sameData replaces util.isDeepStrictEqual where the runtime compares a new target state with the stored
// one (context.ts setTarget): it must answer exactly what isDeepStrictEqual answers, on anything.

/** A value and a second one that is often equal in content (a deep copy), or slightly changed. */
const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(0, -0, 1, Number.NaN, null, undefined, '', '0', true, false),
    fc.double(),
    fc.string({ maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'timers', '0'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  return value;
}

describe('sameData', () => {
  it('answers what isDeepStrictEqual answers on random data, equal copies and small changes', () => {
    fc.assert(
      fc.property(data, data, fc.nat(3), (a, b, how) => {
        const other = how === 0 ? b : how === 1 ? copy(a) : how === 2 ? copy(b) : a;
        expect(sameData(a, other)).toBe(isDeepStrictEqual(a, other));
        expect(sameData(other, a)).toBe(isDeepStrictEqual(other, a));
      }),
      { numRuns: 3000 },
    );
  });

  it('the cases a JSON-minded walk gets wrong: undefined vs absent, -0, NaN, holes, types, prototypes, symbols, array extras', () => {
    const sym = Symbol('s');
    const withExtra = Object.assign([1], { extra: 1 });
    const cases: [unknown, unknown][] = [
      [{ a: undefined }, {}],
      [{ a: undefined }, { b: undefined }],
      [0, -0],
      [[0], [-0]],
      [Number.NaN, Number.NaN],
      [[1, , 3], [1, undefined, 3]], // eslint-disable-line no-sparse-arrays
      [[], {}],
      [{ 0: 'x', length: 1 }, ['x']],
      ['1', 1],
      [Object.create(null) as object, {}],
      [new Date(1), new Date(1)],
      [new Date(1), new Date(2)],
      [{ [sym]: 1 }, {}],
      [{ [sym]: 1 }, { [sym]: 2 }],
      [withExtra, [1]],
      [new Map([[1, 2]]), new Map([[1, 3]])],
    ];
    for (const [a, b] of cases) {
      expect(sameData(a, b)).toBe(isDeepStrictEqual(a, b));
      expect(sameData(b, a)).toBe(isDeepStrictEqual(b, a));
    }
  });

  it('a target state and its JSON round trip are the same; one changed field is not', () => {
    const state = { ...initialState({ name: 'p', target: { name: 't' } } as Policy, 5), timers: { x: { sustainedMs: 0, lastBreachAtMs: 5, frozen: false } } };
    expect(sameData(state, JSON.parse(JSON.stringify(state)))).toBe(true);
    expect(sameData(state, { ...state, unknownStreak: 1 })).toBe(false);
    expect(sameData(state, { ...state, timers: { x: { sustainedMs: 0, lastBreachAtMs: 5, frozen: true } } })).toBe(false);
  });
});
