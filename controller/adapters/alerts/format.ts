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
