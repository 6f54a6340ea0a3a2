// 10,000 events published while the consumer is rolled back to the baseline and forward to ML again,
// through the controller's own process actuator (SIGTERM, start with MODEL_VARIANT changed, verify /health
// and /version): every event ends with exactly one prediction, none lost, none duplicated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessActuator, type ProcessTarget } from '../../../controller/adapters/process/actuator.js';
import type { SwitchResult } from '../../../controller/ports/actuator.js';
import { sleep } from '../../helpers/daemon.js';
import { freePort } from '../../helpers/free-port.js';
import { CONSUMER_JS, PACKAGE_ROOT, buildConsumer } from './consumer-process.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { deadLetters, group, predictions, publish, waitDrained, waitFor } from './streams.js';

const TOTAL = 10_000;
const CHUNK = 250;
const CHUNK_EVERY_MS = 100;

let redis: RedisServer;
let actuator: ProcessActuator | undefined;

beforeAll(async () => {
  await buildConsumer();
  redis = await startRedis();
}, 180_000);
afterAll(async () => {
  await actuator?.close();
  await redis?.stop();
});

async function consumerTarget(): Promise<ProcessTarget> {
  const port = await freePort();
  return {
    spec: {
      name: 'prediction-consumer',
      selector: { containerName: 'prediction-consumer' },
      variable: 'MODEL_VARIANT',
      strategy: 'recreate',
      verify: { port, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 20_000 },
    },
    process: {
      command: process.execPath,
      args: [CONSUMER_JS],
      cwd: PACKAGE_ROOT,
      // MODEL_VARIANT absent: the original value, which the roll-forward restores.
      env: { PATH: process.env['PATH'] ?? '', REDIS_URL: redis.url, HOST: '127.0.0.1', PORT: String(port), BATCH_SIZE: '100', BLOCK_MS: '200', LOG_LEVEL: 'warn' },
      stdio: 'ignore',
      stopTimeoutMs: 9_000,
    },
  };
}

/** Until the newest prediction on the output stream comes from `variant`. */
async function waitForVariant(variant: string): Promise<void> {
  await waitFor(`a ${variant} prediction`, async () => {
    const last = (await redis.client.call('XREVRANGE', ['predictions', '+', '-', 'COUNT', '1'])) as [string, string[]][];
    const fields = last[0]?.[1] ?? [];
    return fields[fields.indexOf('model_variant') + 1] === variant;
  }, 20_000);
}

describe('prediction consumer across a rollback and a roll-forward', () => {
  it(`predicts each of ${TOTAL} events exactly once while the actuator switches ml → baseline → ml`, async () => {
    const target = await consumerTarget();
    actuator = new ProcessActuator([target]);
    await actuator.start(target.spec.name);

    const published: string[] = [];
    const switches: SwitchResult[] = [];
    const producer = (async () => {
      for (let from = 0; from < TOTAL; from += CHUNK) {
        published.push(...(await publish(redis.client, 'features', from, Math.min(from + CHUNK, TOTAL))));
        await sleep(CHUNK_EVERY_MS);
      }
    })();
    // Switch while the producer keeps publishing: events arrive while no consumer runs at all.
    const act = actuator;
    const switching = (async () => {
      await waitFor('2,000 events published', async () => published.length >= 2_000);
      await waitForVariant('ml');
      switches.push(await act.switchVariant({ service: target.spec, value: 'baseline', rollbackId: 'rb-1' }));
      const atRollback = published.length;
      await waitForVariant('baseline');
      // Serve a good share in rollback mode before going forward again.
      await waitFor('2,500 more events published', async () => published.length >= atRollback + 2_500);
      switches.push(await act.switchVariant({ service: target.spec, value: null, rollbackId: 'rb-1-forward' }));
    })();
    await Promise.all([producer, switching]);
    await waitDrained(redis.client, TOTAL, 60_000);

    expect(switches.map((s) => [s.fromValue, s.toValue, s.noop])).toEqual([
      [null, 'baseline', false],
      ['baseline', null, false],
    ]);
    const out = await predictions(redis.client);
    const ids = out.map((p) => p.eventId);
    expect(ids.length).toBe(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL); // none duplicated
    expect([...ids].sort()).toEqual([...published].sort()); // none lost
    expect(await deadLetters(redis.client)).toEqual([]);
    expect(await group(redis.client)).toMatchObject({ pending: 0, lag: 0 });

    const byVariant = { ml: 0, baseline: 0 };
    for (const p of out) byVariant[p.modelVariant === 'baseline' ? 'baseline' : 'ml']++;
    const consumers = new Set(out.map((p) => p.consumer));
    console.log(`rollback run: ${TOTAL} events → ml ${byVariant.ml}, baseline ${byVariant.baseline}, by ${consumers.size} consumer processes; switch durations ${switches.map((s) => `${s.durationMs} ms`).join(', ')}`);
    expect(byVariant.ml).toBeGreaterThan(0);
    expect(byVariant.baseline).toBeGreaterThan(0);
    expect(byVariant.ml + byVariant.baseline).toBe(TOTAL);
    expect(consumers.size).toBe(3);
    // The baseline's predictions are the baseline's: its version, never an ML one.
    expect(out.filter((p) => p.modelVariant === 'baseline').every((p) => /^baseline-\d+$/.test(p.modelVersion))).toBe(true);
  });
});
