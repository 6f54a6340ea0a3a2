import { gatePassingMs, servicesOf, shadowPhase, type Policy, type TargetState, type Verdict } from '../core/index.js';
import type { ShadowBoundView, ShadowView } from '../ports/controller.js';
import { candidateView } from './candidate-ops.js';
import type { CandidateRecord } from './runtime-state.js';
import type { StandbyBook, StandbyRecord } from './standby-book.js';

// The shadow candidate and its roll-forward gate as the status API shows them (targets[].shadow): the
// candidate as its maintenance last found it, and the gate's last judgement from the target's state.

const BOUND_PREFIX = 'rollforward.gate.';

function boundView(v: Verdict): ShadowBoundView {
  return {
    bound: v.conditionId.startsWith(BOUND_PREFIX) ? v.conditionId.slice(BOUND_PREFIX.length) : v.conditionId,
    status: v.status,
    value: v.value ?? null,
    comparison: v.comparison,
    threshold: v.threshold,
    cause: v.cause ?? null,
    detail: v.detail ?? null,
  };
}

/** What maintenance last found of the target's candidate (of its first shadowed service: the shipped policy has one). */
export function candidateOf(book: StandbyBook, policy: Policy): StandbyRecord | undefined {
  const service = servicesOf(policy.target).find((s) => s.shadow !== undefined);
  return service === undefined ? undefined : book.shadows.get(service.name);
}

/** Null when the policy has no shadow. */
export function shadowView(policy: Policy, state: TargetState, candidate: StandbyRecord | undefined, nowMs: number, chosen?: CandidateRecord): ShadowView | null {
  const gate = policy.rollforward.gate;
  if (gate === undefined) return null;
  const record = shadowPhase(state.phase, state.pause?.resumeTo) ? state.shadowGate : undefined;
  const bounds = (record?.bounds ?? []).map(boundView);
  const valueOf = (bound: string): number | null => bounds.find((b) => b.bound === bound)?.value ?? null;
  return {
    mode: policy.rollforward.mode,
    state: candidate?.state ?? 'unknown',
    candidate: candidate?.instance?.name ?? null,
    detail: candidate?.detail ?? (shadowPhase(state.phase, state.pause?.resumeTo) ? 'not looked at yet' : 'the candidate runs only while rolled back'),
    requests: valueOf('requests'),
    errorRatio: valueOf('errorRatio'),
    p95Seconds: valueOf('p95Seconds'),
    agreement: valueOf('agreement'),
    verdict: record?.verdict ?? 'not_judged',
    since: record === undefined ? null : new Date(record.verdictSinceMs).toISOString(),
    passingSeconds: Math.round(gatePassingMs(record, nowMs) / 1000),
    forSeconds: gate.forMs / 1000,
    bounds,
    candidateSpec: chosen === undefined ? null : candidateView(chosen),
  };
}
