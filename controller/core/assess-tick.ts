// Turns one tick's samples into verdicts, advanced timers and a summary the lifecycle needs:
// which reasons fire, whether any breaches, which vetoes hold, and whether the tick was blind.

import type { ConditionEvidence } from './commands.js';
import { evaluateCondition, trafficStatus } from './judge.js';
import type { Sample } from './observation.js';
import type { Condition, Phase, Policy, Reason, Veto } from './policy.js';
import type { BreachTimer } from './state.js';
import type { Verdict } from './verdict.js';

export interface FiringReason {
  readonly reason: Reason;
  readonly evidence: readonly ConditionEvidence[];
}

export interface TickAssessment {
  readonly verdicts: readonly Verdict[];
  readonly timers: Readonly<Record<string, BreachTimer>>;
  /** Reasons whose conditions are all sustained, most severe first (ties: file order). */
  readonly firing: readonly FiringReason[];
  /** Some reason condition is in BREACH (sustained or not). */
  readonly anyBreach: boolean;
  /** Every reason condition is OK (none UNKNOWN): used for automatic roll-forward. */
  readonly allOk: boolean;
  /** Vetoes currently blocking (sustained, or UNKNOWN with onUnknown: block). */
  readonly blockingVetoes: readonly Veto[];
  /** An UNKNOWN other than low_traffic was seen: counts toward "guardrail blind". */
  readonly blind: boolean;
  readonly blindDetail: string;
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

function evidenceOf(condition: Condition, verdict: Verdict): ConditionEvidence {
  const base = {
    conditionId: condition.id,
    query: condition.query,
    value: verdict.value ?? Number.NaN,
    comparison: condition.comparison,
    threshold: condition.threshold,
    forMs: condition.forMs,
    sustainedMs: verdict.sustainedMs,
  };
  return condition.window === undefined ? base : { ...base, window: condition.window };
}

/** Alert rules evaluated in this phase (the others have their timers dropped). */
export function activeAlertRules(policy: Policy, phase: Phase): Policy['alerts'] {
  return policy.alerts.filter((a) => a.activeIn.length === 0 || a.activeIn.includes(phase));
}

export function assessTick(
  policy: Policy,
  phase: Phase,
  previousTimers: Readonly<Record<string, BreachTimer>>,
  samples: Readonly<Record<string, Sample>>,
  nowMs: number,
): TickAssessment {
  const guard = policy.evaluation.minRequests;
  const traffic = trafficStatus(guard, guard === undefined ? undefined : samples[guard.id]);
  const timers: Record<string, BreachTimer> = {};
  const verdicts: Verdict[] = [];

  const judge = (condition: Condition): Verdict => {
    const { verdict, timer } = evaluateCondition(
      condition,
      samples[condition.id],
      traffic,
      previousTimers[condition.id],
      policy.limits.onMissingData,
      nowMs,
    );
    if (timer !== undefined) timers[condition.id] = timer;
    verdicts.push(verdict);
    return verdict;
  };

  const automatic = policy.reasons.filter((r) => r.conditions.length > 0);
  const firing: FiringReason[] = [];
  let anyBreach = false;
  let allOk = true;
  for (const reason of automatic) {
    const judged = reason.conditions.map(judge);
    if (judged.some((v) => v.status === 'breach')) anyBreach = true;
    if (judged.some((v) => v.status !== 'ok')) allOk = false;
    if (judged.every((v) => v.sustained)) {
      firing.push({ reason, evidence: reason.conditions.map((c, i) => evidenceOf(c, judged[i] as Verdict)) });
    }
  }
  firing.sort((a, b) => SEVERITY_RANK[a.reason.severity] - SEVERITY_RANK[b.reason.severity]);

  const blockingVetoes = policy.vetoes.filter((veto) => {
    const v = judge(veto.condition);
    return v.sustained || (v.status === 'unknown' && veto.onUnknown === 'block');
  });
  for (const rule of activeAlertRules(policy, phase)) judge(rule.condition);

  const blindOnes = verdicts
    .filter((v) => v.status === 'unknown' && v.cause !== 'low_traffic')
    .map((v) => `${v.conditionId}: ${v.cause ?? ''} ${v.detail ?? ''}`.trim());
  if (traffic.kind === 'unknown' && guard !== undefined) blindOnes.push(`${guard.id}: ${traffic.cause} ${traffic.detail}`);
  const blindDetail = blindOnes.join('; ');
  return { verdicts, timers, firing, anyBreach, allOk, blockingVetoes, blind: blindOnes.length > 0, blindDetail };
}
