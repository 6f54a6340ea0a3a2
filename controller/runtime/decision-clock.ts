import type { TargetState } from '../core/index.js';

// The time the engine is told for each decision about a target. A tick decides at its SCHEDULED time
// (like Prometheus's rule evaluation timestamp), not when its queries happened to return: `for` timers
// add up differences between decisions, and reading the clock after the queries made them land a few ms
// short of `for`, costing a whole extra interval. Everything else (manual operations, webhooks, actuation
// results) decides at now(). Time never goes backwards for a target: a decision is never dated before
// the latest one already made, so durations are never negative when a manual operation decided at
// now() falls between two scheduled ticks.

export class DecisionClock {
  private readonly latest = new Map<string, number>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** The time to decide `target`'s next event at; `scheduledAtMs` for a scheduled tick. */
  next(target: string, state: TargetState, scheduledAtMs?: number): number {
    const floor = this.latest.get(target) ?? latestTimeIn(state);
    const at = Math.max(scheduledAtMs ?? this.now(), floor);
    this.latest.set(target, at);
    return at;
  }
}

/** The latest past instant a (possibly restored) state records: nothing may be decided before it. */
export function latestTimeIn(state: TargetState): number {
  const times = [
    state.phaseSinceMs,
    state.blindSinceMs ?? 0,
    state.allOkSinceMs ?? 0,
    state.rollback?.startedAtMs ?? 0,
    state.rollback?.rollforward?.requestedAtMs ?? 0,
    state.pause?.sinceMs ?? 0,
    state.hold?.sinceMs ?? 0,
    ...Object.values(state.timers).map((t) => t.lastBreachAtMs),
    ...Object.values(state.firingAlerts),
    ...state.automaticRollbacksMs,
  ];
  return Math.max(0, ...times);
}
