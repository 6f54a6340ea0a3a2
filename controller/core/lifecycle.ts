// The lifecycle of one target as ONE transition table. `decide` classifies the event (a tick becomes
// tick_firing / tick_pending / tick_clear), then takes the FIRST row whose from, event and guard match.
// Rows that refuse a manual command keep the phase and return the reason; nothing is thrown.
// docs/lifecycle/phases-and-transitions.md renders this table; test/unit/core/lifecycle.test.ts hits every row.

import type { Phase } from './policy.js';

/** Ticks are classified by the reasons' verdicts; other events keep their type. */
export type LifecycleEvent =
  | 'tick_firing' // some reason's conditions are all sustained
  | 'tick_pending' // some reason condition breaches, its `for` is running
  | 'tick_clear' // no reason condition breaches
  | 'manual_rollback'
  | 'manual_rollforward'
  | 'pause'
  | 'resume'
  | 'pause_expired'
  | 'webhook'
  | 'actuation_succeeded'
  | 'actuation_failed'
  | 'actuation_partial' // a rollback reached some services, not all
  // what runs, as observed (an `observed` event is classified by the values its services run)
  | 'observed_normal' // every service runs the normal value
  | 'observed_rollback' // every service runs the rollback value
  | 'observed_mixed' // some run one, some another
  | 'observed_unknown'; // some service could not be read: never acts

export type Guard =
  | 'auto_allowed' // no veto, no cooldown, under the hourly limit
  | 'hold_new' // held, and this hold (cause) was not announced yet
  | 'rollforward_due' // rollforward.mode automatic without a shadow, and every reason OK for rollforward.after
  | 'matches_rollback' // the actuation result is for the rollback id and action in progress
  | 'paused_from_rolled_back'
  | 'paused_from_failed'
  | 'known_reason' // a webhook/manual reason that names one of the policy's reasons (or none given)
  | 'baseline_breach_new' // rolled back and verified, a reason still fires on the baseline's own data, not announced yet
  | 'pause_in_future' // a pause's expiry is after now
  | 'retry_due' // a partial or failed rollback's next attempt is due
  | 'drift_new' // this out-of-band drift was not announced yet
  | 'gate_passed' // rollforward.mode automatic with a shadow: every gate bound OK for the gate's `for`
  | 'shadow_breach_unforced'; // a manual roll-forward without force while the shadow candidate breaches the gate

export type Effect =
  | 'start_rollback' // rollback command + INFO GuardrailRollbackStarted
  | 'start_rollforward' // rollforward command (evidence: the shadow gate's bounds, when there is one)
  | 'start_gated_rollforward' // rollforward command, automatic: the shadow candidate passed the gate
  | 'announce_hold' // WARNING/CRITICAL GuardrailRollbackHeld
  | 'rollback_verified'
  | 'rollback_failed' // CRITICAL GuardrailRollbackFailed
  | 'rollforward_verified' // INFO GuardrailRolledForward, resolves rollback alerts, starts cooldown
  | 'rollforward_failed' // CRITICAL GuardrailRollforwardFailed, stays rolled back
  | 'record_pause'
  | 'clear_pause'
  | 'announce_baseline_breach' // CRITICAL GuardrailBaselineBreaching: the rollback did not help
  | 'rollback_partial' // CRITICAL GuardrailRollbackPartial naming the services and causes; retry scheduled
  | 'retry_rollback' // the same rollback again: services on the baseline are no-ops
  | 'out_of_band_forward' // record + WARNING GuardrailOutOfBandChange; the rollback ends, the rules guard ML
  | 'out_of_band_rollback' // record + WARNING; what runs is the baseline: a rollback (actor out-of-band)
  | 'out_of_band_partial' // record + WARNING; a service left the baseline: retried at once
  | 'rollback_completed' // record + WARNING; every service is on the baseline now
  | 'announce_drift'; // record + WARNING; what runs differs from the phase, nothing to do

export type CommandType = 'rollback' | 'rollforward' | 'notify' | 'record';

export interface Transition {
  readonly from: Phase;
  readonly event: LifecycleEvent;
  readonly guard?: Guard;
  readonly to: Phase;
  readonly effects: readonly Effect[];
  /** Command types this row emits (side steps such as alert rules may add notify commands). */
  readonly commands: readonly CommandType[];
  /** Set on rows that refuse a manual/webhook/actuation event: returned to the caller. */
  readonly refuse?: string;
}

const TICKS = ['tick_firing', 'tick_pending', 'tick_clear'] as const;

/** Phases where a tick changes nothing in the lifecycle (alerts and timers still run). */
function quietTicks(phase: Phase): Transition[] {
  return TICKS.map((event) => ({ from: phase, event, to: phase, effects: [], commands: [] }));
}

const ROLLBACK: Pick<Transition, 'effects' | 'commands'> = {
  effects: ['start_rollback'],
  commands: ['rollback', 'notify'],
};
const ROLLFORWARD: Pick<Transition, 'effects' | 'commands'> = {
  effects: ['start_rollforward'],
  commands: ['rollforward'],
};
const GATED_ROLLFORWARD: Pick<Transition, 'effects' | 'commands'> = {
  effects: ['start_gated_rollforward'],
  commands: ['rollforward'],
};
const SHADOW_BREACH = 'the shadow candidate breaches the roll-forward gate; roll forward anyway with force';

function refuse(from: Phase, event: LifecycleEvent, reason: string): Transition {
  return { from, event, to: from, effects: [], commands: [], refuse: reason };
}

function refuseIf(from: Phase, event: LifecycleEvent, guard: Guard, reason: string): Transition {
  return { ...refuse(from, event, reason), guard };
}

export const ALL_PHASES: readonly Phase[] = ['watching', 'pending', 'rolling_back', 'rolled_back', 'partially_rolled_back', 'rolling_forward', 'paused', 'failed'];
const OBSERVED = ['observed_normal', 'observed_rollback', 'observed_mixed', 'observed_unknown'] as const;

/** A retry of an incomplete rollback, due on any tick (the backoff is in the guard). */
function retryRows(from: Phase): Transition[] {
  return TICKS.map((event) => ({ from, event, guard: 'retry_due', to: 'rolling_back', effects: ['retry_rollback'], commands: ['rollback'] }));
}

const OUT_OF_BAND: Pick<Transition, 'commands'> = { commands: ['record', 'notify'] };

const OBSERVED_ROWS: readonly Transition[] = [
  // What runs, observed each tick (level-triggered truth): a change Guardrail did not make is recorded
  // (actor out-of-band) and announced, and from then on the normal rules guard what runs
  { from: 'watching', event: 'observed_rollback', to: 'rolled_back', effects: ['out_of_band_rollback'], ...OUT_OF_BAND },
  { from: 'pending', event: 'observed_rollback', to: 'rolled_back', effects: ['out_of_band_rollback'], ...OUT_OF_BAND },
  { from: 'watching', event: 'observed_mixed', guard: 'drift_new', to: 'watching', effects: ['announce_drift'], ...OUT_OF_BAND },
  { from: 'pending', event: 'observed_mixed', guard: 'drift_new', to: 'pending', effects: ['announce_drift'], ...OUT_OF_BAND },
  { from: 'rolled_back', event: 'observed_normal', to: 'watching', effects: ['out_of_band_forward'], commands: ['record', 'notify', 'notify'] },
  { from: 'rolled_back', event: 'observed_mixed', to: 'partially_rolled_back', effects: ['out_of_band_partial'], ...OUT_OF_BAND },
  { from: 'partially_rolled_back', event: 'observed_normal', to: 'watching', effects: ['out_of_band_forward'], commands: ['record', 'notify', 'notify'] },
  { from: 'partially_rolled_back', event: 'observed_rollback', to: 'rolled_back', effects: ['rollback_completed'], ...OUT_OF_BAND },
  { from: 'failed', event: 'observed_rollback', to: 'rolled_back', effects: ['rollback_completed'], ...OUT_OF_BAND },
];

/** Everything else observed: what runs is what the phase expects, or in flight, paused, unknown. */
function observedFallbacks(): Transition[] {
  return ALL_PHASES.flatMap((from) =>
    OBSERVED.filter((event) => !OBSERVED_ROWS.some((t) => t.from === from && t.event === event && t.guard === undefined)).map(
      (event): Transition => ({ from, event, to: from, effects: [], commands: [] }),
    ),
  );
}

export const TRANSITIONS: readonly Transition[] = [
  // watching
  { from: 'watching', event: 'tick_clear', to: 'watching', effects: [], commands: [] },
  { from: 'watching', event: 'tick_pending', to: 'pending', effects: [], commands: [] },
  { from: 'watching', event: 'tick_firing', guard: 'auto_allowed', to: 'rolling_back', ...ROLLBACK },
  { from: 'watching', event: 'tick_firing', guard: 'hold_new', to: 'pending', effects: ['announce_hold'], commands: ['notify'] },
  { from: 'watching', event: 'tick_firing', to: 'pending', effects: [], commands: [] },
  // pending
  { from: 'pending', event: 'tick_clear', to: 'watching', effects: [], commands: [] },
  { from: 'pending', event: 'tick_pending', to: 'pending', effects: [], commands: [] },
  { from: 'pending', event: 'tick_firing', guard: 'auto_allowed', to: 'rolling_back', ...ROLLBACK },
  { from: 'pending', event: 'tick_firing', guard: 'hold_new', to: 'pending', effects: ['announce_hold'], commands: ['notify'] },
  { from: 'pending', event: 'tick_firing', to: 'pending', effects: [], commands: [] },
  // waiting for the actuator, or a human: ticks only update verdicts/alerts
  ...quietTicks('rolling_back'),
  { from: 'rolled_back', event: 'tick_clear', guard: 'rollforward_due', to: 'rolling_forward', ...ROLLFORWARD },
  // The shadow candidate proved itself on mirrored traffic: it serves, whatever the baseline's own reasons say
  { from: 'rolled_back', event: 'tick_clear', guard: 'gate_passed', to: 'rolling_forward', ...GATED_ROLLFORWARD },
  { from: 'rolled_back', event: 'tick_pending', guard: 'gate_passed', to: 'rolling_forward', ...GATED_ROLLFORWARD },
  { from: 'rolled_back', event: 'tick_firing', guard: 'baseline_breach_new', to: 'rolled_back', effects: ['announce_baseline_breach'], commands: ['notify'] },
  { from: 'rolled_back', event: 'tick_firing', guard: 'gate_passed', to: 'rolling_forward', ...GATED_ROLLFORWARD },
  ...quietTicks('rolled_back'),
  ...quietTicks('rolling_forward'),
  ...quietTicks('paused'),
  // an incomplete rollback moves on toward safety: retried with backoff
  ...retryRows('partially_rolled_back'),
  ...quietTicks('partially_rolled_back'),
  ...retryRows('failed'),
  ...quietTicks('failed'),

  // manual rollback: never vetoed or rate-limited (a human decided)
  { from: 'watching', event: 'manual_rollback', guard: 'known_reason', to: 'rolling_back', ...ROLLBACK },
  { from: 'pending', event: 'manual_rollback', guard: 'known_reason', to: 'rolling_back', ...ROLLBACK },
  { from: 'paused', event: 'manual_rollback', guard: 'paused_from_rolled_back', to: 'paused', effects: [], commands: [], refuse: 'already rolled back (paused)' },
  { from: 'paused', event: 'manual_rollback', guard: 'known_reason', to: 'rolling_back', effects: ['clear_pause', 'start_rollback'], commands: ['rollback', 'notify'] },
  { from: 'failed', event: 'manual_rollback', guard: 'known_reason', to: 'rolling_back', ...ROLLBACK },
  refuse('watching', 'manual_rollback', 'unknown reason: not one of the policy reasons'),
  refuse('pending', 'manual_rollback', 'unknown reason: not one of the policy reasons'),
  refuse('paused', 'manual_rollback', 'unknown reason: not one of the policy reasons'),
  refuse('failed', 'manual_rollback', 'unknown reason: not one of the policy reasons'),
  refuse('rolling_back', 'manual_rollback', 'a rollback is already in progress'),
  refuse('rolled_back', 'manual_rollback', 'already rolled back'),
  refuse('rolling_forward', 'manual_rollback', 'a roll-forward is in progress; wait for its result'),
  { from: 'partially_rolled_back', event: 'manual_rollback', to: 'rolling_back', effects: ['retry_rollback'], commands: ['rollback'] },

  // manual roll-forward: refused while the shadow candidate breaches the gate, unless forced
  refuseIf('rolled_back', 'manual_rollforward', 'shadow_breach_unforced', SHADOW_BREACH),
  refuseIf('paused', 'manual_rollforward', 'shadow_breach_unforced', SHADOW_BREACH),
  { from: 'rolled_back', event: 'manual_rollforward', to: 'rolling_forward', ...ROLLFORWARD },
  { from: 'failed', event: 'manual_rollforward', to: 'rolling_forward', ...ROLLFORWARD },
  { from: 'partially_rolled_back', event: 'manual_rollforward', to: 'rolling_forward', ...ROLLFORWARD },
  { from: 'paused', event: 'manual_rollforward', guard: 'paused_from_rolled_back', to: 'rolling_forward', effects: ['clear_pause', 'start_rollforward'], commands: ['rollforward'] },
  { from: 'paused', event: 'manual_rollforward', guard: 'paused_from_failed', to: 'rolling_forward', effects: ['clear_pause', 'start_rollforward'], commands: ['rollforward'] },
  refuse('paused', 'manual_rollforward', 'not rolled back'),
  refuse('watching', 'manual_rollforward', 'not rolled back'),
  refuse('pending', 'manual_rollforward', 'not rolled back'),
  refuse('rolling_back', 'manual_rollforward', 'a rollback is in progress; roll forward after it has finished'),
  refuse('rolling_forward', 'manual_rollforward', 'a roll-forward is already in progress'),

  // pause / resume / expiry
  { from: 'watching', event: 'pause', guard: 'pause_in_future', to: 'paused', effects: ['record_pause'], commands: [] },
  { from: 'pending', event: 'pause', guard: 'pause_in_future', to: 'paused', effects: ['record_pause'], commands: [] },
  { from: 'rolled_back', event: 'pause', guard: 'pause_in_future', to: 'paused', effects: ['record_pause'], commands: [] },
  { from: 'failed', event: 'pause', guard: 'pause_in_future', to: 'paused', effects: ['record_pause'], commands: [] },
  { from: 'paused', event: 'pause', guard: 'pause_in_future', to: 'paused', effects: ['record_pause'], commands: [] },
  refuse('watching', 'pause', 'the pause expiry must be in the future'),
  refuse('pending', 'pause', 'the pause expiry must be in the future'),
  refuse('rolled_back', 'pause', 'the pause expiry must be in the future'),
  refuse('failed', 'pause', 'the pause expiry must be in the future'),
  refuse('paused', 'pause', 'the pause expiry must be in the future'),
  refuse('rolling_back', 'pause', 'an actuation is in progress; pause after it has finished'),
  refuse('rolling_forward', 'pause', 'an actuation is in progress; pause after it has finished'),
  refuse('partially_rolled_back', 'pause', 'a rollback is incomplete and retried; roll forward, or pause once it has finished'),
  ...(['resume', 'pause_expired'] as const).flatMap((event): Transition[] => [
    { from: 'paused', event, guard: 'paused_from_rolled_back', to: 'rolled_back', effects: ['clear_pause'], commands: [] },
    { from: 'paused', event, guard: 'paused_from_failed', to: 'failed', effects: ['clear_pause'], commands: [] },
    { from: 'paused', event, to: 'watching', effects: ['clear_pause'], commands: [] },
    ...(['watching', 'pending', 'rolling_back', 'rolled_back', 'partially_rolled_back', 'rolling_forward', 'failed'] as const).map((from) =>
      refuse(from, event, 'not paused'),
    ),
  ]),

  // Alertmanager webhook: automatic, so vetoes, cooldown and the hourly limit apply
  { from: 'watching', event: 'webhook', guard: 'auto_allowed', to: 'rolling_back', ...ROLLBACK },
  { from: 'pending', event: 'webhook', guard: 'auto_allowed', to: 'rolling_back', ...ROLLBACK },
  { from: 'watching', event: 'webhook', guard: 'hold_new', to: 'watching', effects: ['announce_hold'], commands: ['notify'] },
  { from: 'pending', event: 'webhook', guard: 'hold_new', to: 'pending', effects: ['announce_hold'], commands: ['notify'] },
  refuse('watching', 'webhook', 'held (already announced)'),
  refuse('pending', 'webhook', 'held (already announced)'),
  refuse('rolling_back', 'webhook', 'a rollback is already in progress'),
  refuse('rolled_back', 'webhook', 'already rolled back'),
  refuse('partially_rolled_back', 'webhook', 'a rollback is active (incomplete, retried)'),
  refuse('rolling_forward', 'webhook', 'a roll-forward is in progress'),
  refuse('paused', 'webhook', 'automation is paused'),
  refuse('failed', 'webhook', 'the last rollback failed; a human must act'),

  // actuator results
  { from: 'rolling_back', event: 'actuation_succeeded', guard: 'matches_rollback', to: 'rolled_back', effects: ['rollback_verified'], commands: [] },
  { from: 'rolling_back', event: 'actuation_failed', guard: 'matches_rollback', to: 'failed', effects: ['rollback_failed'], commands: ['notify'] },
  { from: 'rolling_back', event: 'actuation_partial', guard: 'matches_rollback', to: 'partially_rolled_back', effects: ['rollback_partial'], commands: ['notify'] },
  // INFO rolled forward + resolve of the start notice (+ resolve of the last lasting warning, if any)
  { from: 'rolling_forward', event: 'actuation_succeeded', guard: 'matches_rollback', to: 'watching', effects: ['rollforward_verified'], commands: ['notify', 'notify'] },
  { from: 'rolling_forward', event: 'actuation_failed', guard: 'matches_rollback', to: 'rolled_back', effects: ['rollforward_failed'], commands: ['notify'] },
  ...(['actuation_succeeded', 'actuation_failed', 'actuation_partial'] as const).flatMap((event) =>
    ALL_PHASES.map((from) => refuse(from, event, 'stale actuation result: no matching action in progress')),
  ),

  ...OBSERVED_ROWS,
  ...observedFallbacks(),
];

/** The first row that matches; every (phase, event) pair has an unguarded fallback row. */
export function findTransition(
  from: Phase,
  event: LifecycleEvent,
  guardHolds: (guard: Guard) => boolean,
): Transition {
  const row = TRANSITIONS.find((t) => t.from === from && t.event === event && (t.guard === undefined || guardHolds(t.guard)));
  if (row === undefined) throw new Error(`transition table has no fallback for ${from} × ${event}`);
  return row;
}
