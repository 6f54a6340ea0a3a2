// Hits every row of the transition table: for each row, some (policy, state, event) must take exactly
// that row, land in its `to` phase and emit exactly its command types.
import { describe, expect, it } from 'vitest';
import {
  TRANSITIONS,
  decide,
  initialState,
  type EngineEvent,
  type LifecycleEvent,
  type Phase,
  type Policy,
  type TargetState,
} from '../../../controller/core/index.js';
import type { GateRecord } from '../../../controller/core/index.js';
import { HOUR, MIN, SEC, T0, gateOk, shadowPolicy, testPolicy, tick, v } from './fixtures.js';

const NOW = T0 + 2 * HOUR;
const PHASES: readonly Phase[] = ['watching', 'pending', 'rolling_back', 'rolled_back', 'partially_rolled_back', 'rolling_forward', 'paused', 'failed'];
const EVENTS: readonly LifecycleEvent[] = [
  'tick_firing',
  'tick_pending',
  'tick_clear',
  'manual_rollback',
  'manual_rollforward',
  'pause',
  'resume',
  'pause_expired',
  'webhook',
  'actuation_succeeded',
  'actuation_failed',
  'actuation_partial',
  'observed_normal',
  'observed_rollback',
  'observed_mixed',
  'observed_unknown',
];

const policies: Policy[] = [testPolicy(), testPolicy({ rollforward: { mode: 'automatic', afterMs: 30 * MIN } }), shadowPolicy()];
// The shadow candidate's gate, judged on earlier ticks: passing for an hour, or breaching.
const PASSING: GateRecord = { verdict: 'ok', verdictSinceMs: NOW - HOUR, passingSinceMs: NOW - HOUR, atMs: NOW - 15 * SEC, bounds: [] };
const BREACHING: GateRecord = { verdict: 'breach', verdictSinceMs: NOW - MIN, passingSinceMs: null, atMs: NOW - 15 * SEC, bounds: [] };
const RECORD = { rollbackId: 'rb-svc-1', startedAtMs: NOW - MIN, reason: 'errors', trigger: { kind: 'automatic' as const }, warningsSent: 0 };

function states(phase: Phase): TargetState[] {
  const base: TargetState = { ...initialState(testPolicy(), T0), phase, rollback: ['watching', 'pending'].includes(phase) ? null : RECORD };
  const pauses = phase === 'paused' ? (['watching', 'rolled_back', 'failed'] as const) : [undefined];
  const out: TargetState[] = [];
  for (const resumeTo of pauses) {
    const s: TargetState =
      resumeTo === undefined ? base : { ...base, pause: { actor: 'a', reason: 'r', sinceMs: NOW - MIN, untilMs: NOW + HOUR, resumeTo } };
    out.push(
      s,
      { ...s, cooldownUntilMs: NOW + 5 * MIN },
      { ...s, hold: { cause: 'cooldown', detail: 'd', sinceMs: NOW - MIN, dedupKey: 'rollback-held:svc:cooldown' }, cooldownUntilMs: NOW + 5 * MIN },
      // held by maxRollbacksPerHour (the cooldown holds only non-critical reasons: a baking window)
      { ...s, automaticRollbacksMs: [NOW - 20 * MIN, NOW - 10 * MIN, NOW - 5 * MIN] },
      { ...s, automaticRollbacksMs: [NOW - 20 * MIN, NOW - 10 * MIN, NOW - 5 * MIN], hold: { cause: 'rate_limit', detail: 'd', sinceMs: NOW - MIN, dedupKey: 'rollback-held:svc:rate_limit' } },
      { ...s, allOkSinceMs: NOW - HOUR },
      // the mixed drift of observed('ml', 'baseline') already announced
      { ...s, observed: { atMs: NOW - MIN, services: [], driftKey: 'a=null,b=baseline', driftSinceMs: NOW - MIN } },
      // an incomplete rollback whose retry is due
      ...(s.rollback === null ? [] : [{ ...s, rollback: { ...s.rollback, attempts: 2, retryAtMs: NOW - SEC } }]),
    );
    // The "baseline breaches too" CRITICAL already raised for this rollback (only once per episode).
    const announced = s.rollback === null ? [] : [{ ...s, rollback: { ...s.rollback, baselineBreach: { reason: 'errors', sinceMs: NOW - MIN } } }];
    out.push(...announced);
    // On the baseline, the shadow candidate's gate was judged: passing, or breaching.
    if (phase === 'rolled_back' || phase === 'paused') for (const x of [s, ...announced]) out.push({ ...x, shadowGate: PASSING }, { ...x, shadowGate: BREACHING });
  }
  return out;
}

const sustained = { 'reasons.errors': { sustainedMs: MIN, lastBreachAtMs: NOW - 15 * SEC, frozen: false } };

function events(event: LifecycleEvent, state: TargetState): { state: TargetState; event: EngineEvent }[] {
  const manual = { actor: 'alice', reason: 'test' };
  switch (event) {
    // Each tick also with the gate's samples of a good shadow candidate.
    case 'tick_firing':
      return [tick({ 'reasons.errors': v(0.5) }), tick({ 'reasons.errors': v(0.5), ...gateOk() })].map((event) => ({ state: { ...state, timers: sustained }, event }));
    case 'tick_pending':
      return [tick({ 'reasons.errors': v(0.5) }), tick({ 'reasons.errors': v(0.5), ...gateOk() })].map((event) => ({ state, event }));
    case 'tick_clear':
      return [tick(), tick(gateOk())].map((event) => ({ state, event }));
    case 'manual_rollback':
      return [
        { state, event: { type: 'manual_rollback', ...manual, policyReason: 'maintenance' } },
        { state, event: { type: 'manual_rollback', ...manual, policyReason: 'no-such-reason' } },
      ];
    case 'manual_rollforward':
    case 'resume':
      return [{ state, event: { type: event, ...manual } }];
    case 'pause':
      return [
        { state, event: { type: 'pause', ...manual, untilMs: NOW + HOUR } },
        { state, event: { type: 'pause', ...manual, untilMs: NOW - 1 } },
      ];
    case 'pause_expired':
      return [{ state, event: { type: 'pause_expired' } }];
    case 'webhook':
      return [{ state, event: { type: 'webhook', reason: 'down', alertname: 'Down', labels: { alertname: 'Down' } } }];
    case 'actuation_succeeded':
    case 'actuation_failed':
      return (['rollback', 'rollforward'] as const).flatMap((action) =>
        [RECORD.rollbackId, 'rb-other'].map((rollbackId) => ({
          state,
          event: event === 'actuation_failed' ? { type: event, action, rollbackId, error: 'boom' } : { type: event, action, rollbackId },
        })),
      );
    case 'actuation_partial':
      return [RECORD.rollbackId, 'rb-other'].map((rollbackId) => ({
        state,
        event: { type: 'actuation_failed', action: 'rollback', rollbackId, error: 'b: boom', services: [{ service: 'a', onValue: true, detail: 'on baseline' }, { service: 'b', onValue: false, detail: 'boom' }] },
      }));
    case 'observed_normal':
      return [{ state, event: observed('ml', 'ml') }];
    case 'observed_rollback':
      return [{ state, event: observed('baseline', 'baseline') }];
    case 'observed_mixed':
      return [{ state, event: observed('ml', 'baseline') }];
    case 'observed_unknown':
      return [{ state, event: { type: 'observed', services: [{ service: 'a', known: false, value: null, detail: 'no container' }] } }];
  }
}

/** The test policy's normal value is the absent variable (null): `ml` stands for it. */
function observed(a: string, b: string): EngineEvent {
  const value = (v: string): string | null => (v === 'ml' ? null : v);
  return { type: 'observed', services: [{ service: 'a', known: true, value: value(a), detail: '' }, { service: 'b', known: true, value: value(b), detail: '' }] };
}

describe('transition table', () => {
  it('has a fallback (unguarded) row for every phase × event, so decide never throws', () => {
    const missing = PHASES.flatMap((from) => EVENTS.filter((event) => !TRANSITIONS.some((t) => t.from === from && t.event === event && t.guard === undefined)).map((e) => `${from} × ${e}`));
    expect(missing).toEqual([]);
  });

  TRANSITIONS.forEach((row, index) => {
    const label = `#${index} ${row.from} × ${row.event}${row.guard === undefined ? '' : ` [${row.guard}]`} → ${row.to} ${row.refuse === undefined ? `(${row.commands.join(', ') || 'no commands'})` : `refused: ${row.refuse}`}`;
    it(label, () => {
      const hits: string[] = [];
      for (const policy of policies) {
        for (const s of states(row.from)) {
          for (const { state, event } of events(row.event, s)) {
            const d = decide(policy, state, event, NOW);
            if (d.transition?.row !== index) continue;
            hits.push(`${d.state.phase} ${JSON.stringify(d.commands.map((c) => c.type))} ${d.refused?.reason ?? ''}`);
            if (d.state.phase === row.to && JSON.stringify(d.commands.map((c) => c.type)) === JSON.stringify(row.commands)) {
              expect(d.refused?.reason).toBe(row.refuse);
              return;
            }
          }
        }
      }
      expect.fail(`row not hit exactly; near misses: ${hits.join(' | ') || 'none'}`);
    });
  });
});
