// Back to the previous spec after a failed switch (switch.ts) or an interrupted one (reconcile.ts): Swarm
// may already be on its way (its failure_action rollback); otherwise the actuator asks for it, like
// `docker service rollback`. Either way it waits for rollback_completed and verifies every task on the
// previous value like an update, with at least RESTORE_MIN_TIMEOUT_MS.
import type { ServiceSpec, VariantValue } from '../../core/index.js';
import { RESTORE_MIN_TIMEOUT_MS, restoreVerifySpec } from '../../ports/actuator.js';
import type { SwarmContext } from './context.js';
import type { VerifiedTask } from './probe-tasks.js';
import { awaitRollout, type RolloutOutcome } from './rollout.js';
import { requestRollback } from './service-ops.js';
import type { StepJournal } from './step-journal.js';

export type Failure =
  Exclude<RolloutOutcome, { kind: 'verified' }> | { readonly kind: 'error'; readonly message: string };

export function describeFailure(failure: Failure, timeoutMs: number): string {
  switch (failure.kind) {
    case 'rolled-back':
      return `Swarm rolled the update back (${failure.state}: ${failure.message})`;
    case 'paused':
      return `Swarm paused the update (${failure.message})`;
    case 'timeout':
      return `not verified within ${timeoutMs} ms: ${failure.problem}`;
    case 'error':
      return failure.message;
  }
}

export function taskList(tasks: readonly VerifiedTask[]): string {
  return tasks.map((t) => `${t.task.name}@${new URL(t.baseUrl).host}`).join(',');
}

interface RollbackInput {
  readonly serviceId: string;
  readonly since: string | undefined;
  /** The value the previous spec runs. */
  readonly value: VariantValue;
  readonly failure: Failure;
}

/** Back to the previous spec (Swarm may already be on its way) and verified like an update. */
export async function rollBack(
  ctx: SwarmContext,
  target: ServiceSpec,
  journal: StepJournal,
  input: RollbackInput,
): Promise<{ ok: true } | { ok: false; problem: string }> {
  try {
    if (input.failure.kind === 'rolled-back') {
      await journal.recordDuringRollback('rollback-started', {
        by: 'swarm',
        state: input.failure.state,
        message: input.failure.message,
      });
    } else {
      await requestRollback(ctx.docker, input.serviceId);
      await journal.recordDuringRollback('rollback-started', {
        by: 'guardrail',
        why: describeFailure(input.failure, target.verify.timeoutMs),
      });
    }
    const verify = restoreVerifySpec(target.verify);
    const deadlineMs = ctx.clock.now() + Math.max(verify.timeoutMs, RESTORE_MIN_TIMEOUT_MS);
    const outcome = await awaitRollout(ctx.docker, ctx.clock, {
      serviceId: input.serviceId,
      variable: target.variable,
      value: input.value,
      rollout: 'rollback',
      since: input.since,
      deadlineMs,
      verify,
    });
    if (outcome.kind !== 'verified')
      return { ok: false, problem: describeFailure(outcome, verify.timeoutMs) };
    await journal.recordDuringRollback('restored-old', {
      state: outcome.state,
      value: String(input.value),
      tasks: taskList(outcome.tasks),
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
