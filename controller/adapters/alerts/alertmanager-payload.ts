import type { Alert } from '../../core/alert.js';

// Pure mapping of an Alert to one element of Alertmanager's POST /api/v2/alerts body (postableAlert).

export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

/** Prometheus/Alertmanager label names: anything else makes Alertmanager reject the whole POST with 400. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function sanitizeLabelName(name: string): string {
  if (LABEL_NAME.test(name)) return name;
  const replaced = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced === '' ? '_' : replaced;
}

/**
 * `endsAtMs` is decided by the caller: resolvedAtMs for a resolved alert, now + 4 x resend interval for
 * a firing one. The engine's fields win over same-named extra labels, so `severity` cannot be spoofed.
 */
export function toPostableAlert(alert: Alert, endsAtMs: number, generatorURL?: string): PostableAlert {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(alert.labels)) {
    // An empty label value means "no label" in Prometheus' data model; sending it only confuses matching.
    if (value !== '') labels[sanitizeLabelName(name)] = value;
  }
  Object.assign(labels, {
    alertname: alert.name,
    severity: alert.severity,
    target: alert.target,
    guardrail_dedup_key: alert.dedupKey,
  });
  // Alertmanager refuses endsAt before startsAt (400); a resolve stamped a hair early must still land.
  const ends = Math.max(endsAtMs, alert.startsAtMs);
  return {
    labels,
    annotations: { summary: alert.summary, description: alert.description },
    startsAt: new Date(alert.startsAtMs).toISOString(),
    endsAt: new Date(ends).toISOString(),
    ...(generatorURL === undefined ? {} : { generatorURL }),
  };
}
