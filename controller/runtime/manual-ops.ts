import { TRANSITIONS, decide, describeGate, type Decision, type EngineEvent, type Policy, type TargetState } from '../core/index.js';
import type { OperationRequest, OperationView, SubmitOutcome } from '../ports/controller.js';
import { submitCandidate } from './candidate-ops.js';
import { submitClearCandidate } from './candidate-clear.js';
import type { RuntimeContext } from './context.js';
import { applyEvent } from './engine-step.js';
import { queueOperation } from './queue-operation.js';
import { candidateOf, shadowView } from './shadow-view.js';

// Manual operations from the API. They go through the same target queue and the same `decide` as ticks,
// so they are ordered with automatic decisions. The answer is immediate: a conflicting operation in
// flight, or an engine refusal on the current state, is reported at once; otherwise the operation is
// queued and its status can be polled.

export function eventOf(policy: Policy, request: Exclude<OperationRequest, { kind: 'candidate' | 'clear_candidate' }>): EngineEvent {
  switch (request.kind) {
    case 'rollback': {
      // A reason that names one of the policy's reasons (e.g. emergency-maintenance) is recorded as that reason.
      const named = policy.reasons.some((r) => r.name === request.reason);
      return named
        ? { type: 'manual_rollback', actor: request.actor, reason: request.reason, policyReason: request.reason }
        : { type: 'manual_rollback', actor: request.actor, reason: request.reason };
    }
    case 'rollforward':
      return request.force === true
        ? { type: 'manual_rollforward', actor: request.actor, reason: request.reason, force: true }
        : { type: 'manual_rollforward', actor: request.actor, reason: request.reason };
    case 'pause':
      return { type: 'pause', actor: request.actor, reason: request.reason, untilMs: request.untilMs };
    case 'resume':
      return { type: 'resume', actor: request.actor, reason: request.reason };
  }
}

export async function submitOperation(ctx: RuntimeContext, target: string, request: OperationRequest): Promise<SubmitOutcome> {
  const policy = ctx.policyOf(target);
  if (policy === undefined) return { outcome: 'unknown_target', target };
  const inFlight = ctx.operations.inFlight(target);
  if (inFlight !== null) {
    return { outcome: 'conflict', reason: `operation ${inFlight.id} (${inFlight.kind}, ${inFlight.status}) is in flight for ${target}`, inFlight };
  }
  if (ctx.safeMode !== null && request.kind === 'resume') return clearSafeMode(ctx, target, request.actor);
  // Setting a candidate is no engine event: it changes what the shadow runs, not the phase (candidate-ops.ts).
  if (request.kind === 'candidate') return submitCandidate(ctx, policy, request);
  if (request.kind === 'clear_candidate') return submitClearCandidate(ctx, policy, request);
  const event = eventOf(policy, request);
  const state = ctx.targetState(policy);
  const dryRun = decide(policy, state, event, ctx.ports.now());
  if (dryRun.refused !== undefined) return refusal(ctx, policy, state, dryRun);
  const warning = request.kind === 'rollforward' ? shadowWarning(policy, state) : undefined;

  const op = ctx.operations.create(request.kind, target);
  ctx.ports.logger.info({ target, operation: op.id, kind: request.kind, actor: request.actor, reason: request.reason }, 'manual operation queued');
  if (warning !== undefined) ctx.ports.logger.warn({ target, operation: op.id, actor: request.actor, warning }, 'manual roll-forward without a passed shadow gate');
  void queueOperation(ctx, target, op, () => runOperation(ctx, target, op, event), 'manual operation failed');
  return warning === undefined ? { outcome: 'accepted', operation: op } : { outcome: 'accepted', operation: op, warning };
}

/** The engine's refusal; a roll-forward refused on the shadow's evidence names the bounds and carries the evidence. */
function refusal(ctx: RuntimeContext, policy: Policy, state: TargetState, dryRun: Decision): SubmitOutcome {
  const refused = dryRun.refused as NonNullable<Decision['refused']>;
  const row = dryRun.transition === undefined ? undefined : TRANSITIONS[dryRun.transition.row];
  if (row?.guard !== 'shadow_breach_unforced' || state.shadowGate === undefined) return { outcome: 'conflict', reason: refused.reason, inFlight: null };
  const shadow = shadowView(policy, state, candidateOf(ctx.standbys, policy), ctx.ports.now(), ctx.state.candidates?.[policy.target.name]);
  const reason = `${refused.reason} (guardrail rollforward --force): ${describeGate(state.shadowGate)}`;
  return shadow === null ? { outcome: 'conflict', reason, inFlight: null } : { outcome: 'conflict', reason, inFlight: null, shadow };
}

/** A roll-forward the gate cannot vouch for (UNKNOWN evidence, or forced over a BREACH) goes ahead, said in the answer. */
function shadowWarning(policy: Policy, state: TargetState): string | undefined {
  const gate = state.shadowGate;
  if (policy.rollforward.gate === undefined) return undefined;
  if (gate === undefined) return 'no shadow evidence: the candidate has not been judged (the gate runs only while rolled back)';
  if (gate.verdict === 'unknown') return `the shadow evidence is UNKNOWN, the candidate is not proven: ${describeGate(gate)}`;
  if (gate.verdict === 'breach') return `forced over a shadow gate BREACH: ${describeGate(gate)}`;
  return undefined;
}

async function runOperation(ctx: RuntimeContext, target: string, op: OperationView, event: EngineEvent): Promise<void> {
  const policy = ctx.policyOf(target);
  if (policy === undefined) {
    ctx.operations.update(op.id, 'refused', 'the policy is gone');
    return;
  }
  ctx.operations.update(op.id, 'running');
  const decision = await applyEvent(ctx, policy, event, { operationId: op.id });
  if (decision.refused !== undefined) {
    ctx.operations.update(op.id, 'refused', decision.refused.reason);
    return;
  }
  // A switch sets the operation's final status itself; pause/resume end here.
  if (ctx.operations.get(op.id)?.status === 'running') ctx.operations.update(op.id, 'done', `now ${decision.state.phase}`);
}

/** In safe mode, `resume` is the operator's word that automation may start again from a fresh state. */
async function clearSafeMode(ctx: RuntimeContext, target: string, actor: string): Promise<SubmitOutcome> {
  const op = ctx.operations.create('resume', target);
  ctx.ports.logger.warn({ actor, was: ctx.safeMode }, 'safe mode cleared by an operator');
  ctx.safeMode = null;
  await ctx.persist();
  ctx.ports.notifier.notify({
    dedupKey: 'guardrail-state-corrupt',
    name: 'GuardrailStateCorrupt',
    severity: 'critical',
    target: 'guardrail',
    summary: 'Guardrail safe mode cleared',
    description: `Cleared by ${actor}; a fresh state was saved.`,
    labels: { component: 'guardrail' },
    startsAtMs: ctx.ports.now(),
    resolvedAtMs: ctx.ports.now(),
  });
  return { outcome: 'accepted', operation: ctx.operations.update(op.id, 'done', 'safe mode cleared; automation resumes') ?? op };
}
