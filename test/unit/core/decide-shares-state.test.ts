// decide() hands back the very state object it was given when an event changes nothing (most looks at what
// runs: the runtime then compares it in O(1)). That is only safe if decide never writes into its input:
// every step here runs on a deep-frozen state and event (a write would throw: ES modules are strict), and
// its decision must equal the decision on a private copy of the state, over random sequences of ticks,
// looks at what runs, operator commands and actuator results.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, initialState, type Sample, type TargetState } from '../../../controller/core/index.js';
import { eventFor, type Look, type Step } from './engine-steps.js';
import { SEC, T0, testPolicy } from './fixtures.js';

const policy = testPolicy({ limits: { cooldownMs: 0, maxRollbacksPerHour: 2, onMissingData: 'reset' } });

const anySample: fc.Arbitrary<Sample> = fc.oneof(
  fc.constantFrom('no_data' as const, 'timeout' as const, 'low_traffic' as const).map((cause) => ({ kind: 'unknown' as const, cause, detail: 'x' })),
  fc.constantFrom(0, 0.05, 1, 0.5, 500).map((value) => ({ kind: 'value' as const, value })),
);

const anyStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ e: anySample, d: anySample, t: anySample }).map((x) => ({ kind: 'tick' as const, ...x })) },
  { weight: 4, arbitrary: fc.constantFrom<Look>('normal', 'normal', 'rollback', 'mixed', 'unknown').map((look) => ({ kind: 'look' as const, look })) },
  { weight: 3, arbitrary: fc.constantFrom('rollback' as const, 'rollforward' as const, 'webhook' as const, 'ok' as const, 'fail' as const, 'pause' as const, 'resume' as const).map((kind) => ({ kind })) },
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

describe('decide shares an unchanged state', () => {
  it('decides on its frozen input exactly what it decides on a private copy, and returns the input itself when nothing changed', () => {
    let shared = 0;
    let decided = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 120 }), anyStep), { minLength: 20, maxLength: 80 }), (steps) => {
        let state: TargetState = initialState(policy, T0);
        let now = T0;
        for (const [gapSec, step] of steps) {
          now += gapSec * SEC;
          const event = deepFreeze(eventFor(step, state, now));
          const onCopy = decide(policy, structuredClone(state), structuredClone(event), now);
          const onInput = decide(policy, deepFreeze(state), event, now);
          expect(onInput).toEqual(onCopy);
          decided += 1;
          if (onInput.state === state) shared += 1;
          state = onInput.state;
        }
      }),
      { numRuns: 200 },
    );
    // The sharing does happen (an unchanged look at what runs), and not for every decision.
    expect(shared).toBeGreaterThan(0);
    expect(shared).toBeLessThan(decided);
  }, 60_000);
});
