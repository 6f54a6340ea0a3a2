import { conditionsOf } from '../core/index.js';
import type { TargetEvidence } from '../metrics-evidence.js';
import type { RuntimeContext } from './context.js';

// What the guardrail_condition_* gauges show at a scrape: the last evaluation of every target of the
// loaded policies, limited to the conditions those policies still have. A target or condition a reload
// removed is left out here, so its series vanish at the next scrape instead of lingering with old values.

export function conditionEvidence(ctx: RuntimeContext): TargetEvidence[] {
  return ctx.policies.flatMap((policy) => {
    const evaluation = ctx.lastEvaluation.get(policy.target.name);
    if (evaluation === undefined) return [];
    const current = new Set(conditionsOf(policy).map(({ condition }) => condition.id));
    return [{ target: policy.target.name, verdicts: evaluation.verdicts.filter((v) => current.has(v.conditionId)) }];
  });
}
