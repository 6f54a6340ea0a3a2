// What happens to a batch in flight when the consumer dies or is stopped: SIGKILL leaves it pending and a
// new consumer reclaims and predicts it exactly once; a consumer that wrote but died before XACK gets no
// second prediction; SIGTERM finishes the batch, acknowledges it, and exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictionRecord } from '../../../service/consumer/records.js';
import { ConsumerStreams } from '../../../service/consumer/redis-streams.js';
import { buildConsumer, startConsumer, type ConsumerProcess } from './consumer-process.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { group, metricValue, pendingByConsumer, predictions, publish, waitDrained, waitFor } from './streams.js';

let redis: RedisServer;
const started: ConsumerProcess[] = [];
const run = (env: Record<string, string>): ConsumerProcess => {
  const consumer = startConsumer({ REDIS_URL: redis.url, BLOCK_MS: '200', ...env });
  started.push(consumer);
  return consumer;
};
/** Each test its own streams and key prefix on the shared Redis. */
const streamsFor = (name: string) => ({
  env: { INPUT_STREAM: `${name}-in`, OUTPUT_STREAM: `${name}-out`, DEAD_LETTER_STREAM: `${name}-dead`, KEY_PREFIX: `${name}:` },
  names: { input: `${name}-in`, output: `${name}-out`, deadLetter: `${name}-dead` },
});

beforeAll(async () => {
  await buildConsumer();
  redis = await startRedis();
}, 180_000);
afterAll(async () => {
  await Promise.all(started.map((c) => c.kill()));
  await redis?.stop();
});

describe('prediction consumer crash and shutdown', () => {
  it('SIGKILL mid-batch: the pending batch is reclaimed by a new consumer and predicted exactly once', async () => {
    const { env, names } = streamsFor('kill');
    const c = redis.client;
    // A slow model keeps the first batch of 50 in flight long enough to kill the process inside it.
    // Published before it starts, so its first read is a full batch.
    await publish(c, names.input, 0, 120);
    const victim = run({ ...env, CONSUMER_NAME: 'victim', BATCH_SIZE: '50', FAULT_ML_LATENCY_MS: '3000' });
    await victim.listening();
    await waitFor('the victim holding a batch', async () => (await pendingByConsumer(c, names.input)).get('victim') === 50);
    await victim.kill();
    expect(await c.xlen(names.output)).toBe(0);
    expect((await pendingByConsumer(c, names.input)).get('victim')).toBe(50);

    const rescuer = run({ ...env, CONSUMER_NAME: 'rescuer', BATCH_SIZE: '50', RECLAIM_MIN_IDLE_MS: '500', RECLAIM_INTERVAL_MS: '200', CONSUMER_EXPIRY_MS: '1000' });
    const url = await rescuer.listening();
    await waitDrained(c, 120, 30_000, names);

    const out = await predictions(c, names.output);
    const ids = out.map((p) => p.eventId);
    expect(ids.length).toBe(120);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 120 }, (_, i) => `e-${i}`)));
    expect(new Set(out.map((p) => p.consumer))).toEqual(new Set(['rescuer']));
    // Its pending list empty and idle past CONSUMER_EXPIRY_MS, the dead consumer is removed from the group.
    await waitFor('the victim forgotten', async () => !(await pendingByConsumer(c, names.input)).has('victim'), 10_000);
    expect([...(await pendingByConsumer(c, names.input)).keys()]).toEqual(['rescuer']);
    const reclaimed = rescuer.logs().filter((l) => l['msg'] === 'reclaimed pending entries').reduce((n, l) => n + Number(l['count']), 0);
    expect(reclaimed).toBe(50);
    expect(await metricValue(url, 'consumer_events_processed_total{variant="ml",outcome="ok"}')).toBe(120);
  });

  it('a consumer that wrote its predictions but died before XACK: the redelivery adds no second prediction', async () => {
    const { env, names } = streamsFor('ghost');
    const c = redis.client;
    const ghost = new ConsumerStreams(redis.url, { ...names, group: 'prediction-consumer' }, 'ghost', () => undefined);
    try {
      await ghost.ensureGroup('0');
      await publish(c, names.input, 0, 10);
      const entries = await ghost.readNew(10, 100);
      expect(entries.length).toBe(10);
      // Exactly what processBatch writes, with a probability the real model would not give, then no XACK.
      const producer = { variant: 'ml', version: 'xgb-ghost', consumer: 'ghost' } as const;
      const items = entries.map((entry, i) => ({
        key: `ghost:prediction:e-${i}`,
        fields: predictionRecord({ eventId: `e-${i}`, sourceId: entry.id, score: { prediction: 0, probability: 0.123 }, missing: [], producer, nowMs: Date.now() }),
      }));
      expect(await ghost.writeOnce(names.output, items, 60)).toEqual(Array(10).fill(true));
    } finally {
      await ghost.close();
    }

    const heir = run({ ...env, CONSUMER_NAME: 'heir', RECLAIM_MIN_IDLE_MS: '300', RECLAIM_INTERVAL_MS: '100' });
    const url = await heir.listening();
    await waitDrained(c, 10, 30_000, names);
    const out = await predictions(c, names.output);
    expect(out.length).toBe(10);
    expect(out.every((p) => p.consumer === 'ghost' && p.probability === 0.123)).toBe(true);
    expect(await metricValue(url, 'consumer_events_processed_total{variant="ml",outcome="duplicate"}')).toBe(10);
    expect(await metricValue(url, 'consumer_events_processed_total{variant="ml",outcome="ok"}')).toBe(0);
    expect(await group(c, names.input)).toMatchObject({ pending: 0, lag: 0 });
  });

  it('SIGTERM: the batch in flight is finished and acknowledged, then the process exits 0', async () => {
    const { env, names } = streamsFor('term');
    const c = redis.client;
    await publish(c, names.input, 0, 30);
    const consumer = run({ ...env, CONSUMER_NAME: 'graceful', FAULT_ML_LATENCY_MS: '1500' });
    await consumer.listening();
    await waitFor('the batch in flight', async () => (await pendingByConsumer(c, names.input)).get('graceful') === 30);
    const signalledAt = Date.now();
    const { code, signal } = await consumer.terminate();
    const tookMs = Date.now() - signalledAt;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // It waited for the 1.5 s model call in flight rather than dropping it, and stayed inside Docker's 10 s.
    expect(tookMs).toBeGreaterThan(500);
    expect(tookMs).toBeLessThan(9_000);
    const out = await predictions(c, names.output);
    expect(out.map((p) => p.eventId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `e-${i}`).sort());
    expect((await pendingByConsumer(c, names.input)).get('graceful')).toBe(0);
    expect(await group(c, names.input)).toMatchObject({ pending: 0, lag: 0 });
    const messages = consumer.logs().map((l) => l['msg']);
    expect(messages).toContain('shutting down: finishing the batch in hand');
    expect(messages.at(-1)).toBe('shut down cleanly');
  });
});
