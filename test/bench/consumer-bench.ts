// npm run bench:consumer — events per second of one prediction consumer per model variant: N events are
// pre-loaded into a fresh stream, one consumer (BATCH_SIZE 100) is started, and the rate is N divided by the
// time from its first to its last prediction (stream ids are millisecond timestamps), so process start-up
// and model loading are not counted. Real redis-server on a free port, the compiled consumer as a child.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { Redis } from 'ioredis';
import { buildConsumer, startConsumer } from '../integration/consumer/consumer-process.js';
import { startRedis } from '../integration/consumer/redis-server.js';
import { publish, waitDrained } from '../integration/consumer/streams.js';
import { BenchLoad } from './lib/machine.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 50_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 100);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const VARIANTS = ['ml', 'baseline'] as const;
const PRELOAD_CHUNK = 5_000;

interface RunResult {
  readonly variant: (typeof VARIANTS)[number];
  readonly run: number;
  readonly drainMs: number;
  readonly eventsPerSecond: number;
}

/** The millisecond part of the first and last entry ids of a stream. */
async function firstAndLastMs(client: Redis, stream: string): Promise<[number, number]> {
  const first = (await client.call('XRANGE', [stream, '-', '+', 'COUNT', 1])) as [string, string[]][];
  const last = (await client.call('XREVRANGE', [stream, '+', '-', 'COUNT', 1])) as [string, string[]][];
  const ms = (entries: [string, string[]][]): number => Number((entries[0]?.[0] ?? '0-0').split('-')[0]);
  return [ms(first), ms(last)];
}

async function main(): Promise<void> {
  const load = new BenchLoad();
  console.log(`bench:consumer — ${load.startLine()}`);
  await buildConsumer();
  const redis = await startRedis();
  const results: RunResult[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const variant of VARIANTS) {
        const name = `bench-${variant}-${run}`;
        const names = { input: `${name}-in`, output: `${name}-out`, deadLetter: `${name}-dead` };
        for (let from = 0; from < EVENTS; from += PRELOAD_CHUNK) await publish(redis.client, names.input, from, Math.min(from + PRELOAD_CHUNK, EVENTS));
        const consumer = startConsumer({
          REDIS_URL: redis.url,
          MODEL_VARIANT: variant,
          INPUT_STREAM: names.input,
          OUTPUT_STREAM: names.output,
          DEAD_LETTER_STREAM: names.deadLetter,
          KEY_PREFIX: `${name}:`,
          BATCH_SIZE: String(BATCH),
        });
        try {
          await consumer.listening();
          await waitDrained(redis.client, EVENTS, 300_000, names);
        } finally {
          await consumer.terminate();
        }
        const written = await redis.client.xlen(names.output);
        if (written !== EVENTS) throw new Error(`${name}: ${written} predictions for ${EVENTS} events`);
        const [first, last] = await firstAndLastMs(redis.client, names.output);
        const drainMs = Math.max(1, last - first);
        results.push({ variant, run, drainMs, eventsPerSecond: Math.round((EVENTS / drainMs) * 1000) });
        console.log(`${variant} run ${run}: ${EVENTS} events in ${drainMs} ms → ${results.at(-1)?.eventsPerSecond} events/s`);
        // Free the memory of this run before the next one.
        await redis.client.flushall();
      }
    }
  } finally {
    await redis.stop();
  }
  const redisVersion = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\nmachine: ${load.endLine()}; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${redisVersion.split(' ').slice(0, 3).join(' ')}`);
  console.log(`command: BENCH_EVENTS=${EVENTS} BENCH_BATCH=${BATCH} BENCH_RUNS=${RUNS} npm run bench:consumer`);
  console.log('| variant | run | events | drain (ms) | events/s |');
  console.log('|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.variant} | ${r.run} | ${EVENTS} | ${r.drainMs} | ${r.eventsPerSecond} |`);
  console.log('');
  for (const variant of VARIANTS) {
    const rates = results.filter((r) => r.variant === variant).map((r) => r.eventsPerSecond);
    console.log(`${variant}: median ${median(rates)} events/s over ${rates.length} runs (min ${Math.min(...rates)}, max ${Math.max(...rates)})`);
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

await main();
