import cron, { type ScheduledTask } from 'node-cron';
import type { Policy } from '../core/index.js';

// One node-cron task per policy, at the policy's evaluation interval. A tick that starts while the
// previous one of the same policy is still running is skipped and counted (a slow Prometheus or a long
// actuation must not pile ticks up); `everyTick` still runs on every firing (alert re-posts).

export interface SchedulerHooks {
  readonly tick: (policy: Policy) => Promise<void>;
  readonly skipped: (policy: Policy) => void;
  readonly everyTick: () => void;
}

/** A six-field (seconds) cron expression for an interval. Intervals that do not divide a minute drift at the minute. */
export function cronExpressionFor(intervalMs: number): string {
  const seconds = Math.max(1, Math.round(intervalMs / 1000));
  if (seconds < 60) return `*/${seconds} * * * * *`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `0 */${minutes} * * * *`;
  return `0 0 */${Math.max(1, Math.round(minutes / 60))} * * *`;
}

export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly hooks: SchedulerHooks;

  constructor(hooks: SchedulerHooks) {
    this.hooks = hooks;
  }

  /** Replaces every task (after a policy reload). A tick in progress finishes on its own. */
  async schedule(policies: readonly Policy[]): Promise<void> {
    await this.stopTasks();
    this.tasks = policies.map((policy) =>
      cron.schedule(cronExpressionFor(policy.evaluation.intervalMs), () => this.fire(policy), { name: `guardrail-${policy.name}` }),
    );
  }

  /** Runs a tick now unless one is running; resolves when it is done. */
  fire(policy: Policy): Promise<void> {
    this.hooks.everyTick();
    if (this.running.has(policy.name)) {
      this.hooks.skipped(policy);
      return Promise.resolve();
    }
    const run = this.hooks.tick(policy).finally(() => this.running.delete(policy.name));
    this.running.set(policy.name, run);
    return run;
  }

  /** Stops the tasks and waits for ticks in progress (clean shutdown). */
  async stop(): Promise<void> {
    await this.stopTasks();
    await Promise.all(this.running.values());
  }

  private async stopTasks(): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    for (const task of tasks) {
      await task.stop();
      await task.destroy();
    }
  }
}
