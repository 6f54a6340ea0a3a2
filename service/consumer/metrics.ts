// The consumer's Prometheus metrics. Lag is read from Redis at scrape time (XINFO GROUPS), so the gauge is
// as fresh as the scrape and costs nothing between scrapes. A lag that cannot be read is not exported at
// all: a frozen last value would look live (the policy would judge a backlog nobody measured).
import { Gauge, type Registry } from 'prom-client';
import type { ModelVariant } from '../contract.js';
import { metricRegistrar, registerModelInfo } from '../metric-registry.js';
import type { DeadLetterReason } from './records.js';
import type { GroupInfo } from './stream-replies.js';

export const CONSUMER_METRIC = {
  processed: 'consumer_events_processed_total',
  lag: 'consumer_lag_events',
  duration: 'consumer_processing_duration_seconds',
  deadLetters: 'consumer_dead_letters_total',
} as const;

/**
 * ok: predicted and written now; invalid: refused by validation (dead-lettered); model_error: one failed
 * scoring attempt (counted per attempt, like a 500 of the API; the event is retried or dead-lettered);
 * duplicate: a redelivered event whose prediction was already written (acknowledged, nothing appended).
 */
export const OUTCOMES = ['ok', 'invalid', 'model_error', 'duplicate'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How long a scrape waits for XINFO GROUPS; during an outage ioredis retries for seconds, the scrape must not. */
export const LAG_READ_TIMEOUT_MS = 1_000;

/** One batch, read to acknowledged: ~1 ms normally, seconds under an injected latency fault. */
export const PROCESSING_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export interface ConsumerMetrics {
  count(outcome: Outcome, n?: number): void;
  deadLettered(reason: DeadLetterReason): void;
  observeBatch(seconds: number): void;
}

export function createConsumerMetrics(
  registry: Registry,
  model: { readonly variant: ModelVariant; readonly version: string },
  readGroup: () => Promise<GroupInfo | undefined>,
): ConsumerMetrics {
  const define = metricRegistrar(registry);
  const processed = define.counter({
    name: CONSUMER_METRIC.processed,
    help: 'Feature events handled by the consumer, by model variant and outcome (model_error counts each failed attempt)',
    labelNames: ['variant', 'outcome'] as const,
  });
  const deadLetters = define.counter({ name: CONSUMER_METRIC.deadLetters, help: 'Events written to the dead-letter stream, by reason', labelNames: ['variant', 'reason'] as const });
  const duration = define.histogram({
    name: CONSUMER_METRIC.duration,
    help: 'Time to handle one batch of events in seconds, from read to acknowledged',
    labelNames: ['variant'] as const,
    buckets: PROCESSING_DURATION_BUCKETS,
  });
  new Gauge({
    name: CONSUMER_METRIC.lag,
    help: 'Consumer group backlog: pending = delivered but not acknowledged, undelivered = not yet read by the group (NaN when Redis cannot tell); absent while Redis cannot be read',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      // A scrape during a Redis outage drops the series (the rest of the scrape still answers): Prometheus
      // marks them stale, so a query sees no data (UNKNOWN) instead of the backlog from before the outage.
      const info = await readWithin(readGroup, LAG_READ_TIMEOUT_MS);
      this.reset();
      if (info === undefined) return;
      this.set({ kind: 'pending' }, info.pending);
      this.set({ kind: 'undelivered' }, info.lag ?? Number.NaN);
    },
  });
  registerModelInfo(registry, 'The model the consumer scores with: always 1, labelled with its variant and version', model);
  const variant = model.variant;
  // Zero-initialised, so rate() has a series from the first scrape rather than from the first failure.
  for (const outcome of OUTCOMES) processed.inc({ variant, outcome }, 0);
  duration.zero({ variant });
  return {
    count: (outcome, n = 1) => processed.inc({ variant, outcome }, n),
    deadLettered: (reason) => deadLetters.inc({ variant, reason }),
    observeBatch: (seconds) => duration.observe({ variant }, seconds),
  };
}

/** The group's info, or undefined when Redis fails or does not answer within `timeoutMs`. */
async function readWithin(read: () => Promise<GroupInfo | undefined>, timeoutMs: number): Promise<GroupInfo | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([read().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
