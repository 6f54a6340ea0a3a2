// What each transition row's effects do to the state, and which commands they emit. One small
// function per effect; `applyEffects` runs a row's effects in order.

import { announceBaselineBreach } from './baseline-breach.js';
import type { Command, Evidence } from './commands.js';
import type { EffectContext } from './effect-context.js';
import { completeRollback, recordIncomplete, retryRollback } from './incomplete-rollback.js';
import { gateEvidence, shadowGateOf } from './gate.js';
import type { Effect, Transition } from './lifecycle.js';
import { announceDrift, outOfBandForward, outOfBandPartial, outOfBandRollback, rollbackCompletedOutOfBand } from './out-of-band.js';
import {
  holdAlert,
  notify,
  resolveIncomplete,
  resolveRollbackAlerts,
  resolved,
  rolledForwardAlert,
  rollbackStartedAlert,
  rollforwardFailedAlert,
} from './notifications.js';
import type { Policy } from './policy.js';
import type { HoldCause, PauseRecord, RollbackRecord, TargetState } from './state.js';

export type { EffectContext } from './effect-context.js';

interface Applied {
  readonly state: TargetState;
  readonly commands: readonly Command[];
}

const HOUR_MS = 3_600_000;

/**
 * Why an automatic (or webhook) rollback for `reason` would be held right now, or null. The cooldown
 * after a roll-forward is a baking window, not a blind spot: it holds only non-critical reasons, so a
 * still-broken model is rolled back at once; maxRollbacksPerHour is the guard against flapping. Each
 * detail says which limit holds it and until when.
 */
export function currentHold(
  policy: Policy,
  state: TargetState,
  reason: string,
  nowMs: number,
): { readonly cause: HoldCause; readonly detail: string } | null {
  const veto = policy.vetoes.find(
    (v) => state.blockingVetoes.includes(v.name) && (v.appliesTo.length === 0 || v.appliesTo.includes(reason)),
  );
  if (veto !== undefined) return { cause: 'veto', detail: `veto ${veto.name}: ${veto.message} (until the veto clears)` };
  const critical = policy.reasons.find((r) => r.name === reason)?.severity === 'critical';
  if (!critical && state.cooldownUntilMs !== null && nowMs < state.cooldownUntilMs) {
    return { cause: 'cooldown', detail: `limits.cooldown after the roll-forward, until ${new Date(state.cooldownUntilMs).toISOString()}` };
  }
  const count = state.automaticRollbacksMs.length;
  if (count >= policy.limits.maxRollbacksPerHour) {
    const freeAtMs = Math.min(...state.automaticRollbacksMs.slice(count - policy.limits.maxRollbacksPerHour)) + HOUR_MS;
    return {
      cause: 'rate_limit',
      detail: `limits.maxRollbacksPerHour: ${count} automatic rollbacks in the last hour (max ${policy.limits.maxRollbacksPerHour}), until ${new Date(freeAtMs).toISOString()}`,
    };
  }
  return null;
}

function releaseHold(state: TargetState, policy: Policy, nowMs: number): Applied {
  if (state.hold === null) return { state, commands: [] };
  const alert = holdAlert(policy, state.hold.cause, '', state.hold.detail, state.hold.sinceMs);
  return { state: { ...state, hold: null }, commands: [resolved({ ...alert, dedupKey: state.hold.dedupKey }, nowMs)] };
}

function startRollback(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const released = releaseHold(state, policy, nowMs);
  const record: RollbackRecord = {
    rollbackId: `rb-${policy.target.name}-${nowMs}`,
    startedAtMs: nowMs,
    reason: ctx.evidence.reason,
    trigger: ctx.evidence.trigger,
    warningsSent: 0,
  };
  const automatic = ctx.evidence.trigger.kind !== 'manual';
  const commands: Command[] = [
    ...released.commands,
    {
      type: 'rollback',
      target: policy.target,
      rollbackId: record.rollbackId,
      value: policy.target.rollbackValue,
      strategy: policy.target.strategy,
      evidence: ctx.evidence,
      attempt: 1,
    },
    notify(rollbackStartedAlert(policy, record, ctx.evidence)),
  ];
  const next: TargetState = {
    ...released.state,
    rollback: record,
    pause: null,
    lastError: null,
    automaticRollbacksMs: automatic ? [...state.automaticRollbacksMs, nowMs] : state.automaticRollbacksMs,
  };
  return { state: next, commands };
}

/**
 * The evidence of a roll-forward: the shadow gate's bounds when the policy has a shadow (an automatic one
 * passed the gate; a manual one shows what the operator saw), else the all-OK clock's.
 */
function rollforwardEvidence(policy: Policy, state: TargetState, ctx: EffectContext, gated: boolean, nowMs: number): Evidence {
  const gate = shadowGateOf(policy);
  const shadow = gate === undefined || state.shadowGate === undefined ? undefined : gateEvidence(gate, state.shadowGate, nowMs);
  if (gated) return { ...ctx.evidence, reason: 'shadow-gate-passed', conditions: shadow ?? [] };
  if (ctx.event.type === 'tick') return { ...ctx.evidence, reason: 'all-reasons-ok', conditions: [] };
  return shadow === undefined ? ctx.evidence : { ...ctx.evidence, conditions: shadow };
}

function startRollforward(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number, gated: boolean): Applied {
  const rollbackId = state.rollback?.rollbackId ?? `rb-${policy.target.name}-${nowMs}`;
  const evidence = rollforwardEvidence(policy, state, ctx, gated, nowMs);
  const next: TargetState =
    state.rollback === null ? state : { ...state, rollback: { ...state.rollback, rollforward: { trigger: evidence.trigger, requestedAtMs: nowMs } } };
  return {
    state: next,
    commands: [
      {
        type: 'rollforward',
        target: policy.target,
        rollbackId,
        value: policy.target.normalValue,
        strategy: policy.target.strategy,
        evidence,
      },
    ],
  };
}

function announceHold(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const hold = currentHold(policy, state, ctx.evidence.reason, nowMs);
  if (hold === null) return { state, commands: [] };
  const previous = releaseHold(state, policy, nowMs);
  const alert = holdAlert(policy, hold.cause, ctx.evidence.reason, hold.detail, nowMs);
  return {
    state: { ...previous.state, hold: { cause: hold.cause, detail: hold.detail, sinceMs: nowMs, dedupKey: alert.dedupKey } },
    commands: [...previous.commands, notify(alert)],
  };
}

function errorOf(ctx: EffectContext): string {
  return ctx.event.type === 'actuation_failed' ? ctx.event.error : 'unknown error';
}

/** A record to build alerts from even if the state lost it (defensive: rows guard on a matching id). */
function recordOf(policy: Policy, state: TargetState, nowMs: number): RollbackRecord {
  return (
    state.rollback ?? {
      rollbackId: `rb-${policy.target.name}-${nowMs}`,
      startedAtMs: nowMs,
      reason: 'unknown',
      trigger: { kind: 'automatic' },
      warningsSent: 0,
    }
  );
}

function pauseRecord(state: TargetState, ctx: EffectContext, nowMs: number): PauseRecord | null {
  if (ctx.event.type !== 'pause') return state.pause;
  const resumeTo: PauseRecord['resumeTo'] =
    state.pause?.resumeTo ?? (state.phase === 'rolled_back' ? 'rolled_back' : state.phase === 'failed' ? 'failed' : 'watching');
  return { actor: ctx.event.actor, reason: ctx.event.reason, sinceMs: state.pause?.sinceMs ?? nowMs, untilMs: ctx.event.untilMs, resumeTo };
}

function applyEffect(policy: Policy, state: TargetState, effect: Effect, ctx: EffectContext, nowMs: number): Applied {
  switch (effect) {
    case 'start_rollback':
      return startRollback(policy, state, ctx, nowMs);
    case 'start_rollforward':
      return startRollforward(policy, state, ctx, nowMs, false);
    case 'start_gated_rollforward':
      return startRollforward(policy, state, ctx, nowMs, true);
    case 'announce_hold':
      return announceHold(policy, state, ctx, nowMs);
    case 'rollback_verified': {
      const completed = completeRollback(policy, state, nowMs);
      return { state: { ...completed.state, allOkSinceMs: null }, commands: completed.commands };
    }
    case 'announce_baseline_breach':
      return announceBaselineBreach(policy, state, ctx.firing ?? [], nowMs);
    case 'rollback_failed':
    case 'rollback_partial':
      return recordIncomplete(policy, state, recordOf(policy, state, nowMs), ctx, nowMs);
    case 'retry_rollback':
      return retryRollback(policy, state, recordOf(policy, state, nowMs), ctx);
    case 'out_of_band_forward':
      return outOfBandForward(policy, state, ctx, nowMs);
    case 'out_of_band_rollback':
      return outOfBandRollback(policy, state, ctx, nowMs);
    case 'out_of_band_partial':
      return outOfBandPartial(policy, state, ctx, nowMs);
    case 'rollback_completed':
      return rollbackCompletedOutOfBand(policy, state, ctx, nowMs);
    case 'announce_drift':
      return announceDrift(policy, state, ctx, nowMs);
    case 'rollforward_verified': {
      const record = recordOf(policy, state, nowMs);
      const rollbackEvidence: Evidence = { ...ctx.evidence, reason: record.reason, trigger: record.trigger };
      const forwardEvidence: Evidence = { ...ctx.evidence, reason: 'rollforward', trigger: record.rollforward?.trigger ?? { kind: 'automatic' } };
      const commands = [
        notify(rolledForwardAlert(policy, record, forwardEvidence, nowMs)),
        ...resolveRollbackAlerts(policy, record, rollbackEvidence, nowMs),
        ...resolveIncomplete(policy, record, nowMs),
      ];
      const next: TargetState = { ...state, rollback: null, timers: {}, cooldownUntilMs: nowMs + policy.limits.cooldownMs, lastError: null, allOkSinceMs: null };
      return { state: next, commands };
    }
    case 'rollforward_failed': {
      const error = errorOf(ctx);
      return { state: { ...state, lastError: error }, commands: [notify(rollforwardFailedAlert(policy, recordOf(policy, state, nowMs), error, nowMs))] };
    }
    case 'record_pause':
      return { state: { ...state, pause: pauseRecord(state, ctx, nowMs) }, commands: [] };
    case 'clear_pause':
      return { state: { ...state, pause: null }, commands: [] };
  }
}

export function applyEffects(policy: Policy, state: TargetState, row: Transition, ctx: EffectContext, nowMs: number): Applied {
  let current = state;
  const commands: Command[] = [];
  for (const effect of row.effects) {
    const out = applyEffect(policy, current, effect, ctx, nowMs);
    current = out.state;
    commands.push(...out.commands);
  }
  return { state: current, commands };
}
