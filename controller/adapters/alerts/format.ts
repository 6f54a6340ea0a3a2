import type { Alert } from '../../core/alert.js';

// Renderings of an Alert shared by the sinks, so Slack text, logs and Alertmanager say the same thing.

export type AlertStatus = 'firing' | 'resolved';

export function alertStatus(alert: Alert): AlertStatus {
  return alert.resolvedAtMs === undefined ? 'firing' : 'resolved';
}

/** One line for chat: `[WARNING] api: Rollback active for 1h ...`, or `[RESOLVED] ...` once over. */
export function alertText(alert: Alert): string {
  const tag = alert.resolvedAtMs === undefined ? alert.severity.toUpperCase() : `RESOLVED ${alert.severity.toUpperCase()}`;
  return `[${tag}] ${alert.target}: ${alert.summary}`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The alert as plain JSON fields with ISO times: the log sink's `alert` object and the webhook body's core. */
export interface AlertFields {
  readonly status: AlertStatus;
  readonly dedupKey: string;
  readonly name: string;
  readonly severity: Alert['severity'];
  readonly target: string;
  readonly summary: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly resolvedAt?: string;
}

export function alertFields(alert: Alert): AlertFields {
  return {
    status: alertStatus(alert),
    dedupKey: alert.dedupKey,
    name: alert.name,
    severity: alert.severity,
    target: alert.target,
    summary: alert.summary,
    description: alert.description,
    labels: alert.labels,
    startsAt: isoTime(alert.startsAtMs),
    ...(alert.resolvedAtMs === undefined ? {} : { resolvedAt: isoTime(alert.resolvedAtMs) }),
  };
}
