// Mirroring failures are counted in metrics, never logged per request: at 1000 rps to a dead candidate that
// would be 1000 lines a second on the serving process. The first failure is logged at WARN at once, then at
// most one line a minute with the counts since the previous line. No timer: a line is written when a
// failure arrives and a minute has passed, so a quiet mirror costs nothing.
import type { Logger } from 'pino';

export const FAILURE_LOG_INTERVAL_MS = 60_000;

type Failure = 'error' | 'timeout' | 'unreachable' | 'queue_full';

export class FailureLog {
  private readonly counts: Record<Failure, number> = { error: 0, timeout: 0, unreachable: 0, queue_full: 0 };
  private mirrored = 0;
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private readonly log: Logger;
  private readonly shadowUrl: string;
  private readonly now: () => number;

  /** @param now a monotonic clock in ms; injected by tests. */
  constructor(log: Logger, shadowUrl: string, now: () => number = () => performance.now()) {
    this.log = log;
    this.shadowUrl = shadowUrl;
    this.now = now;
  }

  /** A mirror that got an answer or failed (not a drop): the denominator of the line. */
  settled(): void {
    this.mirrored++;
  }

  failed(kind: Failure, detail: string): void {
    this.counts[kind]++;
    const now = this.now();
    if (now - this.lastLineAt < FAILURE_LOG_INTERVAL_MS) return;
    const first = this.lastLineAt === Number.NEGATIVE_INFINITY;
    const { error, timeout, unreachable, queue_full: dropped } = this.counts;
    const since = first ? 'so far' : `in the last ${Math.round((now - this.lastLineAt) / 1000)} s`;
    this.log.warn(
      { shadow_url: this.shadowUrl, mirrored: this.mirrored, error, timeout, unreachable, dropped_queue_full: dropped, last_failure: kind, last_detail: detail.slice(0, 300) },
      `shadow candidate ${this.shadowUrl}: ${error + timeout + unreachable} of ${this.mirrored} mirrored requests failed ${since} ` +
        `(error ${error}, timeout ${timeout}, unreachable ${unreachable}), ${dropped} dropped with the queue full; last: ${kind}: ${detail.slice(0, 300)}. ` +
        'The served responses are not affected; next report in a minute at the earliest',
    );
    this.lastLineAt = now;
    this.mirrored = 0;
    for (const k of Object.keys(this.counts) as Failure[]) this.counts[k] = 0;
  }
}
