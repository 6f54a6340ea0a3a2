import { servicesOf } from '../../../controller/core/index.js';
import { describe, expect, it } from 'vitest';

// The policy's actuation settings must reach every actuator target: a field dropped here is a setting the
// operator wrote that silently does nothing (stopSignal once was).
describe('servicesOf carries the actuation settings', () => {
  const verify = { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 1000 };
  const target = { name: 'ps', variable: 'MODEL_VARIANT', normalValue: null, rollbackValue: 'baseline', verify, compose: { project: 'p', services: ['api', 'consumer'] } };

  it('stopSignal and strategy reach each service', () => {
    const targets = servicesOf({ ...target, strategy: 'recreate', stopSignal: 'SIGINT' });
    expect(targets.map((t) => [t.name, t.strategy, t.stopSignal])).toEqual([
      ['ps/api', 'recreate', 'SIGINT'],
      ['ps/consumer', 'recreate', 'SIGINT'],
    ]);
  });

  it('no stopSignal key at all when the policy has none (the actuator then uses docker stop)', () => {
    const [first] = servicesOf({ ...target, strategy: 'start-first' });
    expect(first).toBeDefined();
    expect(first !== undefined && 'stopSignal' in first).toBe(false);
  });
});
