import type { Logger } from 'pino';
import { initialState, type Policy, type TargetState, type Verdict } from '../core/index.js';
import type { ControllerMetrics } from '../metrics.js';
import type { Actuator } from '../ports/actuator.js';
import type { MetricsSource } from '../ports/metrics-source.js';
import type { HistoryLog, StateStore } from '../ports/state-store.js';
import { DecisionClock } from './decision-clock.js';
import type { HistoryRecord } from './history.js';
import type { Notifier } from './notifier.js';
import type { Operations } from './operations.js';
import { emptyRuntimeState, type RuntimeState } from './runtime-state.js';
import { SaveTracker } from './save-tracker.js';
import { StandbyBook } from './standby-book.js';
import { TargetQueues } from './target-queue.js';
import type { WebhookMemoryLimits } from './webhook-memory.js';

// The runtime's shared, mutable memory, passed to the small functions that do the work (tick, engine
// step, restore, webhook). Only code running on a target's queue changes that target's state.

export interface RuntimePorts {
  readonly metricsSource: MetricsSource;
  readonly actuator: Actuator;
  readonly store: StateStore<RuntimeState>;
  readonly history: HistoryLog<HistoryRecord>;
  readonly logger: Logger;
  readonly metrics: ControllerMetrics;
  readonly notifier: Notifier;
  readonly now: () => number;
  /** A tick's queries are cancelled after this long (they come back UNKNOWN timeout). */
  readonly tickTimeoutMs: number;
  /** How long webhook alerts are remembered after their last re-send, and the caps (webhook-memory.ts). */
  readonly webhookMemory: WebhookMemoryLimits;
}

export interface LastEvaluation {
  readonly atMs: number;
  readonly verdicts: readonly Verdict[];
}

export class RuntimeContext {
  readonly ports: RuntimePorts;
  readonly queues = new TargetQueues();
  readonly operations: Operations;
  /** Dates each decision: a tick at its scheduled time, never before the target's previous decision. */
  readonly clock: DecisionClock;
  policies: readonly Policy[] = [];
  policyFiles: readonly string[] = [];
  policiesLoadedAtMs: number | null = null;
  lastReloadError: { readonly atMs: number; readonly errors: readonly string[] } | null = null;
  state: RuntimeState = emptyRuntimeState();
  readonly lastEvaluation = new Map<string, LastEvaluation>();
  /** Warm standby maintenance results, by actuator service (standby-keeper.ts). */
  readonly standbys = new StandbyBook();
  /** `target fingerprint@startsAt` of webhook alerts queued and not decided yet: their re-sends are duplicates. */
  readonly webhooksQueued = new Set<string>();
  /** Set when the state file cannot be trusted: no automatic action until an operator acts. */
  safeMode: string | null = null;
  restored = false;

  constructor(ports: RuntimePorts, operations: Operations) {
    this.ports = ports;
    this.operations = operations;
    this.clock = new DecisionClock(ports.now);
  }

  policyOf(target: string): Policy | undefined {
    return this.policies.find((p) => p.target.name === target);
  }

  targetState(policy: Policy): TargetState {
    return this.state.targets[policy.target.name] ?? initialState(policy, this.ports.now());
  }

  update(change: (state: RuntimeState) => RuntimeState): void {
    this.state = change(this.state);
  }

  /**
   * Saves everything in one atomic write. In safe mode nothing is saved by automation; a manual
   * operation is an operator's decision and its save replaces the untrusted file (a copy was kept).
   */
  async persist(): Promise<void> {
    // Most ticks change nothing (watching, all OK). Skipping identical saves spares two fsyncs per target
    // per tick, which bench:scale measured as a large share of a 500-target tick.
    if (!this.saved.changed(this.state)) return;
    const state = this.state;
    await this.ports.store.save(state);
    this.saved.remember(state);
  }

  /** What persist() last wrote; a failed save leaves it as it was so the next call retries. */
  private readonly saved = new SaveTracker();
}
