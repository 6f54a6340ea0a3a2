// Properties over arbitrary series and events (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, initialState, type Sample, type TargetState, type UnknownCause } from '../../../controller/core/index.js';
import { eventFor, type Step } from './engine-steps.js';
import { HOUR, SEC, T0, testPolicy, tick } from './fixtures.js';

const policy = testPolicy({ limits: { cooldownMs: 0, maxRollbacksPerHour: 2, onMissingData: 'reset' } });
const CAUSES: UnknownCause[] = ['unreachable', 'timeout', 'http_error', 'bad_response', 'query_error', 'no_data', 'not_finite', 'several_series', 'low_traffic'];

const unknownSample: fc.Arbitrary<Sample> = fc.constantFrom(...CAUSES).map((cause) => ({ kind: 'unknown', cause, detail: 'x' }));
const anySample: fc.Arbitrary<Sample> = fc.oneof(
  unknownSample,
  fc.double({ min: -1, max: 2, noNaN: false }).map((value) => ({ kind: 'value' as const, value })),
  fc.constantFrom(0, 0.05, 1, 0.5).map((value) => ({ kind: 'value' as const, value })),
);

const anyStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ e: anySample, d: anySample, t: anySample }).map((x) => ({ kind: 'tick' as const, ...x })) },
  { weight: 4, arbitrary: fc.constantFrom('rollforward' as const, 'webhook' as const, 'ok' as const, 'ok' as const, 'fail' as const).map((kind) => ({ kind })) },
);

describe('engine properties', () => {
  it('UNKNOWN never yields a rollback, whatever the history', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ e: unknownSample, d: unknownSample }), { minLength: 1, maxLength: 60 }), (ticks) => {
        let state = initialState(policy, T0);
        ticks.forEach(({ e, d }, i) => {
          const out = decide(policy, state, tick({ 'reasons.errors': e, 'reasons.down': d }), T0 + i * 15 * SEC);
          expect(out.commands.filter((c) => c.type === 'rollback')).toEqual([]);
          state = out.state;
        });
      }),
    );
  });

  it('never more automatic rollbacks in any rolling hour than the limit, whatever the series and events', () => {
    let heldByLimit = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), anyStep), { minLength: 100, maxLength: 200 }), (steps) => {
        let state: TargetState = initialState(policy, T0);
        let now = T0;
        const automatic: number[] = [];
        for (const [gapSec, step] of steps) {
          now += gapSec * SEC;
          const out = decide(policy, state, eventFor(step, state), now);
          for (const c of out.commands) {
            // A retry of an incomplete rollback (attempt > 1) is the same rollback, not a new one.
            if (c.type === 'rollback' && c.evidence.trigger.kind !== 'manual' && c.attempt === 1) automatic.push(now);
            if (c.type === 'notify' && c.alert.labels['cause'] === 'rate_limit' && c.alert.resolvedAtMs === undefined) heldByLimit++;
          }
          state = out.state;
        }
        for (const t of automatic) expect(automatic.filter((u) => u > t - HOUR && u <= t).length).toBeLessThanOrEqual(policy.limits.maxRollbacksPerHour);
      }),
      { numRuns: 150 },
    );
    // The generator does reach the limit (otherwise the property would be vacuous).
    expect(heldByLimit).toBeGreaterThan(0);
  }, 60_000);

  it('is deterministic and never mutates its inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ e: anySample, d: anySample }), { minLength: 1, maxLength: 40 }), (ticks) => {
        let state = initialState(policy, T0);
        ticks.forEach(({ e, d }, i) => {
          const event = tick({ 'reasons.errors': e, 'reasons.down': d });
          const policyBefore = structuredClone(policy);
          const stateBefore = structuredClone(state);
          const eventBefore = structuredClone(event);
          const a = decide(policy, state, event, T0 + i * 15 * SEC);
          const b = decide(policy, state, event, T0 + i * 15 * SEC);
          expect(b).toEqual(a);
          expect(policy).toEqual(policyBefore);
          expect(state).toEqual(stateBefore);
          expect(event).toEqual(eventBefore);
          state = a.state;
        });
      }),
    );
  }, 60_000);

  it('state stays plain JSON (persistable)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ e: anySample, d: anySample }), { minLength: 1, maxLength: 30 }), (ticks) => {
        let state = initialState(policy, T0);
        ticks.forEach(({ e, d }, i) => {
          state = decide(policy, state, tick({ 'reasons.errors': e, 'reasons.down': d }), T0 + i * 15 * SEC).state;
        });
        expect(JSON.parse(JSON.stringify(state))).toEqual(state);
      }),
    );
  });
});
