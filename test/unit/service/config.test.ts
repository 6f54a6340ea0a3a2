// Environment → ServiceConfig: defaults, and a clear EnvConfigError for every bad value.
import { describe, expect, it } from 'vitest';
import { EnvConfigError, loadConfig } from '../../../service/config.js';

const DEFAULT_DIR = '/pkg/models/artifacts';
const load = (env: Record<string, string>) => loadConfig(env, DEFAULT_DIR, '/work/dir');

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(load({})).toEqual({
      port: 8000,
      host: '0.0.0.0',
      variant: 'ml',
      modelDir: DEFAULT_DIR,
      logLevel: 'info',
      faults: { errorRate: 0, latencyMs: 0, seed: 1 },
      shutdownDrainMs: 500,
    });
  });

  it('reads every variable', () => {
    const config = load({
      PORT: '0',
      HOST: '127.0.0.1',
      MODEL_VARIANT: 'baseline',
      MODEL_DIR: '/srv/models',
      LOG_LEVEL: 'warn',
      FAULT_ML_ERROR_RATE: '0.2',
      FAULT_ML_LATENCY_MS: '1500',
      FAULT_SEED: '42',
      SHUTDOWN_DRAIN_MS: '250',
    });
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      variant: 'baseline',
      modelDir: '/srv/models',
      logLevel: 'warn',
      faults: { errorRate: 0.2, latencyMs: 1500, seed: 42 },
      shutdownDrainMs: 250,
    });
  });

  it('reads FAULT_ML_ERROR_CYCLE', () => {
    expect(load({ FAULT_ML_ERROR_CYCLE: ' 7500 / 12000 ' }).faults).toEqual({ errorRate: 0, latencyMs: 0, seed: 1, errorCycle: { onMs: 7500, periodMs: 12000 } });
  });

  it('resolves a relative MODEL_DIR against the working directory', () => {
    expect(load({ MODEL_DIR: 'artifacts' }).modelDir).toBe('/work/dir/artifacts');
  });

  it.each([
    [{ MODEL_VARIANT: 'canary' }, /MODEL_VARIANT="canary" is not valid; use one of: ml, baseline/],
    [{ MODEL_VARIANT: 'ML' }, /MODEL_VARIANT="ML"/],
    [{ PORT: 'eighty' }, /PORT="eighty" is not valid; it must be an integer from 0 to 65535/],
    [{ PORT: '70000' }, /PORT="70000"/],
    [{ PORT: '80.5' }, /PORT="80.5"/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL="verbose" is not valid/],
    [{ FAULT_ML_ERROR_RATE: '1.5' }, /FAULT_ML_ERROR_RATE="1.5" is not valid; it must be a number from 0 to 1/],
    [{ FAULT_ML_ERROR_RATE: '-0.1' }, /FAULT_ML_ERROR_RATE="-0.1"/],
    [{ FAULT_ML_ERROR_RATE: '20%' }, /FAULT_ML_ERROR_RATE="20%"/],
    [{ FAULT_ML_LATENCY_MS: '-5' }, /FAULT_ML_LATENCY_MS="-5" is not valid/],
    [{ FAULT_ML_LATENCY_MS: 'Infinity' }, /FAULT_ML_LATENCY_MS="Infinity"/],
    [{ FAULT_SEED: '1.5' }, /FAULT_SEED="1.5"/],
    [{ FAULT_ML_ERROR_CYCLE: '12000/7500' }, /FAULT_ML_ERROR_CYCLE="12000\/7500" is not valid; it must be ON_MS\/PERIOD_MS with 0 < ON_MS < PERIOD_MS/],
    [{ FAULT_ML_ERROR_CYCLE: '75%' }, /FAULT_ML_ERROR_CYCLE="75%"/],
    [{ SHUTDOWN_DRAIN_MS: '9000' }, /SHUTDOWN_DRAIN_MS="9000" is not valid; it must be an integer number of milliseconds from 0 to 5000/],
  ])('refuses %o', (env, message) => {
    expect(() => load(env)).toThrow(EnvConfigError);
    expect(() => load(env)).toThrow(message);
  });
});
