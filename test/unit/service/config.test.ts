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
      engine: 'auto',
      faults: { errorRate: 0, latencyMs: 0, seed: 1 },
      shutdownDrainMs: 500,
      mlStartDelayMs: 0,
    });
  });

  it('reads every variable', () => {
    const config = load({
      PORT: '0',
      HOST: '127.0.0.1',
      MODEL_VARIANT: 'baseline',
      MODEL_DIR: '/srv/models',
      LOG_LEVEL: 'warn',
      MODEL_ENGINE: 'onnxruntime',
      FAULT_ML_ERROR_RATE: '0.2',
      FAULT_ML_LATENCY_MS: '1500',
      FAULT_SEED: '42',
      SHUTDOWN_DRAIN_MS: '250',
      FAULT_ML_START_DELAY_MS: '8000',
    });
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      variant: 'baseline',
      modelDir: '/srv/models',
      logLevel: 'warn',
      engine: 'onnxruntime',
      faults: { errorRate: 0.2, latencyMs: 1500, seed: 42 },
      shutdownDrainMs: 250,
      mlStartDelayMs: 8000,
    });
  });

  it('reads FAULT_ML_ERROR_CYCLE', () => {
    expect(load({ FAULT_ML_ERROR_CYCLE: ' 7500 / 12000 ' }).faults).toEqual({ errorRate: 0, latencyMs: 0, seed: 1, errorCycle: { onMs: 7500, periodMs: 12000 } });
  });

  it('has mirroring off unless SHADOW_URL is set, with the documented defaults when it is', () => {
    expect(load({}).shadow).toBeUndefined();
    expect(load({ SHADOW_URL: '', SHADOW_SHARE: '0.5' }).shadow).toBeUndefined();
    expect(load({ SHADOW_URL: 'http://api-guardrail-shadow:8000' }).shadow).toEqual({ url: 'http://api-guardrail-shadow:8000', share: 1, timeoutMs: 1000, maxInFlight: 64 });
  });

  it('reads the SHADOW_* variables', () => {
    const env = { SHADOW_URL: ' https://candidate.internal:8443/ml/ ', SHADOW_SHARE: '0.25', SHADOW_TIMEOUT_MS: '250', SHADOW_MAX_IN_FLIGHT: '8' };
    expect(load(env).shadow).toEqual({ url: 'https://candidate.internal:8443/ml', share: 0.25, timeoutMs: 250, maxInFlight: 8 });
    expect(load({ SHADOW_URL: 'http://[::1]:9000', SHADOW_SHARE: '0' }).shadow).toEqual({ url: 'http://[::1]:9000', share: 0, timeoutMs: 1000, maxInFlight: 64 });
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
    [{ MODEL_ENGINE: 'ort' }, /MODEL_ENGINE="ort" is not valid; use one of: auto, onnxruntime/],
    [{ FAULT_ML_ERROR_RATE: '1.5' }, /FAULT_ML_ERROR_RATE="1.5" is not valid; it must be a number from 0 to 1/],
    [{ FAULT_ML_ERROR_RATE: '-0.1' }, /FAULT_ML_ERROR_RATE="-0.1"/],
    [{ FAULT_ML_ERROR_RATE: '20%' }, /FAULT_ML_ERROR_RATE="20%"/],
    [{ FAULT_ML_LATENCY_MS: '-5' }, /FAULT_ML_LATENCY_MS="-5" is not valid/],
    [{ FAULT_ML_LATENCY_MS: 'Infinity' }, /FAULT_ML_LATENCY_MS="Infinity"/],
    [{ FAULT_SEED: '1.5' }, /FAULT_SEED="1.5"/],
    [{ FAULT_ML_START_DELAY_MS: '2.5' }, /FAULT_ML_START_DELAY_MS="2.5" is not valid; it must be an integer number of milliseconds from 0 to 600000/],
    [{ FAULT_ML_ERROR_CYCLE: '12000/7500' }, /FAULT_ML_ERROR_CYCLE="12000\/7500" is not valid; it must be ON_MS\/PERIOD_MS with 0 < ON_MS < PERIOD_MS/],
    [{ FAULT_ML_ERROR_CYCLE: '75%' }, /FAULT_ML_ERROR_CYCLE="75%"/],
    [{ SHUTDOWN_DRAIN_MS: '9000' }, /SHUTDOWN_DRAIN_MS="9000" is not valid; it must be an integer number of milliseconds from 0 to 5000/],
    [{ SHADOW_URL: 'api-guardrail-shadow:8000' }, /SHADOW_URL="api-guardrail-shadow:8000" is not valid; it must be an http\(s\) base URL/],
    [{ SHADOW_URL: 'ftp://candidate' }, /SHADOW_URL="ftp:\/\/candidate" is not valid; it must be an http\(s\) base URL/],
    [{ SHADOW_URL: 'not a url' }, /SHADOW_URL="not a url" is not valid/],
    [{ SHADOW_URL: 'http://user:secret@candidate:8000' }, /credentials in the URL are not supported/],
    [{ SHADOW_URL: 'http://candidate:8000/?x=1' }, /without a query or fragment/],
    [{ SHADOW_SHARE: '1.5' }, /SHADOW_SHARE="1.5" is not valid; it must be a number from 0 to 1/],
    [{ SHADOW_SHARE: '50%', SHADOW_URL: 'http://c:1' }, /SHADOW_SHARE="50%"/],
    [{ SHADOW_TIMEOUT_MS: '0' }, /SHADOW_TIMEOUT_MS="0" is not valid; it must be an integer number of milliseconds from 1 to 60000/],
    [{ SHADOW_TIMEOUT_MS: '60001' }, /SHADOW_TIMEOUT_MS="60001"/],
    [{ SHADOW_TIMEOUT_MS: '1.5' }, /SHADOW_TIMEOUT_MS="1.5"/],
    [{ SHADOW_MAX_IN_FLIGHT: '0' }, /SHADOW_MAX_IN_FLIGHT="0" is not valid; it must be an integer from 1 to 10000/],
    [{ SHADOW_MAX_IN_FLIGHT: '10001' }, /SHADOW_MAX_IN_FLIGHT="10001"/],
  ])('refuses %o', (env, message) => {
    expect(() => load(env)).toThrow(EnvConfigError);
    expect(() => load(env)).toThrow(message);
  });
});
