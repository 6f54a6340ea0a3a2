import { restartGate, servicesOf, shadowPhase, type CandidateSpec, type Policy } from '../core/index.js';
import type { CandidateView, OperationRequest, OperationView, SubmitOutcome } from '../ports/controller.js';
import { refuseCandidate } from './candidate-allow.js';
import { recordCandidateChange } from './candidate-record.js';
import type { RuntimeContext } from './context.js';
import { queueOperation } from './queue-operation.js';
import type { CandidateRecord } from './runtime-state.js';
import { candidateSpecOf } from './shadow-keeper.js';

// An operator's candidate for a target's shadow (issue #19: `guardrail rollforward TARGET --candidate ...`,
// POST …/rollforward with `candidate`). Setting one does NOT roll forward: it replaces the shadow container
// with one running the candidate, restarts the gate's evidence (the previous candidate's answers are never
// the new one's), and records who set what in the history. The gate then judges it like any candidate, and
// a roll-forward (automatic on the gate, or manual) promotes it: engine-step.ts hands it to the switch.
// Refused, each with its own message: an actuator that cannot run it (Swarm has no shadow; the process
// actuator runs no image), a candidate the policy's rollforward.candidates does not allow, and a target
// that is not rolled back (only then does a candidate run).

type CandidateRequest = Extract<OperationRequest, { kind: 'candidate' }>;

export function candidateView(record: CandidateRecord): CandidateView {
  return {
    image: record.image ?? null,
    env: record.env,
    setBy: record.setBy,
    setAt: new Date(record.setAtMs).toISOString(),
    reason: record.reason,
    promotedAt: record.promotedAtMs === undefined ? null : new Date(record.promotedAtMs).toISOString(),
  };
}

/** Why the target's actuator cannot run `candidate` (each service is asked), or null when it can. */
function unsupported(ctx: RuntimeContext, policy: Policy, candidate: CandidateSpec): string | null {
  const { actuator } = ctx.ports;
  for (const service of servicesOf(policy.target)) {
    const support = actuator.candidateSupport?.(service) ?? { image: false, env: false, detail: 'this actuator runs no shadow candidate' };
    if (!support.image && !support.env) return `${service.name}: ${support.detail}`;
    if (candidate.image !== undefined && !support.image) return `${service.name}: an image cannot be set (${support.detail}); environment entries can`;
    if (Object.keys(candidate.env).length > 0 && !support.env) return `${service.name}: environment cannot be set (${support.detail})`;
  }
  return null;
}

function policyFileOf(ctx: RuntimeContext, policy: Policy): string {
  return ctx.policyFiles[ctx.policies.indexOf(policy)] ?? `of ${policy.name}`;
}

/** Checks the request and queues the change on the target's queue; the answer is immediate. */
export function submitCandidate(ctx: RuntimeContext, policy: Policy, request: CandidateRequest): SubmitOutcome {
  const target = policy.target.name;
  const cannot = unsupported(ctx, policy, request.candidate);
  if (cannot !== null) return { outcome: 'candidate_refused', why: 'unsupported', reason: `target ${target} cannot run a candidate: ${cannot}` };
  const refusal = refuseCandidate(policy, policyFileOf(ctx, policy), request.candidate);
  if (refusal !== null) return { outcome: 'candidate_refused', why: refusal.kind, reason: refusal.detail, allowed: refusal.allowed };
  const state = ctx.targetState(policy);
  if (!shadowPhase(state.phase, state.pause?.resumeTo)) {
    const reason = `target ${target} is ${state.phase}: a candidate runs in shadow only while the target is rolled back (set it after a rollback)`;
    return { outcome: 'conflict', reason, inFlight: null, phase: state.phase };
  }
  const nowMs = ctx.ports.now();
  const record: CandidateRecord = {
    ...(request.candidate.image === undefined ? {} : { image: request.candidate.image }),
    env: request.candidate.env,
    setBy: request.actor,
    reason: request.reason,
    setAtMs: nowMs,
    historyId: `cand-${target}-${nowMs}`,
  };
  const op = ctx.operations.create('candidate', target);
  ctx.ports.logger.info({ target, operation: op.id, actor: request.actor, candidate: request.candidate }, 'candidate queued');
  void queueOperation(ctx, target, op, () => setCandidate(ctx, target, op, record), 'setting the candidate failed');
  return { outcome: 'accepted', operation: op, candidate: candidateView(record) };
}

/** On the target's queue: record the candidate, forget the gate's evidence, replace the shadow container now. */
async function setCandidate(ctx: RuntimeContext, target: string, op: OperationView, record: CandidateRecord): Promise<void> {
  const policy = ctx.policyOf(target);
  const state = policy === undefined ? undefined : ctx.targetState(policy);
  if (policy === undefined || state === undefined || !shadowPhase(state.phase, state.pause?.resumeTo)) {
    ctx.operations.update(op.id, 'refused', policy === undefined ? 'the policy is gone' : `the target is ${state?.phase ?? 'gone'} now: no candidate runs`);
    return;
  }
  ctx.operations.update(op.id, 'running');
  const shadowed = servicesOf(policy.target).filter((s) => s.shadow !== undefined);
  ctx.update((s) => ({ ...s, candidates: { ...s.candidates, [target]: record } }));
  ctx.setTarget(target, restartGate(state));
  // The gate sees the candidate as not looked at (UNKNOWN candidate_not_ready) until the new one is verified.
  for (const service of shadowed) ctx.standbys.shadows.delete(service.name);
  await ctx.persist();
  await recordCandidateChange(ctx, {
    policy,
    target,
    op,
    historyId: record.historyId,
    actor: record.setBy,
    reason: record.reason,
    atMs: record.setAtMs,
    recorded: { image: record.image ?? null, env: record.env },
    shadowed,
    runs: candidateSpecOf(record),
    // A shadow that cannot run it (an image missing on the host) fails the operation: set, but not running
    // (GuardrailShadowCandidateFailed and status say so too; the gate breaches, nothing is promoted).
    notes: (shown, failed) => (failed ? `set, but its shadow does not run: ${shown}; set another candidate or fix it (it is retried)` : `${shown}; gated before it serves`),
  });
}
