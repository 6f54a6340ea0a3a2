// The serving child's environment under the process actuator (adapters/process/shadow.ts servingEnv): the
// variable, and where to mirror — set for any value but the candidate's, removed otherwise, and only with a
// shadow port.
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../controller/core/index.js';
import { servingEnv } from '../../../controller/adapters/process/shadow.js';

const spec: ServiceSpec = {
  name: 'svc',
  selector: { containerName: 'svc' },
  variable: 'MODEL_VARIANT',
  strategy: 'recreate',
  shadow: { value: null, share: 0.25, timeoutMs: 700 },
  verify: { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 5000 },
};
const config = { command: 'node', args: [], env: { PORT: '8000', MODEL_VARIANT: 'ml', SHADOW_URL: 'http://stale:1' }, shadowPort: 8001 };

describe('servingEnv', () => {
  it('the baseline mirrors to the candidate on the shadow port', () => {
    expect(servingEnv(config, spec, 'baseline')).toEqual({ PORT: '8000', MODEL_VARIANT: 'baseline', SHADOW_URL: 'http://127.0.0.1:8001', SHADOW_SHARE: '0.25', SHADOW_TIMEOUT_MS: '700' });
  });

  it('the candidate\'s value (null: the variable absent) never mirrors', () => {
    expect(servingEnv(config, spec, null)).toEqual({ PORT: '8000' });
  });

  it('no shadow port: no mirroring; no shadow: the variables are the configuration\'s own, left alone', () => {
    const { shadowPort: _port, ...noPort } = config;
    expect(servingEnv(noPort, spec, 'baseline')).toEqual({ PORT: '8000', MODEL_VARIANT: 'baseline' });
    const { shadow: _none, ...plain } = spec;
    expect(servingEnv(config, plain, 'baseline')).toEqual({ PORT: '8000', MODEL_VARIANT: 'baseline', SHADOW_URL: 'http://stale:1' });
  });
});
