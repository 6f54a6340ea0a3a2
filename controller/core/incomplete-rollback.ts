// A rollback that did not reach every service moves on toward safety: the services on the rollback value
// stay there, the others are retried with backoff (the same rollback id, so services already switched
// are no-ops), and a CRITICAL names each service that is not there and why. Pure.

import type { Command, Evidence } from './commands.js';
import type { ServiceOutcome } from './events.js';
import type { EffectContext } from './effect-context.js';
import { notify, resolveIncomplete, rollbackFailedAlert, rollbackPartialAlert } from './notifications.js';
import type { Policy } from './policy.js';
import type { RollbackRecord, TargetState } from './state.js';

/** The first retry waits this long, each next one twice as long, up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 600_000;
/** After this many attempts a human must act (the alert says so). */
export const MAX_ROLLBACK_ATTEMPTS = 6;

interface Applied {
  readonly state: TargetState;
  readonly commands: readonly Command[];
}

/** When attempt `attempts + 1` is due, or null when `attempts` was the last. */
export function retryAt(attempts: number, nowMs: number): number | null {
  if (attempts >= MAX_ROLLBACK_ATTEMPTS) return null;
  return nowMs + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
}

function servicesOf(ctx: EffectContext): readonly ServiceOutcome[] {
  return ctx.event.type === 'actuation_failed' ? (ctx.event.services ?? []) : [];
}

function errorOf(ctx: EffectContext): string {
  return ctx.event.type === 'actuation_failed' ? ctx.event.error : 'unknown error';
}

/** rollback_partial and rollback_failed: keep what reached the value, schedule the retry, raise the CRITICAL. */
export function recordIncomplete(policy: Policy, state: TargetState, record: RollbackRecord, ctx: EffectContext, nowMs: number): Applied {
  const attempts = record.attempts ?? 1;
  const services = servicesOf(ctx);
  const partial = services.some((s) => s.onValue);
  const next: RollbackRecord = {
    ...record,
    attempts,
    retryAtMs: retryAt(attempts, nowMs),
    services,
    incompleteAlert: partial ? 'partial' : 'failed',
  };
  // A previous attempt's alert of the other kind is resolved: one open CRITICAL per rollback.
  const previous = record.incompleteAlert !== undefined && record.incompleteAlert !== next.incompleteAlert ? resolveIncomplete(policy, record, nowMs) : [];
  const alert = partial ? rollbackPartialAlert(policy, next, nowMs) : rollbackFailedAlert(policy, next, errorOf(ctx), nowMs);
  return { state: { ...state, rollback: next, lastError: errorOf(ctx) }, commands: [...previous, notify(alert)] };
}

/** retry_rollback: the same rollback again, one attempt more. Not counted against maxRollbacksPerHour. */
export function retryRollback(policy: Policy, state: TargetState, record: RollbackRecord, ctx: EffectContext): Applied {
  const attempt = (record.attempts ?? 1) + 1;
  const evidence: Evidence = { ...ctx.evidence, reason: record.reason, trigger: ctx.event.type === 'manual_rollback' ? ctx.evidence.trigger : record.trigger, conditions: [] };
  return {
    state: { ...state, rollback: { ...record, attempts: attempt, retryAtMs: null } },
    commands: [
      {
        type: 'rollback',
        target: policy.target,
        rollbackId: record.rollbackId,
        value: policy.target.rollbackValue,
        strategy: policy.target.strategy,
        evidence,
        attempt,
      },
    ],
  };
}

/** The rollback reached every service: the incomplete alert (if any) is resolved. */
export function completeRollback(policy: Policy, state: TargetState, nowMs: number): Applied {
  const record = state.rollback;
  if (record === null) return { state: { ...state, lastError: null }, commands: [] };
  // Every service on the baseline from now: the "baseline breaches too" check counts from here.
  const done: RollbackRecord = { ...record, retryAtMs: null, services: [], verifiedAtMs: nowMs };
  const { incompleteAlert: _open, ...closed } = done;
  return { state: { ...state, rollback: closed, lastError: null }, commands: resolveIncomplete(policy, record, nowMs) };
}
