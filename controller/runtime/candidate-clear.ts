import { restartGate, servicesOf, shadowPhase, type Policy } from '../core/index.js';
import type { OperationRequest, OperationView, SubmitOutcome } from '../ports/controller.js';
import { recordCandidateChange } from './candidate-record.js';
import type { RuntimeContext } from './context.js';
import { queueOperation } from './queue-operation.js';
import type { CandidateRecord } from './runtime-state.js';

// Clearing an operator's candidate (`guardrail rollforward TARGET --clear-candidate`, POST …/rollforward
// with `"candidate": null`): a candidate set by mistake, or one that will not do, is forgotten, and the
// shadow runs the image's own ML again. Like setting one, it never rolls forward: while the target is rolled
// back the shadow is replaced at once and the gate's evidence restarts (the cleared candidate's answers
// are not the ML's). A promoted candidate is what the ML side runs: it is replaced by setting another,
// not cleared, and the refusal says so.

type ClearRequest = Extract<OperationRequest, { kind: 'clear_candidate' }>;

/** Why there is nothing to clear, or null when there is a candidate not promoted yet. */
function nothingToClear(target: string, record: CandidateRecord | undefined): string | null {
  if (record === undefined) return `target ${target} has no candidate to clear`;
  if (record.promotedAtMs === undefined) return null;
  const at = new Date(record.promotedAtMs).toISOString();
  return `the candidate of ${target} was promoted at ${at}: the ML side runs it; set another candidate to replace it`;
}

/** Checks there is a candidate to clear and queues the clearing on the target's queue; the answer is immediate. */
export function submitClearCandidate(ctx: RuntimeContext, policy: Policy, request: ClearRequest): SubmitOutcome {
  const target = policy.target.name;
  const nothing = nothingToClear(target, ctx.state.candidates?.[target]);
  if (nothing !== null) return { outcome: 'conflict', reason: nothing, inFlight: null, phase: ctx.targetState(policy).phase };
  const op = ctx.operations.create('candidate', target);
  ctx.ports.logger.info({ target, operation: op.id, actor: request.actor, reason: request.reason }, 'candidate clearing queued');
  void queueOperation(ctx, target, op, () => clearCandidate(ctx, target, op, request), 'clearing the candidate failed');
  return { outcome: 'accepted', operation: op };
}

function describe(record: CandidateRecord): string {
  const parts = [...(record.image === undefined ? [] : [`image ${record.image}`]), ...Object.entries(record.env).map(([k, v]) => `${k}=${v}`)];
  return `${parts.join(', ')} (set by ${record.setBy} at ${new Date(record.setAtMs).toISOString()})`;
}

/** On the target's queue: forget the candidate, and while the shadow runs, restart the gate and replace it now. */
async function clearCandidate(ctx: RuntimeContext, target: string, op: OperationView, request: ClearRequest): Promise<void> {
  const policy = ctx.policyOf(target);
  const record = ctx.state.candidates?.[target];
  const nothing = policy === undefined ? 'the policy is gone' : nothingToClear(target, record);
  if (policy === undefined || record === undefined || nothing !== null) {
    ctx.operations.update(op.id, 'refused', nothing ?? 'nothing to clear');
    return;
  }
  ctx.operations.update(op.id, 'running');
  ctx.update((s) => {
    const { [target]: _cleared, ...candidates } = s.candidates ?? {};
    return { ...s, candidates };
  });
  const state = ctx.targetState(policy);
  const inShadow = shadowPhase(state.phase, state.pause?.resumeTo);
  const shadowed = inShadow ? servicesOf(policy.target).filter((s) => s.shadow !== undefined) : [];
  if (inShadow) ctx.setTarget(target, restartGate(state));
  for (const service of shadowed) ctx.standbys.shadows.delete(service.name);
  await ctx.persist();
  const atMs = ctx.ports.now();
  await recordCandidateChange(ctx, {
    policy,
    target,
    op,
    historyId: `cand-${target}-${atMs}`,
    actor: request.actor,
    reason: request.reason,
    atMs,
    shadowed,
    runs: undefined,
    notes: (shown) => `cleared the candidate ${describe(record)}; ${inShadow ? `the shadow runs the image's own ML: ${shown}` : `no shadow runs while ${target} is ${state.phase}`}`,
  });
}
