// Composition root of the prediction consumer: env → config → model (the API's own loader) → Redis → HTTP →
// read loop. SIGTERM/SIGINT finish the batch in hand, acknowledge it, and exit 0 (or 1 after 9 s, inside
// Docker's 10 s).
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { EnvConfigError } from '../config.js';
import { loadScorer } from '../load-scorer.js';
import { findPackageRoot } from '../package-root.js';
import type { Scorer } from '../scorers/scorer.js';
import { loadConsumerConfig, type ConsumerConfig } from './config.js';
import { ConsumerLoop } from './consumer-loop.js';
import { buildConsumerHttp } from './http.js';
import { createConsumerMetrics } from './metrics.js';
import { ConsumerStreams } from './redis-streams.js';

const SHUTDOWN_GRACE_MS = 9_000;

/** Exit code 2 on a configuration error (nothing to retry), like the prediction service. */
function configOrExit(bootLog: Logger): ConsumerConfig {
  try {
    return loadConsumerConfig(process.env, join(findPackageRoot(import.meta.url), 'models', 'artifacts'), process.cwd());
  } catch (err) {
    if (!(err instanceof EnvConfigError)) throw err;
    bootLog.fatal(`invalid configuration: ${err.message}`);
    process.exit(2);
  }
}

async function scorerOrExit(config: ConsumerConfig, log: Logger): Promise<Scorer> {
  try {
    return await loadScorer(config.service, log, Date.now());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.fatal({ err, model_dir: config.service.modelDir }, `failed to load the ${config.service.variant} model: ${message}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const bootLog = pino({ level: 'info', base: { service: 'prediction-consumer' } }, pino.destination({ fd: 1, sync: true }));
  const config = configOrExit(bootLog);
  const log = bootLog.child({ model_variant: config.service.variant, consumer: config.consumerName });
  log.level = config.service.logLevel;
  const scorer = await scorerOrExit(config, log);

  // Connection errors repeat while Redis is down; ioredis reconnects by itself, so a warning is enough.
  const redis = new ConsumerStreams(config.redisUrl, config.streams, config.consumerName, (err) => log.warn({ err: err.message }, 'redis connection error'));
  const registry = new Registry();
  const metrics = createConsumerMetrics(registry, scorer, () => redis.groupInfo());
  const loop = new ConsumerLoop({
    redis,
    store: redis,
    scorer,
    metrics,
    streams: config.streams,
    producer: { variant: scorer.variant, version: scorer.version, consumer: config.consumerName },
    maxDeliveries: config.maxDeliveries,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    keyPrefix: config.keyPrefix,
    now: Date.now,
    log,
    config,
  });
  const http = buildConsumerHttp({ scorer, registry, redisAlive: () => redis.ping(), consumerName: config.consumerName, logger: log });

  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: { error: (m: unknown) => log.error(m) } }, async ({ signal, err }) => {
    if (err !== undefined) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down: finishing the batch in hand');
    await loop.stop(); // the batch in hand is written and acknowledged before this resolves
    await http.close();
    await redis.close();
    await scorer.close();
    log.info('shut down cleanly');
  });

  let address: string;
  try {
    address = await http.listen({ port: config.service.port, host: config.service.host });
  } catch (err) {
    log.fatal({ err }, `cannot listen on ${config.service.host}:${config.service.port}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  log.info(
    { address, model_version: scorer.version, streams: config.streams, batch_size: config.batchSize },
    `prediction consumer listening on ${address}, reading ${config.streams.input} as ${config.streams.group}/${config.consumerName}`,
  );
  void loop.start();
}

await main();
