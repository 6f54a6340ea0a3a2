// Bad events do not block the stream: an invalid event is dead-lettered with its reason and original fields
// and the events after it are predicted; a model that keeps failing dead-letters after MAX_DELIVERIES; the
// HTTP side reports it all, and /health turns 503 when Redis goes away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsumer, startConsumer, type ConsumerProcess } from './consumer-process.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { deadLetters, featureFields, group, metricValue, predictions, publish, waitDrained, waitFor } from './streams.js';

let redis: RedisServer;
const started: ConsumerProcess[] = [];

beforeAll(async () => {
  await buildConsumer();
  redis = await startRedis();
}, 120_000);
afterAll(async () => {
  await Promise.all(started.map((c) => c.kill()));
  await redis?.stop();
});

describe('prediction consumer with bad events', () => {
  let url: string;

  it('dead-letters invalid events with reason and original fields, and keeps predicting the events after them', async () => {
    const consumer = startConsumer({ REDIS_URL: redis.url, CONSUMER_NAME: 'c-poison', BATCH_SIZE: '4', BLOCK_MS: '200' });
    started.push(consumer);
    url = await consumer.listening();
    const c = redis.client;
    await publish(c, 'features', 0, 5);
    await c.call('XADD', ['features', '*', 'event_id', 'poison-range', 'price', '-1', 'volatility', '0.01']);
    await c.call('XADD', ['features', '*', 'event_id', 'poison-json', 'features', '{"price": 10,']);
    await c.call('XADD', ['features', '*', 'event_id', 'poison-field', ...featureFields(1), 'colour', 'red']);
    await publish(c, 'features', 5, 10);
    // A producer retry: the same event_id again, with different features. It must not get a second prediction.
    await c.call('XADD', ['features', '*', 'event_id', 'e-3', ...featureFields(99)]);
    await waitDrained(c, 13);

    const out = await predictions(c);
    expect(out.map((p) => p.eventId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `e-${i}`).sort()); // e-3 once
    expect(new Set(out.map((p) => p.modelVariant))).toEqual(new Set(['ml']));
    const dead = await deadLetters(c);
    const byId = new Map(dead.map((d) => [d['event_id'], d]));
    expect(byId.size).toBe(3);
    expect(byId.get('poison-range')).toMatchObject({ reason: 'out_of_range', message: 'price must be > 0, got -1', deliveries: '1', source_stream: 'features' });
    expect(JSON.parse(byId.get('poison-range')?.['original'] ?? '')).toEqual({ event_id: 'poison-range', price: '-1', volatility: '0.01' });
    expect(byId.get('poison-json')?.['reason']).toBe('invalid_json');
    expect(byId.get('poison-field')).toMatchObject({ reason: 'unknown_field' });
    expect(JSON.parse(byId.get('poison-field')?.['original'] ?? '')).toMatchObject({ colour: 'red' });
    // Everything acknowledged: nothing pending, nothing undelivered.
    expect(await group(c)).toMatchObject({ pending: 0, lag: 0 });

    expect(await metricValue(url, 'consumer_events_processed_total{variant="ml",outcome="ok"}')).toBe(10);
    expect(await metricValue(url, 'consumer_events_processed_total{variant="ml",outcome="invalid"}')).toBe(3);
    expect(await metricValue(url, 'consumer_events_processed_total{variant="ml",outcome="duplicate"}')).toBe(1);
    expect(await metricValue(url, 'consumer_dead_letters_total{variant="ml",reason="out_of_range"}')).toBe(1);
    expect(await metricValue(url, 'consumer_lag_events{kind="pending"}')).toBe(0);
    expect(await metricValue(url, 'consumer_lag_events{kind="undelivered"}')).toBe(0);
    expect(await metricValue(url, 'consumer_processing_duration_seconds_count{variant="ml"}')).toBeGreaterThan(0);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^model_info\{variant="ml",version="xgb-[^"]+"\} 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('answers /health and /version like the API', async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', redis: 'ok', model_variant: 'ml' });
    const version = (await (await fetch(`${url}/version`)).json()) as Record<string, unknown>;
    expect(version).toMatchObject({ model_variant: 'ml', model_engine: 'compiled-trees', consumer_name: 'c-poison' });
    expect(String(version['model_version'])).toMatch(/^xgb-/);
  });

  it('retries a model error a bounded number of times, then dead-letters it as model_error', async () => {
    // Same event ids as the first test's stream: a second pipeline on the same Redis needs its own KEY_PREFIX.
    const streams = { INPUT_STREAM: 'faulty', OUTPUT_STREAM: 'faulty-out', DEAD_LETTER_STREAM: 'faulty-dead', KEY_PREFIX: 'faulty:' };
    const consumer = startConsumer({
      REDIS_URL: redis.url,
      ...streams,
      CONSUMER_NAME: 'c-faulty',
      FAULT_ML_ERROR_RATE: '1',
      MAX_DELIVERIES: '3',
      RECLAIM_MIN_IDLE_MS: '200',
      RECLAIM_INTERVAL_MS: '100',
      BLOCK_MS: '100',
    });
    started.push(consumer);
    const faultyUrl = await consumer.listening();
    const c = redis.client;
    await publish(c, 'faulty', 0, 4);
    await waitDrained(c, 4, 20_000, { input: 'faulty', output: 'faulty-out', deadLetter: 'faulty-dead' });

    expect(await c.xlen('faulty-out')).toBe(0);
    const dead = await deadLetters(c, 'faulty-dead');
    expect(dead.map((d) => d['event_id']).sort()).toEqual(['e-0', 'e-1', 'e-2', 'e-3']);
    for (const d of dead) {
      expect(d).toMatchObject({ reason: 'model_error', deliveries: '3' });
      expect(d['message']).toContain('injected fault (FAULT_ML_ERROR_RATE) (delivery 3 of 3)');
    }
    // One failed attempt per delivery: 4 events × 3 deliveries.
    expect(await metricValue(faultyUrl, 'consumer_events_processed_total{variant="ml",outcome="model_error"}')).toBe(12);
    expect(await metricValue(faultyUrl, 'consumer_dead_letters_total{variant="ml",reason="model_error"}')).toBe(4);
    expect(await group(c, 'faulty')).toMatchObject({ pending: 0, lag: 0 });
    // The poison events of the first consumer's stream are untouched by this one.
    expect(await c.xlen('predictions-dead-letter')).toBe(3);
  });

  it('answers /health 503 when Redis is gone, and stops exporting the backlog it can no longer read', async () => {
    expect(await metricValue(url, 'consumer_lag_events{kind="pending"}')).toBe(0);
    await redis.daemon.kill();
    await waitFor('health 503', async () => (await fetch(`${url}/health`)).status === 503, 10_000);
    const body = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'unavailable', redis: 'unreachable', model_variant: 'ml' });
    // Issue #14 finding 8: the last value (0) used to stay exported, a backlog nobody measured any more.
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).not.toMatch(/^consumer_lag_events\{/m);
    expect(text).toMatch(/^consumer_events_processed_total\{variant="ml",outcome="ok"\} 10$/m);
  });
});
