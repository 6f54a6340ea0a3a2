// The read loop: reclaim what others (or earlier attempts) left pending, read new entries, process, repeat.
// stop() lets the batch in hand finish and be acknowledged; a blocking read returns within BLOCK_MS, so a
// SIGTERM is served within BLOCK_MS plus one batch.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsumerConfig } from './config.js';
import type { ConsumerMetrics } from './metrics.js';
import { processBatch, type BatchDeps, type BatchMode, type BatchResult, type Delivered } from './process-batch.js';
import type { ConsumerStreams } from './redis-streams.js';

export interface LoopDeps extends BatchDeps {
  readonly redis: ConsumerStreams;
  readonly config: Pick<ConsumerConfig, 'batchSize' | 'blockMs' | 'reclaimMinIdleMs' | 'reclaimIntervalMs' | 'consumerExpiryMs' | 'groupStartId'>;
  readonly metrics: ConsumerMetrics;
}

/** After a Redis error: wait, then try again; doubling up to the cap so an outage is not a busy loop. */
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;

export class ConsumerLoop {
  readonly #deps: LoopDeps;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(deps: LoopDeps) {
    this.#deps = deps;
  }

  get stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Starts the loop; the promise settles when it has stopped. */
  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /** Finishes the batch in hand (written and acknowledged), then resolves. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { redis, config, log } = this.#deps;
    let backoff = BACKOFF_MIN_MS;
    let groupReady = false;
    let nextReclaimAt = 0;
    while (!this.stopping) {
      try {
        if (!groupReady) {
          await redis.ensureGroup(config.groupStartId);
          groupReady = true;
        }
        if (Date.now() >= nextReclaimAt) {
          await this.#reclaim();
          nextReclaimAt = Date.now() + config.reclaimIntervalMs;
        }
        if (this.stopping) break;
        const entries = await redis.readNew(config.batchSize, config.blockMs);
        // Entries read are ours now: process them even if a stop came while the read was blocking.
        if (entries.length > 0) await this.#process(entries.map((entry) => ({ entry, deliveries: 1 })), 'fresh');
        backoff = BACKOFF_MIN_MS;
      } catch (err) {
        log.error({ err, retry_in_ms: backoff }, `consumer loop error: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(backoff, undefined, { signal: this.#abort.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  }

  /** Claims every entry idle longer than RECLAIM_MIN_IDLE_MS, a page at a time, and processes it. */
  async #reclaim(): Promise<void> {
    const { redis, config, log } = this.#deps;
    let cursor = '0-0';
    do {
      const page = await redis.autoClaim(config.reclaimMinIdleMs, cursor, config.batchSize);
      if (page.deletedIds.length > 0) log.warn({ ids: page.deletedIds }, 'pending entries were deleted from the stream before being processed');
      if (page.entries.length > 0) {
        const counts = await redis.deliveryCounts(page.entries.map((e) => e.id));
        const delivered = page.entries.map((entry) => ({ entry, deliveries: counts.get(entry.id) ?? 1 }));
        log.info({ count: delivered.length }, 'reclaimed pending entries');
        await this.#process(delivered, 'retry');
      }
      cursor = page.cursor;
    } while (cursor !== '0-0' && !this.stopping);
    const forgotten = await redis.forgetIdleConsumers(config.consumerExpiryMs);
    if (forgotten.length > 0) log.info({ consumers: forgotten }, 'removed idle consumers with nothing pending from the group');
  }

  async #process(batch: readonly Delivered[], mode: BatchMode): Promise<BatchResult> {
    const start = process.hrtime.bigint();
    const result = await processBatch(this.#deps, batch, mode);
    this.#deps.metrics.observeBatch(Number(process.hrtime.bigint() - start) / 1e9);
    this.#deps.log.debug({ mode, size: batch.length, ...result, retrying: result.retrying.length }, 'batch done');
    return result;
  }
}
