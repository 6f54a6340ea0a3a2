// What the consumer writes: one prediction entry per event on the output stream, or one dead-letter entry.
// Flat string fields, because stream values are strings and flat fields can be read with XRANGE alone.
import type { InvalidInputReason, ModelVariant } from '../contract.js';
import type { Score } from '../scorers/scorer.js';
import { fieldsToRecord, type StreamEntry } from './feature-event.js';

export type DeadLetterReason = InvalidInputReason | 'model_error';

/** Who produced a record: the model and the consumer process. */
export interface Producer {
  readonly variant: ModelVariant;
  readonly version: string;
  readonly consumer: string;
}

/** Field/value pairs in XADD order. */
export type RecordFields = readonly string[];

export function predictionRecord(args: {
  readonly eventId: string;
  readonly sourceId: string;
  readonly score: Score;
  readonly missing: readonly string[];
  readonly producer: Producer;
  readonly nowMs: number;
}): RecordFields {
  const { score, producer } = args;
  const fields = [
    'event_id', args.eventId,
    'source_id', args.sourceId,
    'prediction', String(score.prediction),
    // String(number) is the shortest text that parses back to the same double: nothing is lost.
    'probability', String(score.probability),
    'model_version', producer.version,
    'model_variant', producer.variant,
    'consumer', producer.consumer,
    'predicted_at', String(args.nowMs),
  ];
  if (args.missing.length > 0) fields.push('missing_features', args.missing.join(','));
  return fields;
}

export function deadLetterRecord(args: {
  readonly eventId: string;
  readonly entry: StreamEntry;
  readonly sourceStream: string;
  readonly reason: DeadLetterReason;
  readonly message: string;
  readonly deliveries: number;
  readonly producer: Producer;
  readonly nowMs: number;
}): RecordFields {
  return [
    'event_id', args.eventId,
    'source_id', args.entry.id,
    'source_stream', args.sourceStream,
    'reason', args.reason,
    'message', args.message,
    'deliveries', String(args.deliveries),
    'model_version', args.producer.version,
    'model_variant', args.producer.variant,
    'consumer', args.producer.consumer,
    'failed_at', String(args.nowMs),
    // The original fields as one JSON object, so none of them can collide with the fields above.
    'original', JSON.stringify(fieldsToRecord(args.entry.fields)),
  ];
}

export interface PredictionView {
  readonly eventId: string;
  readonly sourceId: string;
  readonly prediction: 0 | 1;
  readonly probability: number;
  readonly modelVersion: string;
  readonly modelVariant: string;
  readonly consumer: string;
}

/** Reads back an output entry (tests, the benchmark, and any downstream reader written in TypeScript). */
export function readPrediction(fields: readonly string[]): PredictionView {
  const r = fieldsToRecord(fields);
  const need = (k: string): string => {
    const v = r[k];
    if (v === undefined) throw new Error(`prediction entry has no ${k} field`);
    return v;
  };
  const prediction = need('prediction');
  if (prediction !== '0' && prediction !== '1') throw new Error(`prediction entry has prediction=${prediction}`);
  return {
    eventId: need('event_id'),
    sourceId: need('source_id'),
    prediction: prediction === '1' ? 1 : 0,
    probability: Number(need('probability')),
    modelVersion: need('model_version'),
    modelVariant: need('model_variant'),
    consumer: need('consumer'),
  };
}
