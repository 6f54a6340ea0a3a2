// "The baseline breaches too": after a verified rollback, a good reason that keeps firing on the baseline
// means the rollback did not help (the seed runbook: "If still high, investigate baseline model"). The
// engine says so with one CRITICAL per episode. Only the baseline's own data counts: a reason qualifies
// once its conditions have breached for `for` after the verification AND the query's largest range
// (`window`) no longer reaches back before it, since the first `window` still averages the ML model in.

import type { FiringReason, TickAssessment } from './assess-tick.js';
import type { Command } from './commands.js';
import { parseDuration } from './duration.js';
import { baselineBreachAlert, notify, resolved } from './notifications.js';
import type { Condition, Policy } from './policy.js';
import type { TargetState } from './state.js';

/** How long after the verified switch a condition's breach is the baseline's own: max(for, window). */
export function baselineEvidenceMs(condition: Condition): number {
  const windowMs = condition.window === undefined ? 0 : (parseDuration(condition.window) ?? 0);
  return Math.max(condition.forMs, windowMs);
}

/** The firing reason (most severe first) that is the baseline's own breach, if not announced yet. */
export function newBaselineBreach(state: TargetState, firing: readonly FiringReason[], nowMs: number): FiringReason | undefined {
  const record = state.rollback;
  if (state.phase !== 'rolled_back' || record === null || record.baselineBreach !== undefined) return undefined;
  // A state saved before verifiedAtMs existed: the rolled_back phase began at the verification.
  const verifiedAtMs = record.verifiedAtMs ?? state.phaseSinceMs;
  return firing.find((f) => f.reason.conditions.every((c) => nowMs - verifiedAtMs >= baselineEvidenceMs(c)));
}

/** Effect `announce_baseline_breach`: record the episode on the rollback and raise the CRITICAL. */
export function announceBaselineBreach(
  policy: Policy,
  state: TargetState,
  firing: readonly FiringReason[],
  nowMs: number,
): { readonly state: TargetState; readonly commands: readonly Command[] } {
  const breach = newBaselineBreach(state, firing, nowMs);
  const record = state.rollback;
  if (breach === undefined || record === null) return { state, commands: [] };
  const next = { ...record, baselineBreach: { reason: breach.reason.name, sinceMs: nowMs } };
  return { state: { ...state, rollback: next }, commands: [notify(baselineBreachAlert(policy, next, breach.evidence, nowMs))] };
}

/**
 * Side step: the announced reason no longer breaches (one of its conditions is OK and none is UNKNOWN:
 * a failed scrape leaves the alert as it is, like alert-only rules) → resolve it; a new episode may follow.
 */
export function releaseBaselineBreach(policy: Policy, state: TargetState, a: TickAssessment, nowMs: number): { readonly state: TargetState; readonly commands: readonly Command[] } {
  const record = state.rollback;
  const episode = record?.baselineBreach;
  if (record === null || episode === undefined) return { state, commands: [] };
  const reason = policy.reasons.find((r) => r.name === episode.reason);
  const verdicts = (reason?.conditions ?? []).map((c) => a.verdicts.find((v) => v.conditionId === c.id));
  const over = reason === undefined || (verdicts.some((v) => v?.status === 'ok') && verdicts.every((v) => v?.status !== 'unknown'));
  if (!over) return { state, commands: [] };
  const { baselineBreach: _over, ...rest } = record;
  const alert = baselineBreachAlert(policy, record, [], episode.sinceMs);
  return { state: { ...state, rollback: rest }, commands: [resolved(alert, nowMs)] };
}
