import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Phase } from './core/index.js';
import { registerEvidenceMetrics, registerProcessMetrics, type EvidenceMetrics } from './metrics-evidence.js';

// The controller's own metrics, on their own Registry (the HTTP API exposes it at /metrics) so they
// never mix with a host application's default registry. Names are the contract docs/runtime.md lists.

export const PHASES: readonly Phase[] = ['watching', 'pending', 'rolling_back', 'rolled_back', 'partially_rolled_back', 'rolling_forward', 'paused', 'failed'];

export interface ControllerMetrics {
  readonly registry: Registry;
  readonly rollbacksTotal: Counter<'target' | 'reason' | 'trigger'>;
  readonly rollbackActive: Gauge<'target'>;
  readonly evaluationDuration: Histogram;
  readonly evaluationErrors: Counter<'target' | 'cause'>;
  readonly actuationDuration: Histogram<'target' | 'action' | 'result'>;
  readonly ticksSkipped: Counter;
  readonly alertSendFailures: Counter<'sink'>;
  readonly targetPhase: Gauge<'target' | 'phase'>;
  readonly webhookAlerts: Counter<'outcome'>;
  readonly groupedQueries: Counter;
  readonly groupedQueryMembers: Counter;
  readonly groupedQueryOwnQueries: Counter<'cause'>;
  readonly standbyReady: Gauge<'target'>;
  readonly standbyActions: Counter<'target' | 'action'>;
  readonly canAct: Gauge<'target'>;
  /** guardrail_condition_* (metrics-evidence.ts), read from the runtime's last evaluations at each scrape. */
  readonly evidence: EvidenceMetrics;
}

export interface ControllerMetricsOptions {
  /** guardrail_build_info and prom-client's default process metrics (default true). */
  readonly processMetrics?: boolean;
}

// eslint-disable-next-line max-lines-per-function -- a table of metric definitions, one entry per metric: splitting it would scatter the names
export function createControllerMetrics(registry: Registry = new Registry(), options: ControllerMetricsOptions = {}): ControllerMetrics {
  const registers = [registry];
  if (options.processMetrics ?? true) registerProcessMetrics(registry);
  return {
    registry,
    evidence: registerEvidenceMetrics(registry),
    rollbacksTotal: new Counter({
      name: 'guardrail_rollbacks_total',
      help: 'Rollbacks started, by target, policy reason and trigger kind (automatic|webhook|manual).',
      labelNames: ['target', 'reason', 'trigger'],
      registers,
    }),
    canAct: new Gauge({
      name: 'guardrail_can_act',
      help: '1 when Guardrail can act on the target: the actuator answers, every service is found and its verify endpoint answers.',
      labelNames: ['target'],
      registers,
    }),
    rollbackActive: new Gauge({
      name: 'guardrail_rollback_active',
      help: '1 while the target runs its rollback value (rolling back, rolled back, or paused on it).',
      labelNames: ['target'],
      registers,
    }),
    evaluationDuration: new Histogram({
      name: 'guardrail_evaluation_duration_seconds',
      help: 'Time to query the metrics of one tick: all queries of the policies sharing an interval, in one batch.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    evaluationErrors: new Counter({
      name: 'guardrail_evaluation_errors_total',
      help: 'Queries of a tick that came back UNKNOWN, by target and cause (unreachable, no_data, ...).',
      labelNames: ['target', 'cause'],
      registers,
    }),
    actuationDuration: new Histogram({
      name: 'guardrail_actuation_duration_seconds',
      help: 'Time of one rollback/rollforward through the actuator, all services of the target.',
      labelNames: ['target', 'action', 'result'],
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers,
    }),
    ticksSkipped: new Counter({
      name: 'guardrail_ticks_skipped_total',
      help: 'Ticks skipped because the previous tick of the same policy was still running.',
      registers,
    }),
    alertSendFailures: new Counter({
      name: 'guardrail_alert_send_failures_total',
      help: 'Alert deliveries that failed, by sink.',
      labelNames: ['sink'],
      registers,
    }),
    targetPhase: new Gauge({
      name: 'guardrail_target_phase',
      help: '1 for the phase the target is in, 0 for the others.',
      labelNames: ['target', 'phase'],
      registers,
    }),
    webhookAlerts: new Counter({
      name: 'guardrail_webhook_alerts_total',
      help: 'Alertmanager webhook alerts by outcome (queued|duplicate|held: a re-send of a trigger held for now|resolved_ignored|unmatched|not_corroborated).',
      labelNames: ['outcome'],
      registers,
    }),
    groupedQueries: new Counter({
      name: 'guardrail_grouped_queries_total',
      help: 'Grouped Prometheus queries answered (each stands for several targets\' queries that differ in one label value).',
      registers,
    }),
    groupedQueryMembers: new Counter({
      name: 'guardrail_grouped_query_members_total',
      help: 'Queries answered from a grouped query instead of being sent on their own.',
      registers,
    }),
    groupedQueryOwnQueries: new Counter({
      name: 'guardrail_grouped_query_fallbacks_total',
      help: 'Queries sent on their own after their grouped query was rejected (rejected), could not be split (bad_answer) or held several series for them (several_series).',
      labelNames: ['cause'],
      registers,
    }),
    standbyReady: new Gauge({
      name: 'guardrail_standby_ready',
      help: "1 while the target's warm standby answers with its variant (the next rollback takes it over), else 0. Only targets with warmStandby.",
      labelNames: ['target'],
      registers,
    }),
    standbyActions: new Counter({
      name: 'guardrail_standby_actions_total',
      help: 'What standby maintenance did, by action (created|removed|removed-stale|removed-extra|removed-dead|error).',
      labelNames: ['target', 'action'],
      registers,
    }),
  };
}

/** Counts grouped queries and fallbacks (the Prometheus adapter's `onGrouping`). */
export function recordGrouping(metrics: ControllerMetrics, event: { readonly kind: 'grouped' | 'own_queries'; readonly members: number; readonly cause?: string }): void {
  if (event.kind === 'grouped') {
    metrics.groupedQueries.inc();
    metrics.groupedQueryMembers.inc(event.members);
  } else {
    metrics.groupedQueryOwnQueries.inc({ cause: event.cause ?? 'unknown' }, event.members);
  }
}

/** Sets the phase gauge: exactly one phase is 1 per target. */
export function recordPhase(metrics: ControllerMetrics, target: string, phase: Phase): void {
  for (const p of PHASES) metrics.targetPhase.set({ target, phase: p }, p === phase ? 1 : 0);
}

/**
 * A target no loaded policy names any more: its per-target gauges go, so a dashboard does not show a
 * phase or an active rollback of something Guardrail stopped watching (counters stay: they are history).
 */
export function forgetTarget(metrics: ControllerMetrics, target: string): void {
  for (const phase of PHASES) metrics.targetPhase.remove({ target, phase });
  metrics.rollbackActive.remove({ target });
  metrics.canAct.remove({ target });
}
