import cron, { type ScheduledTask } from 'node-cron';
import { scheduleFor, type Policy } from '../core/index.js';

// One node-cron task per distinct evaluation interval; each firing ticks all the policies of that
// interval TOGETHER (their queries reach one queryAll(), where the Prometheus adapter groups them) at the
// firing's scheduled time. A policy whose previous tick is still running (a slow Prometheus, a long
// actuation) is left out of the firing and counted: ticks must not pile up. `everyTick` still runs on
// every firing (alert re-posts).

export interface SchedulerHooks {
  /**
   * Ticks `policies` as one batch. Returns one promise per policy, in order, settled when THAT policy's
   * tick is done (so one target's long actuation does not hold back the others' next tick). Must not reject.
   */
  readonly tick: (policies: readonly Policy[], scheduledAtMs: number | undefined) => readonly Promise<void>[];
  readonly skipped: (policy: Policy) => void;
  readonly everyTick: () => void;
}

/**
 * The cron expression of a policy's interval. The loader refuses an interval that cannot run exactly
 * (core/schedule.ts); one that reaches here anyway is a bug, not something to round.
 */
export function cronExpressionFor(intervalMs: number): string {
  const schedule = scheduleFor(intervalMs);
  if ('problem' in schedule) throw new Error(`evaluation interval ${intervalMs} ms cannot be scheduled exactly: ${schedule.problem}`);
  return schedule.expression;
}

/** Policies by the cron expression of their interval (policies firing at the same instants share one task). */
export function batchesOf(policies: readonly Policy[]): Map<string, Policy[]> {
  const batches = new Map<string, Policy[]>();
  for (const policy of policies) {
    const expression = cronExpressionFor(policy.evaluation.intervalMs);
    const batch = batches.get(expression);
    if (batch === undefined) batches.set(expression, [policy]);
    else batch.push(policy);
  }
  return batches;
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
    this.tasks = [...batchesOf(policies)].map(([expression, batch]) =>
      // node-cron's context.date is the firing's scheduled time (whole seconds), not when it ran. UTC: the
      // grid never shifts with the host's zone or its daylight-saving changes.
      cron.schedule(expression, (context) => this.fire(batch, context.date.getTime()), { name: `guardrail-${expression}`, timezone: 'UTC' }),
    );
  }

  /** Ticks the policies whose previous tick is done, as one batch; resolves when all of them are done. */
  fire(policies: readonly Policy[], scheduledAtMs?: number): Promise<void> {
    this.hooks.everyTick();
    const ready = policies.filter((policy) => {
      if (!this.running.has(policy.name)) return true;
      this.hooks.skipped(policy);
      return false;
    });
    if (ready.length === 0) return Promise.resolve();
    const runs = this.hooks.tick(ready, scheduledAtMs);
    const tracked = ready.map((policy, i) => {
      const run = (runs[i] ?? Promise.resolve()).finally(() => this.running.delete(policy.name));
      this.running.set(policy.name, run);
      return run;
    });
    return Promise.all(tracked).then(() => undefined);
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
