// Test-side reads and writes of the streams: publishing feature events and reading back what the consumer
// wrote, through a plain ioredis client.
import type { Redis } from 'ioredis';
import { sleep } from '../../helpers/daemon.js';
import { fieldsToRecord } from '../../../service/consumer/feature-event.js';
import { readPrediction, type PredictionView } from '../../../service/consumer/records.js';
import { parseGroupsInfo, type GroupInfo } from '../../../service/consumer/stream-replies.js';

/** A plausible market tick; `i` varies volatility so both classes occur. */
export function featureFields(i: number): string[] {
  const price = 100 + (i % 50) / 10;
  const volatility = (i % 7 === 0 ? 0.05 : 0.005) + (i % 13) / 10_000;
  return ['price', String(price), 'midprice', String(price - 0.01), 'return_1s', String(((i % 9) - 4) / 1000), 'return_5s', String(((i % 11) - 5) / 500), 'volatility', String(volatility)];
}

/** XADDs events `e-<from>` … `e-<to-1>` in one pipeline; returns their event ids. */
export async function publish(client: Redis, stream: string, from: number, to: number): Promise<string[]> {
  const pipeline = client.pipeline();
  const ids: string[] = [];
  for (let i = from; i < to; i++) {
    ids.push(`e-${i}`);
    pipeline.call('XADD', [stream, '*', 'event_id', `e-${i}`, ...featureFields(i)]);
  }
  await pipeline.exec();
  return ids;
}

type RawEntry = [string, string[]];

export async function readStream(client: Redis, stream: string): Promise<{ id: string; fields: string[] }[]> {
  const raw = (await client.call('XRANGE', [stream, '-', '+'])) as RawEntry[];
  return raw.map(([id, fields]) => ({ id, fields }));
}

export async function predictions(client: Redis, stream = 'predictions'): Promise<PredictionView[]> {
  return (await readStream(client, stream)).map((e) => readPrediction(e.fields));
}

export async function deadLetters(client: Redis, stream = 'predictions-dead-letter'): Promise<Record<string, string>[]> {
  return (await readStream(client, stream)).map((e) => ({ ...fieldsToRecord(e.fields) }));
}

export async function group(client: Redis, stream = 'features', name = 'prediction-consumer'): Promise<GroupInfo | undefined> {
  return parseGroupsInfo(await client.call('XINFO', ['GROUPS', stream])).find((g) => g.name === name);
}

/** Pending count per consumer name (XINFO CONSUMERS). */
export async function pendingByConsumer(client: Redis, stream = 'features', groupName = 'prediction-consumer'): Promise<Map<string, number>> {
  let raw: unknown[][];
  try {
    raw = (await client.call('XINFO', ['CONSUMERS', stream, groupName])) as unknown[][];
  } catch (err) {
    // Before the consumer has created its group there are no consumers at all.
    if (err instanceof Error && err.message.startsWith('NOGROUP')) return new Map();
    throw err;
  }
  const out = new Map<string, number>();
  for (const item of raw) {
    const map = new Map<string, unknown>();
    for (let i = 0; i + 1 < item.length; i += 2) map.set(String(item[i]), item[i + 1]);
    out.set(String(map.get('name')), Number(map.get('pending')));
  }
  return out;
}

/** Polls until `check` returns true, or throws with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, state?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state === undefined ? '' : `; ${await state()}`}`);
    await sleep(50);
  }
}

/** Until `count` records are on the output+dead-letter streams and the group has nothing pending or undelivered. */
export async function waitDrained(client: Redis, count: number, timeoutMs = 30_000, streams = { input: 'features', output: 'predictions', deadLetter: 'predictions-dead-letter' }): Promise<void> {
  await waitFor(`${count} records and an empty backlog`, async () => {
    const written = Number(await client.xlen(streams.output)) + Number(await client.xlen(streams.deadLetter));
    const info = await group(client, streams.input);
    return written >= count && info !== undefined && info.pending === 0 && info.lag === 0;
  }, timeoutMs, async () => {
    const lengths = `${streams.output}: ${await client.xlen(streams.output)}, ${streams.deadLetter}: ${await client.xlen(streams.deadLetter)}`;
    return `${lengths}, group: ${JSON.stringify(await group(client, streams.input))}`;
  });
}

export async function metricValue(baseUrl: string, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
