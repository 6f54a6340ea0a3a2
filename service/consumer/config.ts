// Environment → ConsumerConfig, validated once at start. The model part (MODEL_VARIANT, MODEL_DIR, LOG_LEVEL,
// FAULT_ML_*) is parsed by the API's own loadConfig, so both processes accept exactly the same settings and
// a rollback flips the consumer with the same variable. Only the stream settings are the consumer's own.
import { hostname } from 'node:os';
import { EnvConfigError, loadConfig, type ServiceConfig } from '../config.js';

export interface StreamNames {
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly group: string;
}

export interface ConsumerConfig {
  /** The API's config; `port` defaults to 8001 here (the API's is 8000) so both fit on one host. */
  readonly service: ServiceConfig;
  readonly redisUrl: string;
  readonly streams: StreamNames;
  /** Unique per process: a dead consumer's pending entries are reclaimed by another name. */
  readonly consumerName: string;
  /** Most entries one XREADGROUP returns, and so the largest model call. */
  readonly batchSize: number;
  /** How long one XREADGROUP waits for new entries; also the longest a SIGTERM waits for the read to return. */
  readonly blockMs: number;
  /** An entry pending longer than this is presumed abandoned (dead consumer, or a failed model call) and claimed. */
  readonly reclaimMinIdleMs: number;
  readonly reclaimIntervalMs: number;
  /** Other consumers idle this long with nothing pending are removed from the group (each restart adds one). */
  readonly consumerExpiryMs: number;
  /** Deliveries of one event whose scoring failed before it is dead-lettered with reason model_error. */
  readonly maxDeliveries: number;
  /** How long `prediction:<eventId>` is kept, i.e. how late a redelivery is still recognised as a duplicate. */
  readonly idempotencyTtlSeconds: number;
  /** Where a new consumer group starts: `0` = every entry already in the stream, `$` = only new ones. */
  readonly groupStartId: string;
  /**
   * Prepended to the idempotency keys (`prediction:<eventId>`, `dead-letter:<eventId>`). Two pipelines that
   * share one Redis and may see the same event ids need different prefixes, or one's records would make the
   * other's events look like duplicates.
   */
  readonly keyPrefix: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const x = Number(raw);
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new EnvConfigError(`${name}=${JSON.stringify(raw)} is not valid; it must be an integer from ${min} to ${max}`);
  }
  return x;
}

const STREAM_ID = /^(0|\$|\d+-\d+)$/;

/** Default consumer port: beside the API's 8000 and below the controller's 8090. */
export const DEFAULT_CONSUMER_PORT = '8001';

export function loadConsumerConfig(env: Env, defaultModelDir: string, cwd: string, pid = process.pid): ConsumerConfig {
  const port = env['PORT'] === undefined || env['PORT'].trim() === '' ? DEFAULT_CONSUMER_PORT : env['PORT'];
  const service = loadConfig({ ...env, PORT: port }, defaultModelDir, cwd);
  const redisUrl = text(env, 'REDIS_URL', 'redis://127.0.0.1:6379');
  if (!/^rediss?:\/\//.test(redisUrl)) throw new EnvConfigError(`REDIS_URL=${JSON.stringify(redisUrl)} is not valid; it must start with redis:// or rediss://`);
  const groupStartId = text(env, 'GROUP_START_ID', '0');
  if (!STREAM_ID.test(groupStartId)) throw new EnvConfigError(`GROUP_START_ID=${JSON.stringify(groupStartId)} is not valid; use 0, $ or a stream id like 1700000000000-0`);
  const streams: StreamNames = {
    input: text(env, 'INPUT_STREAM', 'features'),
    output: text(env, 'OUTPUT_STREAM', 'predictions'),
    deadLetter: text(env, 'DEAD_LETTER_STREAM', 'predictions-dead-letter'),
    group: text(env, 'CONSUMER_GROUP', 'prediction-consumer'),
  };
  const names = [streams.input, streams.output, streams.deadLetter];
  if (new Set(names).size !== names.length) {
    throw new EnvConfigError(`INPUT_STREAM, OUTPUT_STREAM and DEAD_LETTER_STREAM must differ, got ${names.join(', ')}`);
  }
  return {
    service,
    redisUrl,
    streams,
    consumerName: text(env, 'CONSUMER_NAME', `${hostname()}-${pid}`),
    batchSize: integer(env, 'BATCH_SIZE', 100, 1, 1000),
    blockMs: integer(env, 'BLOCK_MS', 1000, 1, 60_000),
    reclaimMinIdleMs: integer(env, 'RECLAIM_MIN_IDLE_MS', 30_000, 1, 86_400_000),
    reclaimIntervalMs: integer(env, 'RECLAIM_INTERVAL_MS', 5_000, 10, 3_600_000),
    maxDeliveries: integer(env, 'MAX_DELIVERIES', 3, 1, 100),
    consumerExpiryMs: integer(env, 'CONSUMER_EXPIRY_MS', 3_600_000, 1_000, 30 * 86_400_000),
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 7 * 86_400, 0, 365 * 86_400),
    groupStartId,
    keyPrefix: text(env, 'KEY_PREFIX', ''),
  };
}
