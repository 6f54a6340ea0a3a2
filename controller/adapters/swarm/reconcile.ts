// Finishing or undoing a Swarm switch a crash interrupted (controller killed, manager restarted). Level-
// triggered: the journal gives the rollback id, Swarm gives the rest — the spec carries the id in its
// labels, PreviousSpec is what a rollback restores, UpdateStatus says where the rollout is. Swarm goes on
// rolling out while the controller is down, so what reconcile finds is usually further along:
//   spec is the switch's, update in progress/completed  → wait for it, verify every task: finished
//                        update paused or not verified  → roll back to the previous spec, verify: undone
//   previous spec is the switch's, rollback under way   → (Swarm's failure_action, or the switch's own
//                                                          rollback) wait for it, verify: undone
//   previous spec is the switch's, no rollback          → someone changed the service since: nothing to do
//   neither                                             → the update never reached Swarm: nothing to do
// Either way one spec runs on every task afterwards; the runtime then runs the switch again (a no-op
// when finished).
import { type ServiceSpec } from '../../core/index.js';
import {
  ActuationError,
  restoreVerifySpec,
  type JournalEntry,
  type ReconcileOutcome,
} from '../../ports/actuator.js';
import { awaitRollout } from './rollout.js';
import { findService } from './service-ops.js';
import { isSwitchSpec, specValue } from './service-spec.js';
import { StepJournal } from './step-journal.js';
import type { SwarmContext } from './context.js';
import { rollBack } from './rollback.js';

const ROLLBACK_STATES: ReadonlySet<string> = new Set([
  'rollback_started',
  'rollback_completed',
  'rollback_paused',
]);

export async function reconcileService(
  ctx: SwarmContext,
  target: ServiceSpec,
  entry: JournalEntry,
): Promise<ReconcileOutcome> {
  const service = await findService(ctx.docker, target);
  const state = service.UpdateStatus?.State;
  const journal = new StepJournal(ctx.clock, target.name, { rollbackId: entry.rollbackId });
  const verify = restoreVerifySpec(target.verify);
  const wait = {
    serviceId: service.ID,
    variable: target.variable,
    since: undefined,
    deadlineMs: ctx.clock.now() + verify.timeoutMs,
    verify,
  };

  if (isSwitchSpec(service.Spec, entry.rollbackId)) {
    // The update reached Swarm; its status is this update's (a later change would have replaced the spec).
    const outcome = await awaitRollout(ctx.docker, ctx.clock, {
      ...wait,
      value: specValue(service.Spec, target.variable),
      rollout: 'update',
    });
    if (outcome.kind === 'verified') return 'finished';
    const previous = specValue(service.PreviousSpec, target.variable);
    const restored = await rollBack(ctx, target, journal, {
      serviceId: service.ID,
      since: undefined,
      value: previous,
      failure: outcome,
    });
    if (!restored.ok) throw notRestored(target, entry, restored.problem);
    return 'undone';
  }
  if (
    isSwitchSpec(service.PreviousSpec, entry.rollbackId) &&
    state !== undefined &&
    ROLLBACK_STATES.has(state)
  ) {
    // Swarm swapped the specs when the rollback began: the spec is the one being restored.
    const outcome = await awaitRollout(ctx.docker, ctx.clock, {
      ...wait,
      value: specValue(service.Spec, target.variable),
      rollout: 'rollback',
    });
    if (outcome.kind !== 'verified')
      throw notRestored(
        target,
        entry,
        outcome.kind === 'timeout' ? outcome.problem : `${outcome.state}: ${outcome.message}`,
      );
    return 'undone';
  }
  return 'nothing-to-do';
}

function notRestored(target: ServiceSpec, entry: JournalEntry, problem: string): ActuationError {
  return new ActuationError({
    target: target.name,
    step: 'restored-old',
    restored: false,
    message: `could not bring ${target.name} back to its previous spec while undoing rollback ${entry.rollbackId}: ${problem}`,
  });
}
