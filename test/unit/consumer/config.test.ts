import { describe, expect, it } from 'vitest';
import { EnvConfigError } from '../../../service/config.js';
import { loadConsumerConfig } from '../../../service/consumer/config.js';

const load = (env: Record<string, string>) => loadConsumerConfig(env, '/models', '/cwd', 42);

describe('loadConsumerConfig', () => {
  it('has the documented defaults', () => {
    const config = load({});
    expect(config.streams).toEqual({ input: 'features', output: 'predictions', deadLetter: 'predictions-dead-letter', group: 'prediction-consumer' });
    expect(config.service.port).toBe(8001);
    expect(config.service.variant).toBe('ml');
    expect(config.consumerName).toMatch(/-42$/);
    expect(config).toMatchObject({ batchSize: 100, blockMs: 1000, reclaimMinIdleMs: 30_000, maxDeliveries: 3, groupStartId: '0', redisUrl: 'redis://127.0.0.1:6379' });
  });

  it('shares the API settings: variant and fault injection', () => {
    const config = load({ MODEL_VARIANT: 'baseline', FAULT_ML_ERROR_RATE: '0.5', FAULT_ML_LATENCY_MS: '20', PORT: '9100', CONSUMER_NAME: 'c1' });
    expect(config.service).toMatchObject({ variant: 'baseline', port: 9100, faults: { errorRate: 0.5, latencyMs: 20 } });
    expect(config.consumerName).toBe('c1');
  });

  it.each([
    [{ MODEL_VARIANT: 'canary' }, 'MODEL_VARIANT="canary" is not valid'],
    [{ BATCH_SIZE: '0' }, 'BATCH_SIZE="0" is not valid; it must be an integer from 1 to 1000'],
    [{ BLOCK_MS: '1.5' }, 'BLOCK_MS="1.5" is not valid'],
    [{ MAX_DELIVERIES: 'many' }, 'MAX_DELIVERIES="many" is not valid'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL="localhost:6379" is not valid'],
    [{ GROUP_START_ID: 'latest' }, 'GROUP_START_ID="latest" is not valid'],
    [{ OUTPUT_STREAM: 'features' }, 'must differ'],
  ])('refuses %o', (env, message) => {
    expect(() => load(env)).toThrow(EnvConfigError);
    expect(() => load(env)).toThrow(message);
  });
});
