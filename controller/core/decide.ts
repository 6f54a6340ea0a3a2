// The engine's one entry point. Pure: (policy, state, event, now) → new state + commands. Ticks, manual
// commands, webhook triggers and actuator results all come through here, so the runtime serialises them.

import type { Command, Evidence, Trigger } from './commands.js';
import type { EngineEvent } from './events.js';
import { TRANSITIONS, findTransition, type Guard, type LifecycleEvent, type Transition } from './lifecycle.js';
import type { Phase, Policy } from './policy.js';
import type { TargetState } from './state.js';
import type { Verdict } from './verdict.js';
import { assessTick, type TickAssessment } from './assess-tick.js';
import { runTickSideSteps } from './tick-side-steps.js';
import { applyEffects, currentHold, type EffectContext } from './effects.js';
import { newBaselineBreach } from './baseline-breach.js';
import { classifyObserved, driftIsNew, observeSideStep } from './out-of-band.js';
import { gatePassed, shadowGateStep, shadowPhase } from './gate.js';

export const HOUR_MS = 3_600_000;

/** A manual/webhook/actuation event the engine did not act on, and why. Returned, never thrown. */
export interface Refusal {
  readonly event: EngineEvent['type'];
  readonly phase: Phase;
  readonly reason: string;
}

export interface AppliedTransition {
  readonly from: Phase;
  readonly to: Phase;
  readonly event: LifecycleEvent;
  /** Index of the row in TRANSITIONS (for the journal and docs). */
  readonly row: number;
}

export interface Decision {
  readonly state: TargetState;
  /** Exact list, in order; empty when nothing is to be done. */
  readonly commands: readonly Command[];
  /** Per-condition verdicts of this tick (empty for non-tick events). */
  readonly verdicts: readonly Verdict[];
  readonly transition?: AppliedTransition;
  readonly refused?: Refusal;
}

/** State of a target the engine has never seen: watching, no timers, no history. */
export function initialState(policy: Policy, nowMs = 0): TargetState {
  return {
    policy: policy.name,
    target: policy.target.name,
    phase: 'watching',
    phaseSinceMs: nowMs,
    timers: {},
    unknownStreak: 0,
    blindSinceMs: null,
    firingAlerts: {},
    rollback: null,
    pause: null,
    hold: null,
    blockingVetoes: [],
    automaticRollbacksMs: [],
    cooldownUntilMs: null,
    allOkSinceMs: null,
    lastError: null,
  };
}

function classifyTick(assessment: TickAssessment): LifecycleEvent {
  if (assessment.firing.length > 0) return 'tick_firing';
  return assessment.anyBreach ? 'tick_pending' : 'tick_clear';
}

function automaticTrigger(): Trigger {
  return { kind: 'automatic' };
}

/** Builds what guards and effects need to know about this event. */
function contextOf(policy: Policy, event: EngineEvent, assessment: TickAssessment | undefined, nowMs: number): EffectContext {
  switch (event.type) {
    case 'tick': {
      const top = assessment?.firing[0];
      const evidence: Evidence = {
        policy: policy.name,
        reason: top?.reason.name ?? 'all-reasons-ok',
        trigger: automaticTrigger(),
        conditions: top?.evidence ?? [],
        atMs: nowMs,
      };
      return { event, evidence, firing: assessment?.firing ?? [] };
    }
    case 'manual_rollback':
    case 'manual_rollforward':
    case 'pause':
    case 'resume': {
      const trigger: Trigger = { kind: 'manual', actor: event.actor, reason: event.reason };
      const reason = event.type === 'manual_rollback' ? (event.policyReason ?? 'manual') : 'manual';
      return { event, evidence: { policy: policy.name, reason, trigger, conditions: [], atMs: nowMs } };
    }
    case 'webhook': {
      const base = { kind: 'webhook' as const, alertname: event.alertname, labels: event.labels };
      const trigger: Trigger = event.fingerprint === undefined ? base : { ...base, fingerprint: event.fingerprint };
      return { event, evidence: { policy: policy.name, reason: event.reason, trigger, conditions: [], atMs: nowMs } };
    }
    default:
      return { event, evidence: { policy: policy.name, reason: event.type, trigger: automaticTrigger(), conditions: [], atMs: nowMs } };
  }
}

function guardHolds(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number, guard: Guard): boolean {
  const { event } = ctx;
  switch (guard) {
    case 'auto_allowed':
      return currentHold(policy, state, ctx.evidence.reason, nowMs) === null;
    case 'hold_new': {
      const hold = currentHold(policy, state, ctx.evidence.reason, nowMs);
      return hold !== null && state.hold?.cause !== hold.cause;
    }
    case 'rollforward_due':
      return (
        policy.rollforward.mode === 'automatic' &&
        policy.rollforward.gate === undefined &&
        state.allOkSinceMs !== null &&
        nowMs - state.allOkSinceMs >= policy.rollforward.afterMs
      );
    case 'matches_rollback': {
      if (event.type !== 'actuation_succeeded' && event.type !== 'actuation_failed') return false;
      const expected = state.phase === 'rolling_back' ? 'rollback' : 'rollforward';
      return event.action === expected && event.rollbackId === state.rollback?.rollbackId;
    }
    case 'paused_from_rolled_back':
      return state.pause?.resumeTo === 'rolled_back';
    case 'paused_from_failed':
      return state.pause?.resumeTo === 'failed';
    case 'known_reason':
      return event.type !== 'manual_rollback' || event.policyReason === undefined || policy.reasons.some((r) => r.name === event.policyReason);
    case 'pause_in_future':
      return event.type === 'pause' && event.untilMs > nowMs;
    case 'baseline_breach_new':
      return newBaselineBreach(state, ctx.firing ?? [], nowMs) !== undefined;
    case 'retry_due': {
      const retryAtMs = state.rollback?.retryAtMs;
      return retryAtMs !== undefined && retryAtMs !== null && nowMs >= retryAtMs;
    }
    case 'drift_new':
      return event.type === 'observed' && driftIsNew(state, event);
    case 'gate_passed': {
      const gate = policy.rollforward.gate;
      return policy.rollforward.mode === 'automatic' && gate !== undefined && gatePassed(gate, state.shadowGate, nowMs);
    }
    case 'shadow_breach_unforced':
      return event.type === 'manual_rollforward' && event.force !== true && policy.rollforward.gate !== undefined && state.shadowGate?.verdict === 'breach';
  }
}

function lifecycleEventOf(policy: Policy, event: Exclude<EngineEvent, { type: 'tick' }>): LifecycleEvent {
  if (event.type === 'observed') return classifyObserved(policy, event);
  // A rollback that reached some services, not all, is partial: they stay there and the rest is retried.
  if (event.type === 'actuation_failed' && event.action === 'rollback' && (event.services ?? []).some((s) => s.onValue)) return 'actuation_partial';
  return event.type;
}

interface Step {
  readonly state: TargetState;
  readonly commands: readonly Command[];
  readonly transition: AppliedTransition;
  readonly refused?: Refusal;
}

function step(policy: Policy, state: TargetState, lifecycleEvent: LifecycleEvent, ctx: EffectContext, nowMs: number): Step {
  const row: Transition = findTransition(state.phase, lifecycleEvent, (g) => guardHolds(policy, state, ctx, nowMs, g));
  const applied = applyEffects(policy, state, row, ctx, nowMs);
  const moved: TargetState = row.to === state.phase ? applied.state : enterPhase(applied.state, row.to, nowMs);
  const transition: AppliedTransition = { from: state.phase, to: row.to, event: lifecycleEvent, row: rowIndex(row) };
  const base = { state: moved, commands: applied.commands, transition };
  return row.refuse === undefined ? base : { ...base, refused: { event: ctx.event.type, phase: state.phase, reason: row.refuse } };
}

/** A new phase: the all-OK clock runs only while rolled back, and the shadow gate's evidence only while the candidate runs in shadow. */
function enterPhase(state: TargetState, to: Phase, nowMs: number): TargetState {
  const { shadowGate, ...rest } = state;
  const entered = { ...rest, phase: to, phaseSinceMs: nowMs, allOkSinceMs: to === 'rolled_back' ? state.allOkSinceMs : null };
  return shadowGate !== undefined && shadowPhase(to, state.pause?.resumeTo) ? { ...entered, shadowGate } : entered;
}

function rowIndex(row: Transition): number {
  return TRANSITIONS.indexOf(row);
}

/**
 * Decides what to do about one event for one target. Never mutates its inputs; same inputs → same
 * output. UNKNOWN verdicts never start a rollback (only sustained BREACHes do).
 */
export function decide(policy: Policy, state: TargetState, event: EngineEvent, nowMs: number): Decision {
  const commands: Command[] = [];
  // The same list when none is older than an hour (most decisions: it is usually empty).
  const recent = state.automaticRollbacksMs.every((t) => nowMs - t < HOUR_MS) ? state.automaticRollbacksMs : state.automaticRollbacksMs.filter((t) => nowMs - t < HOUR_MS);
  // The state itself when the list is kept: an event that changes nothing (most looks at what runs) then
  // decides the very object it was given, which the runtime compares in O(1) instead of walking it.
  let current: TargetState = recent === state.automaticRollbacksMs ? state : { ...state, automaticRollbacksMs: recent };
  // An expired pause ends before anything else is decided, whatever the event.
  if (event.type !== 'pause_expired' && current.phase === 'paused' && current.pause !== null && nowMs >= current.pause.untilMs) {
    const expired = step(policy, current, 'pause_expired', contextOf(policy, { type: 'pause_expired' }, undefined, nowMs), nowMs);
    current = expired.state;
    commands.push(...expired.commands);
  }
  if (event.type !== 'tick') {
    if (event.type === 'webhook' && !policy.reasons.some((r) => r.name === event.reason)) {
      return { state: current, commands, verdicts: [], refused: { event: event.type, phase: current.phase, reason: `unknown reason ${event.reason}` } };
    }
    if (event.type === 'observed') {
      const side = observeSideStep(policy, current, event, nowMs);
      current = side.state;
      commands.push(...side.commands);
    }
    const result = step(policy, current, lifecycleEventOf(policy, event), contextOf(policy, event, undefined, nowMs), nowMs);
    return { ...result, commands: [...commands, ...result.commands], verdicts: [] };
  }

  const assessment = assessTick(policy, current.phase, current.timers, event.samples, nowMs);
  const side = runTickSideSteps(policy, current, assessment, nowMs);
  commands.push(...side.commands);
  const gated = shadowGateStep(policy, side.state, event.samples, nowMs, event.candidate);
  const result = step(policy, gated, classifyTick(assessment), contextOf(policy, event, assessment, nowMs), nowMs);
  commands.push(...result.commands);
  const verdicts = gated.shadowGate?.atMs === nowMs ? [...assessment.verdicts, ...gated.shadowGate.bounds] : assessment.verdicts;
  return { state: result.state, commands, verdicts, transition: result.transition };
}
