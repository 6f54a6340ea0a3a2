// Shapes of the raw RESP2 replies of the stream commands the consumer uses. ioredis's `call` returns
// `unknown`; these check the shape instead of casting, so a surprise (a Redis version, a proxy) fails loudly
// with the command's name rather than as an undefined deep inside the loop.
import type { StreamEntry } from './feature-event.js';

export class ReplyShapeError extends Error {
  override readonly name = 'ReplyShapeError';
}

function fail(command: string, what: string): never {
  throw new ReplyShapeError(`${command}: unexpected reply (${what})`);
}

const isString = (x: unknown): x is string => typeof x === 'string';

function entriesOf(command: string, raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) fail(command, 'entries are not an array');
  const entries: StreamEntry[] = [];
  for (const item of raw as unknown[]) {
    if (!Array.isArray(item) || !isString(item[0])) fail(command, 'entry is not [id, fields]');
    const fields: unknown = item[1];
    // A pending entry deleted from the stream comes back with nil fields: it has nothing to predict.
    if (fields === null) {
      entries.push({ id: item[0], fields: [] });
      continue;
    }
    if (!Array.isArray(fields) || !fields.every(isString)) fail(command, 'fields are not strings');
    entries.push({ id: item[0], fields });
  }
  return entries;
}

/**
 * XREADGROUP … STREAMS <one key> <id>: nil when the block timed out. Redis answers [[key, entries]];
 * ioredis 6 unwraps a one-stream reply to [key, entries]. Both are accepted.
 */
export function parseReadGroup(raw: unknown): StreamEntry[] {
  if (raw === null) return [];
  if (!Array.isArray(raw)) fail('XREADGROUP', 'not an array');
  const first: unknown = raw[0];
  if (first === undefined) return [];
  if (isString(first)) return entriesOf('XREADGROUP', raw[1]);
  if (!Array.isArray(first)) fail('XREADGROUP', 'stream item is not [key, entries]');
  return entriesOf('XREADGROUP', first[1]);
}

export interface AutoClaimPage {
  /** `0-0` when the scan of the pending list is complete. */
  readonly cursor: string;
  readonly entries: StreamEntry[];
  /** Pending ids whose entries were deleted from the stream; Redis has dropped them from the pending list. */
  readonly deletedIds: string[];
}

/** XAUTOCLAIM (Redis >= 7 has the third element). */
export function parseAutoClaim(raw: unknown): AutoClaimPage {
  if (!Array.isArray(raw) || !isString(raw[0])) fail('XAUTOCLAIM', 'not [cursor, entries, deleted]');
  const deleted: unknown = raw[2] ?? [];
  if (!Array.isArray(deleted) || !deleted.every(isString)) fail('XAUTOCLAIM', 'deleted ids are not strings');
  return { cursor: raw[0], entries: entriesOf('XAUTOCLAIM', raw[1]), deletedIds: deleted };
}

export interface PendingDetail {
  readonly id: string;
  readonly consumer: string;
  readonly idleMs: number;
  readonly deliveries: number;
}

/** XPENDING key group [IDLE ms] start end count [consumer]. */
export function parsePendingDetails(raw: unknown): PendingDetail[] {
  if (!Array.isArray(raw)) fail('XPENDING', 'not an array');
  return (raw as unknown[]).map((item) => {
    if (!Array.isArray(item) || !isString(item[0]) || !isString(item[1])) fail('XPENDING', 'item is not [id, consumer, idle, deliveries]');
    const idle = Number(item[2]);
    const deliveries = Number(item[3]);
    if (!Number.isFinite(idle) || !Number.isFinite(deliveries)) fail('XPENDING', 'idle or deliveries is not a number');
    return { id: item[0], consumer: item[1], idleMs: idle, deliveries };
  });
}

export interface GroupInfo {
  readonly name: string;
  readonly consumers: number;
  readonly pending: number;
  /** Entries not yet delivered to the group; null when Redis cannot tell (after deletions or trimming). */
  readonly lag: number | null;
}

/** XINFO GROUPS key: one flat [name, value, …] list per group. */
export function parseGroupsInfo(raw: unknown): GroupInfo[] {
  if (!Array.isArray(raw)) fail('XINFO GROUPS', 'not an array');
  return (raw as unknown[]).map((item) => {
    if (!Array.isArray(item)) fail('XINFO GROUPS', 'group is not a list');
    const map = new Map<string, unknown>();
    for (let i = 0; i + 1 < item.length; i += 2) map.set(String(item[i]), item[i + 1]);
    const name = map.get('name');
    if (!isString(name)) fail('XINFO GROUPS', 'group has no name');
    const lag = map.get('lag');
    return {
      name,
      consumers: Number(map.get('consumers') ?? 0),
      pending: Number(map.get('pending') ?? 0),
      lag: lag === null || lag === undefined ? null : Number(lag),
    };
  });
}

export interface ConsumerInfo {
  readonly name: string;
  readonly pending: number;
  readonly idleMs: number;
}

/** XINFO CONSUMERS key group: one flat [name, value, …] list per consumer. */
export function parseConsumersInfo(raw: unknown): ConsumerInfo[] {
  if (!Array.isArray(raw)) fail('XINFO CONSUMERS', 'not an array');
  return (raw as unknown[]).map((item) => {
    if (!Array.isArray(item)) fail('XINFO CONSUMERS', 'consumer is not a list');
    const map = new Map<string, unknown>();
    for (let i = 0; i + 1 < item.length; i += 2) map.set(String(item[i]), item[i + 1]);
    const name = map.get('name');
    const pending = Number(map.get('pending'));
    const idle = Number(map.get('idle'));
    if (!isString(name) || !Number.isFinite(pending) || !Number.isFinite(idle)) fail('XINFO CONSUMERS', 'consumer lacks name, pending or idle');
    return { name, pending, idleMs: idle };
  });
}
