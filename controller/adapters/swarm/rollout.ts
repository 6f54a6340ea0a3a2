// Waits for a Swarm rollout (an update or a rollback) to end and verifies it: Swarm says it is done, every
// task it wants running runs the expected value (rollout-view.ts), and every one of them answers the
// expected variant on its own address (probe-tasks.ts). Polls the Engine every POLL_MS until the deadline.
import type Docker from 'dockerode';
import { expectedVariant, type VariantValue, type VerifySpec } from '../../core/index.js';
import type { Clock } from '../../ports/clock.js';
import { probeTasks, type VerifiedTask } from './probe-tasks.js';
import { rolloutView } from './rollout-view.js';
import { inspectService } from './service-ops.js';
import type { UpdateState } from './service-spec.js';
import { desiredTasks } from './tasks.js';

/** Between two looks at the service: Swarm takes seconds per task, a look costs two small API calls. */
export const POLL_MS = 250;
/** One round of HTTP probes: long enough for a task that just started to answer, short enough to re-list. */
const PROBE_ROUND_MS = 3_000;
const MIN_PROBE_MS = 500;

export interface RolloutWait {
  readonly serviceId: string;
  readonly variable: string;
  readonly value: VariantValue;
  readonly rollout: 'update' | 'rollback';
  /** UpdateStatus.StartedAt before the actuator's request (rollout-view.ts). */
  readonly since: string | undefined;
  readonly deadlineMs: number;
  readonly verify: VerifySpec;
}

export type RolloutOutcome =
  | {
      readonly kind: 'verified';
      readonly tasks: readonly VerifiedTask[];
      readonly state: UpdateState | 'none';
    }
  | { readonly kind: 'rolled-back' | 'paused'; readonly state: UpdateState; readonly message: string }
  | { readonly kind: 'timeout'; readonly problem: string };

export async function awaitRollout(docker: Docker, clock: Clock, wait: RolloutWait): Promise<RolloutOutcome> {
  const expected = expectedVariant(wait.value, wait.verify);
  let problem = 'not looked at yet';
  for (;;) {
    const service = await inspectService(docker, wait.serviceId);
    const tasks = await desiredTasks(docker, service, wait.variable);
    const view = rolloutView({
      service,
      tasks,
      variable: wait.variable,
      value: wait.value,
      rollout: wait.rollout,
      since: wait.since,
    });
    if (view.kind === 'rolled-back' || view.kind === 'paused') return view;
    if (view.kind === 'converged') {
      const budgetMs = Math.max(MIN_PROBE_MS, Math.min(PROBE_ROUND_MS, wait.deadlineMs - clock.now()));
      const probed = await probeTasks(docker, tasks, { verify: wait.verify, expected, budgetMs, clock });
      if (probed.ok)
        return { kind: 'verified', tasks: probed.tasks, state: service.UpdateStatus?.State ?? 'none' };
      problem = `Swarm is done but not every task serves ${expected}: ${probed.problem}`;
    } else {
      problem = view.problem;
    }
    if (clock.now() + POLL_MS > wait.deadlineMs) return { kind: 'timeout', problem };
    await clock.sleep(POLL_MS);
  }
}
