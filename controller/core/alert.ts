// An alert the engine decides to raise. Sinks (Alertmanager API v2, webhook, log) deliver it; they never
// decide severity or timing. `dedupKey` is stable for one condition so a re-sent alert is recognised.

export type Severity = 'info' | 'warning' | 'critical';

export interface Alert {
  /** Stable identity of the condition, e.g. `rollback-started:api:rb-123`. Sinks use it for dedup. */
  readonly dedupKey: string;
  /** Short machine name, becomes Alertmanager's `alertname`, e.g. `GuardrailRollbackStarted`. */
  readonly name: string;
  readonly severity: Severity;
  readonly target: string;
  /** One line for humans. */
  readonly summary: string;
  /** Longer explanation, evidence included. */
  readonly description: string;
  /** Extra labels (policy, reason, rollback id ...). Keys and values are plain strings. */
  readonly labels: Readonly<Record<string, string>>;
  /** When the condition started, ms since epoch (from the `now` the engine was given). */
  readonly startsAtMs: number;
  /** Set when the condition is over: sinks send it resolved. */
  readonly resolvedAtMs?: number;
}
