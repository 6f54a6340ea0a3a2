import { gatePassingMs, queriesOf } from '../core/index.js';
import type { TargetEvidence } from '../metrics-evidence.js';
import type { RuntimeContext } from './context.js';

// What the guardrail_condition_* gauges show at a scrape: the last evaluation of every target of the
// loaded policies (the shadow gate's bounds included), limited to the conditions those policies still have. A target or condition a reload
// removed is left out here, so its series vanish at the next scrape instead of lingering with old values.

export function conditionEvidence(ctx: RuntimeContext): TargetEvidence[] {
  return ctx.policies.flatMap((policy) => {
    const evaluation = ctx.lastEvaluation.get(policy.target.name);
    if (evaluation === undefined) return [];
    const current = new Set(queriesOf(policy).map((q) => q.id));
    const verdicts = evaluation.verdicts.filter((v) => current.has(v.conditionId));
    const gate = ctx.targetState(policy).shadowGate;
    const forMs = policy.rollforward.gate?.forMs;
    if (gate === undefined || forMs === undefined) return [{ target: policy.target.name, verdicts }];
    const passingSeconds = gatePassingMs(gate, ctx.ports.now()) / 1000;
    return [{ target: policy.target.name, verdicts, gate: { verdict: gate.verdict, passingSeconds, forSeconds: forMs / 1000 } }];
  });
}
