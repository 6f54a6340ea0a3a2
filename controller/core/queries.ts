// The PromQL the runtime must run at every tick, with the ids `decide` expects in a tick's samples.

import type { Condition, Policy } from './policy.js';

export type QueryPurpose = 'traffic' | 'reason' | 'veto' | 'alert' | 'gate';

export interface PolicyQuery {
  readonly id: string;
  readonly query: string;
  readonly purpose: QueryPurpose;
}

/** Every condition of a policy, in file order: reasons, vetoes, alert rules. */
export function conditionsOf(policy: Policy): readonly { readonly purpose: Exclude<QueryPurpose, 'traffic'>; readonly condition: Condition }[] {
  return [
    ...policy.reasons.flatMap((r) => r.conditions.map((condition) => ({ purpose: 'reason' as const, condition }))),
    ...policy.vetoes.map((v) => ({ purpose: 'veto' as const, condition: v.condition })),
    ...policy.alerts.map((a) => ({ purpose: 'alert' as const, condition: a.condition })),
  ];
}

/** The shadow gate's queries (rollforward.gate): mirrored requests, then its bounds. */
export function gateQueriesOf(policy: Policy): readonly PolicyQuery[] {
  const gate = policy.rollforward.gate;
  if (gate === undefined) return [];
  return [gate.traffic, ...gate.conditions].map(({ id, query }) => ({ id, query, purpose: 'gate' as const }));
}

/**
 * Queries to run each tick (all of them, every tick: cheap, and keeps timers honest). The gate's are judged
 * only while rolled back; the runtime leaves them out of a tick in the other phases (runtime/tick.ts).
 */
export function queriesOf(policy: Policy): readonly PolicyQuery[] {
  const guard = policy.evaluation.minRequests;
  const traffic: PolicyQuery[] = guard === undefined ? [] : [{ id: guard.id, query: guard.query, purpose: 'traffic' }];
  return [...traffic, ...conditionsOf(policy).map(({ purpose, condition }) => ({ id: condition.id, query: condition.query, purpose })), ...gateQueriesOf(policy)];
}
