// Request bodies → RawFeatures, or an InvalidInputError naming the field and the problem. Hand-written
// rather than JSON Schema so each refusal maps to exactly one counted reason and a message a client can act
// on, and because a schema's additionalProperties:false would strip or reject without saying which field.
import { API_FIELDS, MAX_BATCH_SIZE, type ApiField, type RawFeatures } from './contract.js';
import { InvalidInputError } from './errors.js';

const KNOWN_FIELDS: ReadonlySet<string> = new Set(API_FIELDS);

/** The lower bound each field must respect; returns the problem, or undefined when the value is allowed. */
const RANGE_RULES: Record<ApiField, (x: number) => string | undefined> = {
  price: (x) => (x > 0 ? undefined : 'must be > 0'),
  midprice: (x) => (x > 0 ? undefined : 'must be > 0'),
  return_1s: () => undefined,
  return_5s: () => undefined,
  volatility: (x) => (x >= 0 ? undefined : 'must be >= 0'),
};

export interface ParsedInstance {
  readonly features: RawFeatures;
  /** Fields absent (or null): the model sees NaN, the baseline "no spike" for volatility. */
  readonly missing: readonly ApiField[];
}

/** A client's key, quoted for a message: at most 64 characters, then `…` and its length. */
function quoteKey(key: string): string {
  return JSON.stringify(key.length <= 64 ? key : `${key.slice(0, 64)}… (${key.length} characters)`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `a ${typeof value}`;
}

/** `path` prefixes field names in errors, e.g. "instances[3]." inside a batch. */
export function parseInstance(body: unknown, path = ''): ParsedInstance {
  const where = path === '' ? 'request body' : path.slice(0, -1);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('not_an_object', `${where} must be a JSON object with the feature fields, got ${describe(body)}`, path === '' ? undefined : where);
  }
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record);
  const unknown = keys.find((k) => !KNOWN_FIELDS.has(k));
  if (unknown !== undefined) {
    // Named, not echoed: a 100 KB key appears with its first 64 characters.
    throw new InvalidInputError('unknown_field', `unknown field ${quoteKey(unknown)} in ${where}; allowed fields: ${API_FIELDS.join(', ')}`, `${path}${unknown.slice(0, 64)}`);
  }
  const features: RawFeatures = {};
  const missing: ApiField[] = [];
  for (const field of API_FIELDS) {
    // Own properties only: keys were checked above, and JSON.parse makes "__proto__" an own key.
    const value = Object.hasOwn(record, field) ? record[field] : undefined;
    if (value === undefined || value === null) {
      missing.push(field);
      continue;
    }
    if (typeof value !== 'number') {
      throw new InvalidInputError('wrong_type', `${path}${field} must be a number, got ${describe(value)}`, `${path}${field}`);
    }
    if (!Number.isFinite(value)) {
      throw new InvalidInputError('not_finite', `${path}${field} must be a finite number, got ${value}`, `${path}${field}`);
    }
    const problem = RANGE_RULES[field](value);
    if (problem !== undefined) {
      throw new InvalidInputError('out_of_range', `${path}${field} ${problem}, got ${value}`, `${path}${field}`);
    }
    features[field] = value;
  }
  if (missing.length === API_FIELDS.length) {
    throw new InvalidInputError('no_features', `${where} has none of the fields ${API_FIELDS.join(', ')}`, path === '' ? undefined : where);
  }
  return { features, missing };
}

/** `{instances: [...]}` with 1..MAX_BATCH_SIZE valid instances. */
export function parseBatch(body: unknown): ParsedInstance[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError('not_an_object', `request body must be a JSON object {"instances": [...]}, got ${describe(body)}`);
  }
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).find((k) => k !== 'instances');
  if (unknown !== undefined) {
    throw new InvalidInputError('unknown_field', `unknown field ${quoteKey(unknown)}; the batch body has only "instances"`, unknown.slice(0, 64));
  }
  const instances = Object.hasOwn(record, 'instances') ? record['instances'] : undefined;
  if (!Array.isArray(instances)) {
    throw new InvalidInputError('wrong_type', `instances must be an array of feature objects, got ${instances === undefined ? 'nothing' : describe(instances)}`, 'instances');
  }
  if (instances.length === 0 || instances.length > MAX_BATCH_SIZE) {
    throw new InvalidInputError('batch_size', `instances must hold 1 to ${MAX_BATCH_SIZE} items, got ${instances.length}`, 'instances');
  }
  return instances.map((instance: unknown, i) => parseInstance(instance, `instances[${i}].`));
}
