import type { Alert } from '../core/alert.js';

// Where alerts go. Sinks deliver; they never decide severity or timing (the engine does). A failed
// delivery is THROWN as an AlertDeliveryError: the runtime logs it, counts it and retries it, and never
// lets it crash the control loop.

export interface AlertSink {
  /** Short name for logs and metrics labels, e.g. "alertmanager", "webhook", "log". */
  readonly name: string;
  /** Delivers one firing (no resolvedAtMs) or resolved (resolvedAtMs set) alert. */
  send(alert: Alert): Promise<void>;
  /**
   * For sinks whose receiver forgets alerts that are not repeated (Alertmanager resolves a firing alert
   * at its endsAt): re-posts the active firing alerts that are due at `nowMs`. Call it every tick.
   */
  resend?(nowMs: number): Promise<void>;
}

export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  readonly sink: string;
  readonly dedupKeys: readonly string[];
  /** False when repeating the same request cannot help (e.g. the receiver answered 400). */
  readonly retryable: boolean;

  constructor(message: string, details: { sink: string; dedupKeys: readonly string[]; retryable: boolean; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.sink = details.sink;
    this.dedupKeys = details.dedupKeys;
    this.retryable = details.retryable;
  }
}
