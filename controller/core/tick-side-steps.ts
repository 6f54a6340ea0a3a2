// Per-tick work that is not a lifecycle transition: the "guardrail blind" warning, alert-only rules,
// the hourly "rollback still active" warning, the all-OK clock for automatic roll-forward, vetoes seen,
// releasing a hold once nothing fires, and resolving "the baseline breaches too" once its reason is OK. Runs in every phase before the lifecycle row is applied.

import type { Command } from './commands.js';
import { activeAlertRules, type TickAssessment } from './assess-tick.js';
import { releaseBaselineBreach } from './baseline-breach.js';
import { blindAlert, holdAlert, notify, resolved, rollbackLastingAlert, ruleAlert } from './notifications.js';
import type { Policy } from './policy.js';
import type { TargetState } from './state.js';

interface SideResult {
  readonly state: TargetState;
  readonly commands: readonly Command[];
}

/** The commands of a step that has none (shared: a result's list is never changed). */
const NONE: readonly Command[] = [];

function blindStep(policy: Policy, state: TargetState, a: TickAssessment, nowMs: number): SideResult {
  const streak = a.blind ? state.unknownStreak + 1 : 0;
  if (a.blind && streak >= policy.evaluation.blindAfter && state.blindSinceMs === null) {
    return { state: { ...state, unknownStreak: streak, blindSinceMs: nowMs }, commands: [notify(blindAlert(policy, nowMs, a.blindDetail))] };
  }
  if (!a.blind && state.blindSinceMs !== null) {
    const alert = blindAlert(policy, state.blindSinceMs, 'data is back');
    return { state: { ...state, unknownStreak: 0, blindSinceMs: null }, commands: [resolved(alert, nowMs)] };
  }
  return { state: streak === state.unknownStreak ? state : { ...state, unknownStreak: streak }, commands: NONE };
}

/** Alert-only rules fire when sustained and resolve on OK or when out of their phases; UNKNOWN keeps them as they are. */
function alertRulesStep(policy: Policy, state: TargetState, a: TickAssessment, nowMs: number): SideResult {
  // Most policies have no alert-only rule, and most ticks change none: the state is kept as it is then.
  if (policy.alerts.length === 0) return { state, commands: NONE };
  const active = new Set(activeAlertRules(policy, state.phase).map((r) => r.name));
  const firing: Record<string, number> = { ...state.firingAlerts };
  const commands: Command[] = [];
  for (const rule of policy.alerts) {
    const since = firing[rule.name];
    const verdict = a.verdicts.find((v) => v.conditionId === rule.condition.id);
    if (active.has(rule.name) && verdict?.sustained === true && since === undefined) {
      firing[rule.name] = nowMs;
      commands.push(notify(ruleAlert(policy, rule, verdict.value, nowMs)));
    } else if (since !== undefined && (!active.has(rule.name) || verdict?.status === 'ok')) {
      delete firing[rule.name];
      commands.push(resolved(ruleAlert(policy, rule, verdict?.value, since), nowMs));
    }
  }
  return { state: commands.length === 0 ? state : { ...state, firingAlerts: firing }, commands };
}

/** How many lasting warnings are due after `elapsedMs` of rollback: 1 at warnAfter, +1 every warnEvery. */
export function warningsDue(elapsedMs: number, warnAfterMs: number, warnEveryMs: number): number {
  if (elapsedMs < warnAfterMs) return 0;
  return Math.floor((elapsedMs - warnAfterMs) / warnEveryMs) + 1;
}

/** When the next "rollback still active" warning falls due, after `warningsSent` of them (1 at warnAfter, +1 every warnEvery). */
export function nextWarningAtMs(startedAtMs: number, warningsSent: number, warnAfterMs: number, warnEveryMs: number): number {
  return startedAtMs + warnAfterMs + warningsSent * warnEveryMs;
}

/** One warning per tick at most, numbered from the TRUE start: a controller down for 3 h sends one, not three. */
function lastingStep(policy: Policy, state: TargetState, nowMs: number): SideResult {
  const record = state.rollback;
  const onBaseline = state.phase === 'rolled_back' || (state.phase === 'paused' && state.pause?.resumeTo === 'rolled_back');
  if (record === null || !onBaseline) return { state, commands: NONE };
  const due = warningsDue(nowMs - record.startedAtMs, policy.warnAfterMs, policy.warnEveryMs);
  if (due <= record.warningsSent) return { state, commands: NONE };
  const commands: Command[] = [];
  if (record.warningsSent > 0) commands.push(resolved(rollbackLastingAlert(policy, record, record.warningsSent, nowMs), nowMs));
  commands.push(notify(rollbackLastingAlert(policy, record, due, nowMs)));
  return { state: { ...state, rollback: { ...record, warningsSent: due } }, commands };
}

function holdReleaseStep(policy: Policy, state: TargetState, a: TickAssessment, nowMs: number): SideResult {
  if (state.hold === null || a.firing.length > 0) return { state, commands: NONE };
  const alert = holdAlert(policy, state.hold.cause, '', state.hold.detail, state.hold.sinceMs);
  return { state: { ...state, hold: null }, commands: [resolved({ ...alert, dedupKey: state.hold.dedupKey }, nowMs)] };
}

type SideStep = (policy: Policy, state: TargetState, a: TickAssessment, nowMs: number) => SideResult;

const TICK_SIDE_STEPS: readonly SideStep[] = [
  blindStep,
  alertRulesStep,
  (policy, state, _a, nowMs) => lastingStep(policy, state, nowMs),
  holdReleaseStep,
  releaseBaselineBreach,
];

export function runTickSideSteps(policy: Policy, state: TargetState, a: TickAssessment, nowMs: number): SideResult {
  let current: TargetState = {
    ...state,
    timers: a.timers,
    blockingVetoes: a.blockingVetoes.map((v) => v.name),
    allOkSinceMs: state.phase === 'rolled_back' && a.allOk ? (state.allOkSinceMs ?? nowMs) : null,
  };
  const commands: Command[] = [];
  // In this order; a plain list of functions, not closures made anew for every target on every tick.
  for (const run of TICK_SIDE_STEPS) {
    const out = run(policy, current, a, nowMs);
    current = out.state;
    if (out.commands.length > 0) commands.push(...out.commands);
  }
  return { state: current, commands };
}
