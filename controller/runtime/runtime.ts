import type { Logger } from 'pino';
import { initialState, type CandidateSpec, type Policy, type ServiceSpec, type VariantValue } from '../core/index.js';
import { createControllerMetrics, forgetTarget, recordPhase, type ControllerMetrics } from '../metrics.js';
import { conditionEvidence } from './evidence.js';
import type { Actuator } from '../ports/actuator.js';
import type { AlertSink } from '../ports/alert-sink.js';
import type {
  ControllerPort,
  HistoryEntryView,
  HistoryQuery,
  IncomingAlert,
  OperationRequest,
  OperationView,
  PoliciesView,
  TimelineView,
  SubmitOutcome,
  TargetStatusView,
  WebhookOutcome,
} from '../ports/controller.js';
import type { MetricsSource } from '../ports/metrics-source.js';
import { formatPolicyError, type PolicySource } from '../ports/policy-source.js';
import type { HistoryLog, StateStore } from '../ports/state-store.js';
import { RuntimeContext } from './context.js';
import { queryHistory, type HistoryRecord } from './history.js';
import { submitOperation } from './manual-ops.js';
import { Notifier } from './notifier.js';
import { Operations } from './operations.js';
import { loadState, prepareTargets, reannounceActive, resumeInFlight } from './restore.js';
import type { RuntimeState } from './runtime-state.js';
import { Scheduler } from './scheduler.js';
import { policyReloadFailedAlert } from './reload-alert.js';
import { lookAt, reconcileBatch } from './tick.js';
import { policiesView, targetStatus, timelinesView } from './views.js';
import { handleWebhook } from './webhook.js';
import { WEBHOOK_MEMORY_LIMITS } from './webhook-memory.js';

// The controller runtime: the one loop observe → decide → act → record, and the ControllerPort the HTTP
// API drives. Composition (which adapters) happens in controller/main.ts; this class only orchestrates.

export interface RuntimeOptions {
  readonly policyPaths: readonly string[];
  readonly policySource: PolicySource;
  readonly metricsSource: MetricsSource;
  readonly actuator: Actuator;
  readonly sinks: readonly AlertSink[];
  readonly store: StateStore<RuntimeState>;
  readonly history: HistoryLog<HistoryRecord>;
  readonly logger: Logger;
  readonly metrics?: ControllerMetrics;
  readonly now?: () => number;
  /** Deadline for one tick's queries. Default: the policy interval would be natural, 10 s keeps it simple. */
  readonly tickTimeoutMs?: number;
  /** Webhook alerts are remembered this long after their last re-send (default 8 h; above Alertmanager's repeat_interval). */
  readonly webhookDedupWindowMs?: number;
  /** Run ticks on node-cron (default true). Tests drive `tickAll()` by hand with false. */
  readonly schedule?: boolean;
  /** Reload policies when their files change (default true). */
  readonly watch?: boolean;
  /** Told about every successfully loaded policy set (e.g. to tell a Docker actuator its targets). */
  readonly onPolicies?: (policies: readonly Policy[]) => void;
  /**
   * At startup, for each service not in flight: make it run the value the state says (process actuator),
   * with the operator's candidate the state records for the target's ML side (undefined: none).
   */
  readonly prepare?: (service: ServiceSpec, value: VariantValue, candidate: CandidateSpec | undefined) => Promise<void>;
}

export class Runtime implements ControllerPort {
  readonly metrics: ControllerMetrics;
  private readonly ctx: RuntimeContext;
  private readonly options: RuntimeOptions;
  private readonly scheduler: Scheduler;
  private stopWatching: (() => void) | undefined;
  private stopped = false;
  private reloading: Promise<void> = Promise.resolve();
  /** When the policy files stopped loading (the open GuardrailPolicyReloadFailed alert's start), or null. */
  private reloadFailingSinceMs: number | null = null;

  constructor(options: RuntimeOptions) {
    this.options = options;
    this.metrics = options.metrics ?? createControllerMetrics();
    const now = options.now ?? Date.now;
    const notifier = new Notifier(options.sinks, options.logger, this.metrics);
    this.ctx = new RuntimeContext(
      {
        metricsSource: options.metricsSource,
        actuator: options.actuator,
        store: options.store,
        history: options.history,
        logger: options.logger,
        metrics: this.metrics,
        notifier,
        now,
        tickTimeoutMs: options.tickTimeoutMs ?? 10_000,
        webhookMemory: { ...WEBHOOK_MEMORY_LIMITS, windowMs: options.webhookDedupWindowMs ?? WEBHOOK_MEMORY_LIMITS.windowMs },
      },
      new Operations(now),
    );
    this.metrics.evidence.setSource(() => conditionEvidence(this.ctx));
    this.scheduler = new Scheduler({
      tick: (policies, scheduledAtMs) => this.tickBatch(policies, scheduledAtMs),
      skipped: (policy) => {
        this.metrics.ticksSkipped.inc();
        options.logger.warn({ policy: policy.name }, 'tick skipped: the previous one is still running');
      },
      everyTick: () => notifier.tick(now()),
    });
  }

  /** Loads policies and state, finishes interrupted switches, then starts ticking. */
  async start(): Promise<void> {
    await this.reloadPolicies();
    await loadState(this.ctx);
    this.seedTargets();
    // Safe mode touches nothing: the state that would say what to prepare or resume cannot be trusted
    // (preparing with an empty state's normal value undid an active rollback).
    if (this.ctx.safeMode === null) {
      if (this.options.prepare !== undefined) await prepareTargets(this.ctx, this.options.prepare);
      await resumeInFlight(this.ctx);
    }
    reannounceActive(this.ctx);
    // Readiness means able to act: look at every target once now (read only), so a target Guardrail
    // cannot act on is a WARNING at startup, not a surprise mid-incident.
    await Promise.all(this.ctx.policies.map((policy) => lookAt(this.ctx, policy)));
    this.ctx.restored = true;
    if (this.options.watch ?? true) this.stopWatching = await this.options.policySource.watch(this.options.policyPaths, () => void this.reloadPolicies());
    if (this.options.schedule ?? true) await this.scheduler.schedule(this.ctx.policies);
    this.options.logger.info({ policies: this.ctx.policies.map((p) => p.name), safeMode: this.ctx.safeMode }, 'runtime started');
  }

  /** Stops ticking, lets the current tick/actuation finish, flushes alerts. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopWatching?.();
    await this.scheduler.stop();
    await this.ctx.queues.idle();
    await this.ctx.ports.notifier.flush();
  }

  /** All-or-nothing reload (fs.watch and SIGHUP); a failure keeps the last good set and is shown in policies(). */
  reloadPolicies(): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  /**
   * One tick of every policy now, as ONE batch through the same path as a cron firing (tests, benches,
   * `guardrail run --once` style use). Decisions are dated now(), or `scheduledAtMs` when given (as cron does).
   */
  async tickAll(scheduledAtMs?: number): Promise<void> {
    await this.scheduler.fire(this.ctx.policies, scheduledAtMs);
  }

  /** Resolves when every queued operation and alert delivery has finished (tests). */
  async idle(): Promise<void> {
    await this.ctx.queues.idle();
    await this.ctx.ports.notifier.flush();
  }

  readiness(): { ready: boolean; detail: string } {
    if (this.ctx.safeMode !== null) return { ready: false, detail: `SAFE MODE: ${this.ctx.safeMode}` };
    if (this.ctx.policies.length === 0 && this.ctx.lastReloadError !== null) {
      return { ready: false, detail: `no policies loaded: ${this.ctx.lastReloadError.errors.join('; ')}` };
    }
    if (!this.ctx.restored) return { ready: false, detail: 'starting: loading policies, restoring state, reconciling targets' };
    if (this.ctx.policies.length === 0) return { ready: false, detail: 'no policies loaded' };
    const cannot = this.ctx.policies.flatMap((p) => {
      const canAct = this.ctx.canAct.get(p.target.name);
      return canAct === undefined || canAct.ok ? [] : [`${p.target.name}: ${canAct.detail}`];
    });
    if (cannot.length > 0) return { ready: false, detail: `cannot act on ${cannot.join('; ')}` };
    const reload = this.ctx.lastReloadError === null ? '' : ' (the last reload failed; the previous set is active)';
    // Able to act, so ready; but say loudly that a restart would forget what it does now.
    const notSaved = this.ctx.saveGuard.describe();
    const saving = notSaved === null ? '' : `; NOT SAVING: ${notSaved}`;
    return { ready: true, detail: `${this.ctx.policies.length} policies loaded, state restored, every target can be acted on${reload}${saving}` };
  }

  status(): readonly TargetStatusView[] {
    // Until the journal is restored and interrupted switches are reconciled, a target's state is not known
    // yet: showing the initial `watching` would hide an active rollback (readiness() says why it is empty).
    if (!this.ctx.restored) return [];
    return this.ctx.policies.map((p) => targetStatus(this.ctx, p));
  }

  history(query: HistoryQuery): Promise<{ entries: readonly HistoryEntryView[]; total: number }> {
    return queryHistory(this.ctx.ports.history, query);
  }

  policies(): PoliciesView {
    return policiesView(this.ctx);
  }

  timelines(): readonly TimelineView[] {
    return this.ctx.restored ? timelinesView(this.ctx) : [];
  }

  submit(target: string, request: OperationRequest): Promise<SubmitOutcome> {
    return submitOperation(this.ctx, target, request);
  }

  operation(id: string): OperationView | undefined {
    return this.ctx.operations.get(id);
  }

  alertmanagerWebhook(alerts: readonly IncomingAlert[]): Promise<WebhookOutcome> {
    return handleWebhook(this.ctx, alerts);
  }

  private tickBatch(policies: readonly Policy[], scheduledAtMs: number | undefined): Promise<void>[] {
    return reconcileBatch(this.ctx, policies, scheduledAtMs).map((run, i) =>
      run.catch((error: unknown) => {
        // A failed tick (disk full on save, a bug) is logged and counted; the next tick tries again.
        const policy = policies[i];
        this.metrics.evaluationErrors.inc({ target: policy?.target.name ?? 'unknown', cause: 'runtime_error' });
        this.options.logger.error({ policy: policy?.name, err: error }, 'tick failed');
      }),
    );
  }

  private async reloadNow(): Promise<void> {
    const result = await this.options.policySource.load(this.options.policyPaths);
    const nowMs = this.ctx.ports.now();
    if (!result.ok) {
      this.reloadFailingSinceMs ??= nowMs;
      this.ctx.lastReloadError = { atMs: nowMs, errors: result.errors.map(formatPolicyError) };
      this.options.logger.error({ errors: this.ctx.lastReloadError.errors }, 'policy reload failed; the previous set stays active');
      this.ctx.ports.notifier.notify(policyReloadFailedAlert(this.ctx.lastReloadError.errors, this.ctx.policies.length, this.reloadFailingSinceMs));
      return;
    }
    if (this.ctx.lastReloadError !== null && this.reloadFailingSinceMs !== null) {
      const open = policyReloadFailedAlert(this.ctx.lastReloadError.errors, this.ctx.policies.length, this.reloadFailingSinceMs);
      this.ctx.ports.notifier.notify({ ...open, resolvedAtMs: nowMs });
    }
    this.reloadFailingSinceMs = null;
    const kept = new Set(result.policies.map((p) => p.target.name));
    for (const gone of this.ctx.policies.filter((p) => !kept.has(p.target.name))) {
      forgetTarget(this.metrics, gone.target.name);
      this.ctx.canAct.delete(gone.target.name);
      this.ctx.rollbackActiveShown.delete(gone.target.name);
    }
    this.ctx.policies = result.policies;
    this.ctx.policyFiles = result.files;
    this.ctx.policiesLoadedAtMs = nowMs;
    this.ctx.lastReloadError = null;
    this.options.onPolicies?.(result.policies);
    this.options.logger.info({ policies: result.policies.map((p) => p.name), files: result.files }, 'policies loaded');
    if (this.ctx.restored) {
      this.seedTargets();
      if ((this.options.schedule ?? true) && !this.stopped) await this.scheduler.schedule(this.ctx.policies);
    }
  }

  /** Targets seen for the first time start watching; their phase gauge starts at once. */
  private seedTargets(): void {
    for (const policy of this.ctx.policies) {
      const name = policy.target.name;
      if (this.ctx.state.targets[name] === undefined) {
        this.ctx.setTarget(name, initialState(policy, this.ctx.ports.now()));
      }
      recordPhase(this.metrics, name, this.ctx.targetState(policy).phase);
    }
  }
}
