// Where a Swarm rollout stands, from one look at the service and its tasks (pure). A rollout is an update
// to a new spec or a rollback to the previous one; it is over when Swarm says so (UpdateStatus) AND every
// task Swarm wants running runs the expected value in state `running` (Swarm reports a task with a
// healthcheck as running only once the check has passed; until then it is `starting`).
//
// UpdateStatus keeps the last rollout's outcome until the next one starts, so a status counts only when
// its StartedAt differs from the one seen before the actuator's own request (`since`).
import type { VariantValue } from '../../core/index.js';
import { replicasOf, type SwarmService, type UpdateState } from './service-spec.js';
import type { SwarmTask } from './tasks.js';

export type RolloutView =
  | { readonly kind: 'converged' }
  | { readonly kind: 'in-progress'; readonly problem: string }
  /** Waiting for an update, Swarm rolled it back (its failure_action, or someone's `docker service rollback`). */
  | { readonly kind: 'rolled-back'; readonly state: UpdateState; readonly message: string }
  /** Swarm paused the rollout (a failure under failure_action pause): it will not finish by itself. */
  | { readonly kind: 'paused'; readonly state: UpdateState; readonly message: string };

export interface RolloutLook {
  readonly service: SwarmService;
  readonly tasks: readonly SwarmTask[];
  readonly variable: string;
  readonly value: VariantValue;
  /** `update`: to the spec the actuator submitted; `rollback`: back to the previous one. */
  readonly rollout: 'update' | 'rollback';
  /** UpdateStatus.StartedAt before the actuator's request (undefined: there was none). */
  readonly since: string | undefined;
}

function describe(value: VariantValue, variable: string): string {
  return value === null ? `without ${variable}` : `${variable}=${value}`;
}

/** Every wanted task runs the value, running, and there are as many as the spec asks for. */
function tasksProblem(look: RolloutLook): string | undefined {
  const wanted = replicasOf(look.service.Spec);
  const onValue = look.tasks.filter((t) => t.value === look.value);
  const others = look.tasks.filter((t) => t.value !== look.value);
  const notRunning = onValue.filter((t) => t.state !== 'running');
  const problems: string[] = [];
  if (others.length > 0)
    problems.push(
      `${others.length} task(s) still ${describe(others[0]?.value ?? null, look.variable)} (${others.map((t) => t.name).join(', ')})`,
    );
  if (notRunning.length > 0)
    problems.push(
      notRunning.map((t) => `${t.name} ${t.state}${t.message === '' ? '' : ` (${t.message})`}`).join(', '),
    );
  if (wanted !== undefined && onValue.length !== wanted)
    problems.push(`${onValue.length} of ${wanted} task(s) ${describe(look.value, look.variable)}`);
  if (wanted === undefined && onValue.length === 0)
    problems.push(`no task ${describe(look.value, look.variable)} yet`);
  return problems.length === 0 ? undefined : problems.join('; ');
}

export function rolloutView(look: RolloutLook): RolloutView {
  const status = look.service.UpdateStatus;
  const fresh = status?.State !== undefined && status.StartedAt !== look.since;
  const state = fresh ? status?.State : undefined;
  const message = status?.Message ?? '';
  // A service scaled to 0 has no task to replace: Swarm may never report an update for it.
  const nothingToRoll = replicasOf(look.service.Spec) === 0;
  if (look.rollout === 'update') {
    if (state === 'rollback_started' || state === 'rollback_completed' || state === 'rollback_paused')
      return { kind: 'rolled-back', state, message };
    if (state === 'paused') return { kind: 'paused', state, message };
    if (state !== 'completed' && !nothingToRoll)
      return {
        kind: 'in-progress',
        problem:
          state === undefined
            ? 'Swarm has not started the update yet'
            : `update ${state}${message === '' ? '' : `: ${message}`}`,
      };
  } else {
    if (state === 'rollback_paused') return { kind: 'paused', state, message };
    if (state !== 'rollback_completed')
      return {
        kind: 'in-progress',
        problem:
          state === undefined
            ? 'Swarm has not started the rollback yet'
            : `rollback: ${state}${message === '' ? '' : ` (${message})`}`,
      };
  }
  const problem = tasksProblem(look);
  return problem === undefined ? { kind: 'converged' } : { kind: 'in-progress', problem };
}
