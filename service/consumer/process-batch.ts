// One batch of delivered events → predictions and dead letters written once, then acknowledged. An event is
// acknowledged only after its record is in Redis; an event whose scoring failed stays pending and comes back
// through the reclaim path with one more delivery, until MAX_DELIVERIES dead-letters it.
import type { Logger } from 'pino';
import type { Score, Scorer } from '../scorers/scorer.js';
import type { StreamNames } from './config.js';
import { eventIdOf, fieldsToRecord, parseEvent, type StreamEntry } from './feature-event.js';
import type { ConsumerMetrics } from './metrics.js';
import { deadLetterRecord, predictionRecord, type DeadLetterReason, type Producer } from './records.js';
import { DEAD_LETTER_KEY_PREFIX, PREDICTION_KEY_PREFIX, type ConsumerStreams, type WriteItem } from './redis-streams.js';

export interface Delivered {
  readonly entry: StreamEntry;
  /** 1 on the first delivery; each reclaim adds one. */
  readonly deliveries: number;
}

/**
 * fresh: first deliveries, scored in one model call (the fast path).
 * retry: reclaimed entries, scored one per call, so one event that breaks the model cannot take a whole
 * batch of good ones with it to the dead-letter stream; their records are looked up first, because an
 * entry reclaimed from a consumer that died after writing but before acknowledging is already done.
 */
export type BatchMode = 'fresh' | 'retry';

export interface BatchDeps {
  readonly store: Pick<ConsumerStreams, 'writeOnce' | 'ack' | 'existing'>;
  readonly scorer: Scorer;
  readonly metrics: ConsumerMetrics;
  readonly streams: StreamNames;
  readonly producer: Producer;
  readonly maxDeliveries: number;
  readonly idempotencyTtlSeconds: number;
  /** KEY_PREFIX: namespaces the idempotency keys. */
  readonly keyPrefix: string;
  readonly now: () => number;
  readonly log: Logger;
}

export interface BatchResult {
  readonly predicted: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly modelErrors: number;
  /** Ids left pending for a retry (scoring failed, deliveries below the limit). */
  readonly retrying: readonly string[];
  readonly acked: number;
}

interface Valid {
  readonly entry: StreamEntry;
  readonly deliveries: number;
  readonly eventId: string;
  readonly features: Parameters<Scorer['score']>[0][number];
  readonly missing: readonly string[];
}

interface DeadLetter {
  readonly delivered: Delivered;
  readonly eventId: string;
  readonly reason: DeadLetterReason;
  readonly message: string;
}

interface Keys {
  prediction(eventId: string): string;
  deadLetter(eventId: string): string;
}

function keysOf(deps: BatchDeps): Keys {
  return {
    prediction: (eventId) => deps.keyPrefix + PREDICTION_KEY_PREFIX + eventId,
    deadLetter: (eventId) => deps.keyPrefix + DEAD_LETTER_KEY_PREFIX + eventId,
  };
}

/** Retry mode: events whose prediction or dead letter is already written are only acknowledged. */
async function withoutDone(deps: BatchDeps, keys: Keys, batch: readonly Delivered[]): Promise<{ todo: readonly Delivered[]; done: string[] }> {
  const ids = batch.map((d) => eventIdOf(d.entry.id, fieldsToRecord(d.entry.fields)));
  const found = await deps.store.existing([...ids.map(keys.prediction), ...ids.map(keys.deadLetter)]);
  const done: string[] = [];
  const todo = batch.filter((d, i) => {
    const already = found[i] === true || found[i + batch.length] === true;
    if (already) done.push(d.entry.id);
    return !already;
  });
  return { todo, done };
}

function parseAll(deps: BatchDeps, todo: readonly Delivered[]): { valid: Valid[]; dead: DeadLetter[] } {
  const valid: Valid[] = [];
  const dead: DeadLetter[] = [];
  for (const delivered of todo) {
    const parsed = parseEvent(delivered.entry);
    if (parsed.ok) valid.push({ entry: delivered.entry, deliveries: delivered.deliveries, eventId: parsed.eventId, features: parsed.features, missing: parsed.missing });
    else {
      deps.metrics.count('invalid');
      dead.push({ delivered, eventId: parsed.eventId, reason: parsed.reason, message: parsed.message });
    }
  }
  return { valid, dead };
}

interface Scoring {
  readonly scored: { readonly event: Valid; readonly score: Score }[];
  readonly retrying: string[];
  readonly modelErrors: number;
}

/** Fresh events are scored as one batch; retried ones one by one, so one poison event cannot fail the others. */
async function scoreAll(deps: BatchDeps, valid: readonly Valid[], mode: BatchMode, dead: DeadLetter[]): Promise<Scoring> {
  const groups = mode === 'fresh' ? (valid.length > 0 ? [valid] : []) : valid.map((v) => [v]);
  const scored: Scoring['scored'] = [];
  const retrying: string[] = [];
  let modelErrors = 0;
  for (const group of groups) {
    let scores: readonly Score[];
    try {
      scores = await deps.scorer.score(group.map((v) => v.features));
      if (scores.length !== group.length) throw new Error(`scorer returned ${scores.length} scores for ${group.length} events`);
    } catch (err) {
      // Any scoring failure counts, not only ModelError: an unexpected one must not be retried forever either.
      const message = err instanceof Error ? err.message : String(err);
      modelErrors += group.length;
      deps.metrics.count('model_error', group.length);
      for (const event of group) {
        if (event.deliveries >= deps.maxDeliveries) {
          dead.push({ delivered: event, eventId: event.eventId, reason: 'model_error', message: `${message} (delivery ${event.deliveries} of ${deps.maxDeliveries})` });
        } else retrying.push(event.entry.id);
      }
      deps.log.warn({ err, events: group.length, mode }, `model error: ${message}`);
      continue;
    }
    group.forEach((event, i) => scored.push({ event, score: scores[i] as Score }));
  }
  return { scored, retrying, modelErrors };
}

/** Writes the dead letters once each; returns how many were new. */
async function writeDeadLetters(deps: BatchDeps, keys: Keys, dead: readonly DeadLetter[], nowMs: number): Promise<number> {
  const items: WriteItem[] = dead.map((d) => ({
    key: keys.deadLetter(d.eventId),
    fields: deadLetterRecord({
      eventId: d.eventId,
      entry: d.delivered.entry,
      sourceStream: deps.streams.input,
      reason: d.reason,
      message: d.message,
      deliveries: d.delivered.deliveries,
      producer: deps.producer,
      nowMs,
    }),
  }));
  const written = await deps.store.writeOnce(deps.streams.deadLetter, items, deps.idempotencyTtlSeconds);
  dead.forEach((d, i) => {
    if (written[i] === true) deps.metrics.deadLettered(d.reason);
  });
  return written.filter(Boolean).length;
}

export async function processBatch(deps: BatchDeps, batch: readonly Delivered[], mode: BatchMode): Promise<BatchResult> {
  const { store, metrics } = deps;
  const keys = keysOf(deps);
  const { todo, done } = mode === 'retry' ? await withoutDone(deps, keys, batch) : { todo: batch, done: [] };
  const toAck: string[] = [...done];
  let duplicates = done.length;
  const { valid, dead } = parseAll(deps, todo);
  const { scored, retrying, modelErrors } = await scoreAll(deps, valid, mode, dead);

  const nowMs = deps.now();
  const predictions: WriteItem[] = scored.map(({ event, score }) => ({
    key: keys.prediction(event.eventId),
    fields: predictionRecord({ eventId: event.eventId, sourceId: event.entry.id, score, missing: event.missing, producer: deps.producer, nowMs }),
  }));
  const written = await store.writeOnce(deps.streams.output, predictions, deps.idempotencyTtlSeconds);
  const predicted = written.filter(Boolean).length;
  duplicates += written.length - predicted;
  toAck.push(...scored.map((s) => s.event.entry.id));
  const deadLettered = await writeDeadLetters(deps, keys, dead, nowMs);
  toAck.push(...dead.map((d) => d.delivered.entry.id));

  metrics.count('ok', predicted);
  metrics.count('duplicate', duplicates);
  // Only now, with every record in Redis: a crash before this line redelivers, and the keys make that harmless.
  const acked = await store.ack(toAck);
  return { predicted, duplicates, deadLettered, modelErrors, retrying, acked };
}
