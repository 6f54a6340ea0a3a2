import type { Logger } from 'pino';
import { initialState, type Policy, type TargetState, type Verdict } from '../core/index.js';
import type { ControllerMetrics } from '../metrics.js';
import type { Actuator } from '../ports/actuator.js';
import type { MetricsSource } from '../ports/metrics-source.js';
import type { HistoryLog, StateStore } from '../ports/state-store.js';
import { DecisionClock } from './decision-clock.js';
import type { HistoryRecord } from './history.js';
import type { Notifier } from './notifier.js';
import type { CanAct } from './observe.js';
import type { Operations } from './operations.js';
import { emptyRuntimeState, type InFlightSwitch, type RuntimeState } from './runtime-state.js';
import { sameData } from './same-data.js';
import { SaveGuard } from './save-guard.js';
import { StandbyBook } from './standby-book.js';
import { StateSaver } from './state-saver.js';
import { TargetQueues } from './target-queue.js';
import { TimelineBook } from './timeline.js';
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
  policyFiles: readonly string[] = [];
  policiesLoadedAtMs: number | null = null;
  lastReloadError: { readonly atMs: number; readonly errors: readonly string[] } | null = null;
  state: RuntimeState = emptyRuntimeState();
  readonly lastEvaluation = new Map<string, LastEvaluation>();
  /** The last hour of tick results per target, for the dashboard (bounded: timeline.ts). */
  readonly timelines = new TimelineBook();
  /** Warm standby maintenance results, by actuator service (standby-keeper.ts). */
  readonly standbys = new StandbyBook();
  /** `target fingerprint@startsAt` of webhook alerts queued and not decided yet: their re-sends are duplicates. */
  readonly webhooksQueued = new Set<string>();
  /** Whether Guardrail can act on each target, as the last observation found (can-act.ts), by target. */
  readonly canAct = new Map<string, CanAct & { readonly sinceMs: number }>();
  /** The value the guardrail_rollback_active gauge was last set to, by target (forgotten with the target). */
  readonly rollbackActiveShown = new Map<string, number>();
  /** Switches started and ended, by target: a look at what runs taken across a switch is stale (tick.ts). */
  private readonly switchCounts = new Map<string, number>();
  /** Set when the state file cannot be trusted: no automatic action until an operator acts. */
  safeMode: string | null = null;
  restored = false;

  private policyList: readonly Policy[] = [];
  /** By target name: every decision looks its policy up, a scan would make a tick O(N²). */
  private policyByTarget = new Map<string, Policy>();
  private readonly saver: StateSaver;
  /** Saves that fail are recorded and alerted here, never thrown into a decision (save-guard.ts). */
  readonly saveGuard: SaveGuard;

  constructor(ports: RuntimePorts, operations: Operations) {
    this.saveGuard = new SaveGuard(ports.notifier, ports.logger, ports.now);
    this.ports = { ...ports, history: this.saveGuard.guardHistory(ports.history) };
    this.operations = operations;
    this.clock = new DecisionClock(ports.now);
    this.saver = new StateSaver(ports.store);
  }

  get policies(): readonly Policy[] {
    return this.policyList;
  }

  set policies(policies: readonly Policy[]) {
    this.policyList = policies;
    // The first policy naming a target wins, as a scan in order would.
    this.policyByTarget = new Map([...policies].reverse().map((p) => [p.target.name, p]));
    this.timelines.retain(new Set(this.policyByTarget.keys()));
  }

  policyOf(target: string): Policy | undefined {
    return this.policyByTarget.get(target);
  }

  targetState(policy: Policy): TargetState {
    return this.state.targets[policy.target.name] ?? initialState(policy, this.ports.now());
  }

  switchesOf(target: string): number {
    return this.switchCounts.get(target) ?? 0;
  }

  countSwitch(target: string): void {
    this.switchCounts.set(target, this.switchesOf(target) + 1);
  }

  /** Replaces the state (intents, variants, webhooks, a whole restore): the rarer changes. */
  update(change: (state: RuntimeState) => RuntimeState): void {
    this.state = change(this.state);
  }

  /**
   * Sets one target's engine state, and its switch intent when a decision started one. The targets record
   * is changed in place, in O(1): copying it per decision made a tick O(N²). Only this context writes it,
   * and the saver writes a copy.
   */
  setTarget(target: string, state: TargetState, intent?: InFlightSwitch): void {
    const targets = this.state.targets as Record<string, TargetState>;
    const previous = targets[target];
    // Most ticks decide an equal state in a new object: keeping the stored one leaves nothing to compare
    // or save, and lets the new one die young instead of promoting a copy of every target's state into the
    // old generation each tick (bench:scale's peak RSS grew with the number of ticks).
    if (previous === undefined || !sameData(previous, state)) {
      targets[target] = state;
      this.saver.touch(target);
    }
    if (intent !== undefined) this.update((s) => ({ ...s, inFlight: { ...s.inFlight, [target]: intent } }));
  }

  /**
   * Saves everything in one atomic write (shared with the other decisions of the same event-loop turn,
   * state-saver.ts); resolves when it is on disk. A state equal to the last one saved writes nothing: most
   * ticks change nothing. In safe mode automation does not run; a manual operation is an operator's
   * decision and its save replaces the untrusted file (a copy was kept).
   */
  async persist(): Promise<void> {
    // A failed write is recorded and alerted, never thrown into the decision (save-guard.ts); the saver
    // keeps the change pending, so the next save writes it again.
    try {
      await this.saver.save(() => this.state);
    } catch (error) {
      this.saveGuard.failed('state', error);
      return;
    }
    this.saveGuard.succeeded('state');
  }

  /**
   * persist() for one target's decision; at once when that decision left everything as last written (most
   * ticks): it then waits for nobody's write, and the tick's 1000 decisions do not all stay alive (and get
   * promoted to the old generation) until one shared write is done.
   */
  persistTarget(target: string): Promise<void> {
    return this.saver.written(target, this.state) ? Promise.resolve() : this.persist();
  }
}
