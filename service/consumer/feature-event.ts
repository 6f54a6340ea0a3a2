// One input stream entry → the event it carries: its id and its validated features, or the reason it is
// invalid. Validation is the API's own parseInstance, so an event the consumer refuses is exactly one the
// API would answer 400, under the same counted reason.
import { InvalidInputError } from '../errors.js';
import type { InvalidInputReason, RawFeatures } from '../contract.js';
import { parseInstance } from '../validate-input.js';

/** A stream entry as XREADGROUP returns it: its id and its field/value pairs in order. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: readonly string[];
}

/** Fields that describe the event rather than carry a feature; every other field must be a feature. */
export const META_FIELDS = ['event_id', 'ts'] as const;
/** The alternative to flat fields: one field holding the features as a JSON object. */
export const FEATURES_FIELD = 'features';
/** event_id becomes part of a Redis key; a bound keeps one producer's bug from making huge keys. */
export const MAX_EVENT_ID_LENGTH = 256;

export type ParsedEvent =
  | { readonly ok: true; readonly eventId: string; readonly features: RawFeatures; readonly missing: readonly string[] }
  | { readonly ok: false; readonly eventId: string; readonly reason: InvalidInputReason; readonly message: string };

/** A decimal number as a producer writes one; anything else stays a string and is refused as wrong_type. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Field/value pairs → a record. A repeated field keeps its last value, as JSON.parse does. */
export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    record[fields[i] as string] = fields[i + 1] as string;
  }
  return record;
}

/** The event id: the producer's `event_id` field when it has one, else the stream entry id. */
export function eventIdOf(entryId: string, record: Readonly<Record<string, string>>): string {
  const given = record['event_id'];
  return given === undefined || given === '' ? entryId : given;
}

export function parseEvent(entry: StreamEntry): ParsedEvent {
  const record = fieldsToRecord(entry.fields);
  const eventId = eventIdOf(entry.id, record);
  const refuse = (reason: InvalidInputReason, message: string): ParsedEvent => ({ ok: false, eventId, reason, message });
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    return { ok: false, eventId: entry.id, reason: 'out_of_range', message: `event_id is longer than ${MAX_EVENT_ID_LENGTH} characters` };
  }
  const featureKeys = Object.keys(record).filter((k) => !(META_FIELDS as readonly string[]).includes(k));
  let body: unknown;
  if (featureKeys.includes(FEATURES_FIELD)) {
    const extra = featureKeys.find((k) => k !== FEATURES_FIELD);
    if (extra !== undefined) {
      return refuse('unknown_field', `field ${JSON.stringify(extra)} beside "${FEATURES_FIELD}"; send the features either as one JSON field or as flat fields`);
    }
    const json = record[FEATURES_FIELD] ?? '';
    try {
      body = JSON.parse(json) as unknown;
    } catch (err) {
      return refuse('invalid_json', `${FEATURES_FIELD} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    // No prototype: a producer's "__proto__" field must become an own key (refused as unknown_field), not a prototype.
    const flat = Object.create(null) as Record<string, unknown>;
    for (const key of featureKeys) {
      const value = record[key] ?? '';
      flat[key] = NUMBER.test(value) ? Number(value) : value;
    }
    body = flat;
  }
  try {
    const parsed = parseInstance(body);
    return { ok: true, eventId, features: parsed.features, missing: parsed.missing };
  } catch (err) {
    if (err instanceof InvalidInputError) return refuse(err.reason, err.message);
    throw err;
  }
}
