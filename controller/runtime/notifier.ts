import type { Logger } from 'pino';
import type { Alert } from '../core/index.js';
import { AlertDeliveryError, type AlertSink } from '../ports/alert-sink.js';
import type { ControllerMetrics } from '../metrics.js';

// Fans every alert out to every configured sink without ever blocking or crashing the control loop:
// deliveries run on a per-sink chain (so a resolve never overtakes its firing alert), failures are logged
// and counted, and retryable ones are tried again on the next tick (bounded).

const RETRY_MAX = 100;
/** At most this many passing alerts wait for their end; past it the oldest is resolved early. */
const PASSING_MAX = 100;

interface SinkLane {
  readonly sink: AlertSink;
  chain: Promise<void>;
  retry: Alert[];
}

export class Notifier {
  private readonly lanes: SinkLane[];
  private readonly logger: Logger;
  private readonly metrics: ControllerMetrics;
  /** Alerts about an event rather than a lasting condition (notifyPassing), with when to resolve them. */
  private readonly passing: { alert: Alert; untilMs: number }[] = [];

  constructor(sinks: readonly AlertSink[], logger: Logger, metrics: ControllerMetrics) {
    this.lanes = sinks.map((sink) => ({ sink, chain: Promise.resolve(), retry: [] }));
    this.logger = logger;
    this.metrics = metrics;
  }

  /** Queues the alert on every sink; returns at once. */
  notify(alert: Alert): void {
    for (const lane of this.lanes) this.enqueue(lane, () => this.deliver(lane, alert));
  }

  /**
   * An alert about something that happened (a refused webhook alert), not a condition that ends by itself:
   * it fires now and is resolved at the first tick `forMs` later, so receivers show it for that long.
   */
  notifyPassing(alert: Alert, forMs: number): void {
    this.notify(alert);
    this.passing.push({ alert, untilMs: alert.startsAtMs + forMs });
    if (this.passing.length > PASSING_MAX) {
      const [oldest] = this.passing.splice(0, 1);
      if (oldest !== undefined) this.notify({ ...oldest.alert, resolvedAtMs: alert.startsAtMs });
    }
  }

  /** Once per tick: re-post what receivers would forget, retry failed deliveries, end passing alerts. */
  tick(nowMs: number): void {
    for (let i = this.passing.length - 1; i >= 0; i -= 1) {
      const entry = this.passing[i];
      if (entry === undefined || entry.untilMs > nowMs) continue;
      this.passing.splice(i, 1);
      this.notify({ ...entry.alert, resolvedAtMs: nowMs });
    }
    for (const lane of this.lanes) {
      const retry = lane.retry.splice(0);
      for (const alert of retry) this.enqueue(lane, () => this.deliver(lane, alert));
      const resend = lane.sink.resend?.bind(lane.sink);
      if (resend !== undefined) this.enqueue(lane, () => resend(nowMs).catch((error: unknown) => this.failed(lane, error, undefined)));
    }
  }

  /** Resolves when every queued delivery has been tried (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.chain));
  }

  private enqueue(lane: SinkLane, job: () => Promise<void>): void {
    lane.chain = lane.chain.then(job).catch(() => undefined);
  }

  private async deliver(lane: SinkLane, alert: Alert): Promise<void> {
    try {
      await lane.sink.send(alert);
    } catch (error) {
      this.failed(lane, error, alert);
    }
  }

  private failed(lane: SinkLane, error: unknown, alert: Alert | undefined): void {
    this.metrics.alertSendFailures.inc({ sink: lane.sink.name });
    const retryable = error instanceof AlertDeliveryError ? error.retryable : true;
    this.logger.warn({ sink: lane.sink.name, dedupKey: alert?.dedupKey, retryable, err: error }, 'alert delivery failed');
    // Alertmanager's own resend already re-posts firing alerts whose post failed: only other sinks retry here.
    if (alert !== undefined && retryable && lane.sink.resend === undefined && lane.retry.length < RETRY_MAX) lane.retry.push(alert);
  }
}
