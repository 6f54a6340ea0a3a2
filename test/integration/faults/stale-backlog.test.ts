// Fault: Redis stops under the prediction consumer. Its backlog (consumer_lag_events, read from Redis at
// scrape time) can no longer be read. Guardrail: the consumer stops exporting the gauge instead of
// repeating the last value, and the shipped policy's consumer-backlog reason — asked exactly as written,
// through the controller's Prometheus adapter and a real Prometheus scraping the real consumer under its
// stack job name — reads UNKNOWN (no_data), never a stale or made-up number. A deployment with no
// consumer job still reads 0 (not blind). (Redis stopped before and during a rollback: the rollback side
// of that fault is in its own file.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetricsSource } from '../../../controller/adapters/prometheus/index.js';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';
import { buildConsumer, startConsumer, type ConsumerProcess } from '../consumer/consumer-process.js';
import { startRedis, type RedisServer } from '../consumer/redis-server.js';
import { REPO_ROOT, waitUntil } from '../runtime/real-stack.js';

let redis: RedisServer;
let consumer: ConsumerProcess;
let prometheus: RealPrometheus;
let withoutConsumer: RealPrometheus;
let query = '';

beforeAll(async () => {
  const policy = parse(await readFile(join(REPO_ROOT, 'policies/prediction-service.yaml'), 'utf8')) as { reasons: { name: string; query?: string }[] };
  query = policy.reasons.find((r) => r.name === 'consumer-backlog')?.query ?? '';
  await buildConsumer();
  redis = await startRedis();
  consumer = startConsumer({ REDIS_URL: redis.url, CONSUMER_NAME: 'c-stale', BLOCK_MS: '200' });
  const address = new URL(await consumer.listening()).host;
  // 2 s scrapes: the consumer gives Redis 1 s per scrape, so the scrape itself still succeeds (up == 1).
  prometheus = await startPrometheus({ scrapeTargets: [], scrapeIntervalSec: 2, extraScrapeConfigs: [{ job_name: 'prediction-consumer', static_configs: [{ targets: [address] }] }] });
  withoutConsumer = await startPrometheus({ scrapeTargets: [] });
}, 180_000);

afterAll(async () => {
  await consumer?.kill();
  await redis?.stop();
  await prometheus?.stop();
  await withoutConsumer?.stop();
});

const ask = (url: string) => new PrometheusMetricsSource({ baseUrl: url, timeoutMs: 2_000 }).query(query);

describe('fault: Redis stops under the consumer', () => {
  it('the shipped consumer-backlog reason reads the backlog while Redis answers', async () => {
    expect(query).toContain('consumer_lag_events');
    await waitUntil('the backlog in Prometheus', 30_000, async () => ((await ask(prometheus.url)).kind === 'value' ? true : undefined), 500);
    expect(await ask(prometheus.url)).toEqual({ kind: 'value', value: 0 });
  });

  it('reads UNKNOWN no_data once Redis is gone: the gauge is dropped, not frozen', async () => {
    await redis.daemon.kill();
    const sample = await waitUntil('the backlog to go unknown', 30_000, async () => {
      const s = await ask(prometheus.url);
      return s.kind === 'unknown' ? s : undefined;
    }, 500);
    expect(sample).toMatchObject({ kind: 'unknown', cause: 'no_data' });
    const text = await (await fetch(`${await consumer.listening()}/metrics`)).text();
    expect(text).not.toMatch(/^consumer_lag_events\{/m);
    // The consumer itself is still scraped: it is the backlog that is unknown, not the target.
    expect(await prometheus.query('up{job="prediction-consumer"}')).toMatchObject({ data: { result: [{ value: [expect.any(Number), '1'] }] } });
  });

  it('a Prometheus that scrapes no consumer reads 0, so a deployment without it is never blind', async () => {
    await waitUntil('an answer', 20_000, async () => ((await ask(withoutConsumer.url)).kind === 'value' ? true : undefined), 500);
    expect(await ask(withoutConsumer.url)).toEqual({ kind: 'value', value: 0 });
  });
});
