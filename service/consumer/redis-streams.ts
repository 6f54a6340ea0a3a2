// The consumer's only Redis code: the stream commands it needs, over ioredis. Two connections, because a
// blocking XREADGROUP holds its connection for up to BLOCK_MS, and /health, the lag gauge and the writes
// must not queue behind it.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { StreamEntry } from './feature-event.js';
import type { StreamNames } from './config.js';
import type { RecordFields } from './records.js';
import {
  parseAutoClaim,
  parseConsumersInfo,
  parseGroupsInfo,
  parsePendingDetails,
  parseReadGroup,
  type AutoClaimPage,
  type GroupInfo,
} from './stream-replies.js';
import { WRITE_ONCE_LUA } from './write-once-script.js';

/** `prediction:<eventId>`: the record of an event's one prediction; its existence makes a redelivery a duplicate. */
export const PREDICTION_KEY_PREFIX = 'prediction:';
/** `dead-letter:<eventId>`: the same guard for the dead-letter stream. */
export const DEAD_LETTER_KEY_PREFIX = 'dead-letter:';

export interface WriteItem {
  /** The idempotency key, e.g. prediction:<eventId>. */
  readonly key: string;
  readonly fields: RecordFields;
}

type Args = (string | number)[];

const QUIT_TIMEOUT_MS = 1_000;

export class ConsumerStreams {
  readonly #client: Redis;
  readonly #reader: Redis;
  readonly #streams: StreamNames;
  readonly #consumer: string;
  readonly #scriptSha = createHash('sha1').update(WRITE_ONCE_LUA).digest('hex');

  constructor(url: string, streams: StreamNames, consumer: string, onError: (err: Error) => void) {
    // maxRetriesPerRequest stays finite: during an outage a command fails after a few seconds and the loop
    // backs off and retries, rather than hanging a SIGTERM behind a queued command forever.
    const options = { maxRetriesPerRequest: 3, connectionName: consumer, lazyConnect: false } as const;
    this.#client = new Redis(url, options);
    this.#reader = new Redis(url, options);
    this.#client.on('error', onError);
    this.#reader.on('error', onError);
    this.#streams = streams;
    this.#consumer = consumer;
  }

  get consumer(): string {
    return this.#consumer;
  }

  /** Creates the group (and the stream) unless it exists. */
  async ensureGroup(startId: string): Promise<void> {
    try {
      await this.#client.call('XGROUP', ['CREATE', this.#streams.input, this.#streams.group, startId, 'MKSTREAM']);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
    }
  }

  /** New entries for this consumer; [] when none arrived within blockMs. */
  async readNew(count: number, blockMs: number): Promise<StreamEntry[]> {
    const { input, group } = this.#streams;
    const raw = await this.#reader.call('XREADGROUP', ['GROUP', group, this.#consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', input, '>']);
    return parseReadGroup(raw);
  }

  /** Claims entries pending longer than minIdleMs, whoever holds them; each claim adds one delivery. */
  async autoClaim(minIdleMs: number, cursor: string, count: number): Promise<AutoClaimPage> {
    const { input, group } = this.#streams;
    return parseAutoClaim(await this.#client.call('XAUTOCLAIM', [input, group, this.#consumer, minIdleMs, cursor, 'COUNT', count]));
  }

  /** Delivery count of each id still pending (ids no longer pending are absent). */
  async deliveryCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const { input, group } = this.#streams;
    const replies = await this.#pipeline(ids.map((id): [string, Args] => ['XPENDING', [input, group, id, id, 1]]));
    const counts = new Map<string, number>();
    for (const reply of replies) for (const p of parsePendingDetails(reply)) counts.set(p.id, p.deliveries);
    return counts;
  }

  /** Which of the keys exist. */
  async existing(keys: readonly string[]): Promise<boolean[]> {
    const replies = await this.#pipeline(keys.map((k): [string, Args] => ['EXISTS', [k]]));
    return replies.map((r) => r === 1);
  }

  /**
   * Appends each item to `stream` unless its key exists, atomically per call (one Lua script), and keeps
   * the fields under the key for ttlSeconds (0: forever). Returns, per item, true if written now, false if
   * it was already there (a redelivery: nothing is appended).
   */
  async writeOnce(stream: string, items: readonly WriteItem[], ttlSeconds: number): Promise<boolean[]> {
    if (items.length === 0) return [];
    const keys = [stream, ...items.map((i) => i.key)];
    const args: Args = [ttlSeconds];
    for (const item of items) args.push(item.fields.length / 2, ...item.fields);
    const raw = await this.#evalScript(keys, args);
    if (!Array.isArray(raw) || raw.length !== items.length) throw new Error(`write-once script returned ${JSON.stringify(raw)}`);
    return raw.map((x) => x === 1);
  }

  async ack(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { input, group } = this.#streams;
    return Number(await this.#client.call('XACK', [input, group, ...ids]));
  }

  /** This group's XINFO GROUPS line, or undefined before the group exists. */
  async groupInfo(): Promise<GroupInfo | undefined> {
    const raw = await this.#client.call('XINFO', ['GROUPS', this.#streams.input]);
    return parseGroupsInfo(raw).find((g) => g.name === this.#streams.group);
  }

  /**
   * Removes other consumers of the group that hold nothing pending and have been idle longer than idleMs.
   * Every restart (every rollback) joins the group under a new name; without this the group's consumer
   * list grows forever. A consumer with nothing pending loses nothing when deleted, and a live one is
   * never idle for long (it reads every BLOCK_MS) and would simply be re-created by its next read.
   */
  async forgetIdleConsumers(idleMs: number): Promise<string[]> {
    const { input, group } = this.#streams;
    const consumers = parseConsumersInfo(await this.#client.call('XINFO', ['CONSUMERS', input, group]));
    const gone = consumers.filter((c) => c.name !== this.#consumer && c.pending === 0 && c.idleMs > idleMs).map((c) => c.name);
    for (const name of gone) await this.#client.call('XGROUP', ['DELCONSUMER', input, group, name]);
    return gone;
  }

  async ping(): Promise<boolean> {
    return (await this.#client.call('PING')) === 'PONG';
  }

  /** QUIT politely, but never wait more than a second for it: during an outage QUIT would queue forever. */
  async close(): Promise<void> {
    await Promise.race([Promise.allSettled([this.#client.quit(), this.#reader.quit()]), sleep(QUIT_TIMEOUT_MS)]);
    this.#client.disconnect();
    this.#reader.disconnect();
  }

  async #evalScript(keys: readonly string[], args: Args): Promise<unknown> {
    try {
      return await this.#client.call('EVALSHA', [this.#scriptSha, keys.length, ...keys, ...args]);
    } catch (err) {
      // First call on this server (or after SCRIPT FLUSH / a restart): send the script itself once.
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      return this.#client.call('EVAL', [WRITE_ONCE_LUA, keys.length, ...keys, ...args]);
    }
  }

  async #pipeline(commands: readonly [string, Args][]): Promise<unknown[]> {
    if (commands.length === 0) return [];
    const pipeline = this.#client.pipeline();
    for (const [name, args] of commands) pipeline.call(name, args);
    const results = await pipeline.exec();
    if (results === null) throw new Error('Redis pipeline was discarded');
    return results.map(([err, value]) => {
      if (err !== null) throw err;
      return value;
    });
  }
}
