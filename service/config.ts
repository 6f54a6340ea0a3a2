// Environment → ServiceConfig, validated once at start. A bad value is an EnvConfigError whose message names
// the variable, the value and what is allowed; main.ts logs it and exits non-zero.
import { isAbsolute, resolve } from 'node:path';
import { MODEL_VARIANTS, type ModelVariant } from './contract.js';
import type { FaultConfig } from './scorers/fault-injecting-scorer.js';
import type { ShadowConfig } from './shadow/shadow-config.js';

export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly variant: ModelVariant;
  /** Absolute path of the folder holding model.onnx, model-card.json and baseline.json. */
  readonly modelDir: string;
  readonly logLevel: LogLevel;
  /**
   * MODEL_ENGINE: `auto` (default) scores the ML model with the tree ensemble compiled from model.onnx when
   * it passes its start-up self-check against onnxruntime, else with onnxruntime; `onnxruntime` never
   * compiles it (a fallback switch, and the benchmarks' "before").
   */
  readonly engine: ModelEngine;
  readonly faults: FaultConfig;
  /**
   * After SIGTERM, keep serving this long before closing the listener. Clients that resolved a network
   * alias just before a start-first switch still connect to this instance; closing at once fails them.
   */
  readonly shutdownDrainMs: number;
  /** Request mirroring to a shadow candidate; undefined (SHADOW_URL unset or empty) when off. */
  readonly shadow: ShadowConfig | undefined;
  /** Drills: the ML variant starts listening this much later (a slow model load; FAULT_ML_START_DELAY_MS). */
  readonly mlStartDelayMs: number;
}

const MODEL_ENGINES = ['auto', 'onnxruntime'] as const;
type ModelEngine = (typeof MODEL_ENGINES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export class EnvConfigError extends Error {
  override readonly name = 'EnvConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const found = allowed.find((a) => a === raw);
  if (found === undefined) throw new EnvConfigError(`${name}=${JSON.stringify(raw)} is not valid; use one of: ${allowed.join(', ')}`);
  return found;
}

function number(env: Env, name: string, fallback: number, check: (x: number) => boolean, rule: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const x = Number(raw);
  if (!Number.isFinite(x) || !check(x)) throw new EnvConfigError(`${name}=${JSON.stringify(raw)} is not valid; it must be ${rule}`);
  return x;
}

/** FAULT_ML_ERROR_CYCLE=ON_MS/PERIOD_MS, e.g. `7500/12000`: errors only in the first ON_MS of each period. */
function errorCycle(env: Env): { errorCycle?: { onMs: number; periodMs: number } } {
  const raw = env['FAULT_ML_ERROR_CYCLE'];
  if (raw === undefined || raw.trim() === '') return {};
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const onMs = Number(m?.[1]);
  const periodMs = Number(m?.[2]);
  if (m === null || !(onMs > 0 && onMs < periodMs)) {
    throw new EnvConfigError(`FAULT_ML_ERROR_CYCLE=${JSON.stringify(raw)} is not valid; it must be ON_MS/PERIOD_MS with 0 < ON_MS < PERIOD_MS, e.g. 7500/12000`);
  }
  return { errorCycle: { onMs, periodMs } };
}

/** SHADOW_URL: an http(s) base URL without credentials, query or fragment; its trailing slashes dropped. */
function shadowUrl(env: Env): string | undefined {
  const raw = env['SHADOW_URL']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const bad = (why: string): EnvConfigError => new EnvConfigError(`SHADOW_URL=${JSON.stringify(raw)} is not valid; ${why}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('it must be an http(s) base URL such as http://api-guardrail-shadow:8000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('it must be an http(s) base URL such as http://api-guardrail-shadow:8000');
  if (url.username !== '' || url.password !== '') throw bad('credentials in the URL are not supported');
  if (url.search !== '' || url.hash !== '') throw bad('it must be a base URL without a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** SHADOW_*: validated even when SHADOW_URL is unset, so a typo is reported before anyone relies on it. */
function shadowConfig(env: Env): ShadowConfig | undefined {
  const share = number(env, 'SHADOW_SHARE', 1, (x) => x >= 0 && x <= 1, 'a number from 0 to 1');
  const timeoutMs = number(env, 'SHADOW_TIMEOUT_MS', 1000, (x) => Number.isInteger(x) && x >= 1 && x <= 60_000, 'an integer number of milliseconds from 1 to 60000');
  const maxInFlight = number(env, 'SHADOW_MAX_IN_FLIGHT', 64, (x) => Number.isInteger(x) && x >= 1 && x <= 10_000, 'an integer from 1 to 10000');
  const url = shadowUrl(env);
  return url === undefined ? undefined : { url, share, timeoutMs, maxInFlight };
}

/**
 * @param defaultModelDir models/artifacts under the package root (see package-root.ts).
 * @param cwd a relative MODEL_DIR is resolved against the working directory, as any path argument is.
 */
export function loadConfig(env: Env, defaultModelDir: string, cwd: string): ServiceConfig {
  const modelDirRaw = env['MODEL_DIR'];
  const modelDir =
    modelDirRaw === undefined || modelDirRaw === '' ? defaultModelDir : isAbsolute(modelDirRaw) ? modelDirRaw : resolve(cwd, modelDirRaw);
  return {
    // PORT=0 picks a free port (tests); the bound address is logged.
    port: number(env, 'PORT', 8000, (x) => Number.isInteger(x) && x >= 0 && x <= 65535, 'an integer from 0 to 65535'),
    host: env['HOST'] === undefined || env['HOST'] === '' ? '0.0.0.0' : env['HOST'],
    variant: oneOf(env, 'MODEL_VARIANT', MODEL_VARIANTS, 'ml'),
    modelDir,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    engine: oneOf(env, 'MODEL_ENGINE', MODEL_ENGINES, 'auto'),
    faults: {
      errorRate: number(env, 'FAULT_ML_ERROR_RATE', 0, (x) => x >= 0 && x <= 1, 'a number from 0 to 1'),
      latencyMs: number(env, 'FAULT_ML_LATENCY_MS', 0, (x) => x >= 0 && x <= 600_000, 'a number of milliseconds from 0 to 600000'),
      seed: number(env, 'FAULT_SEED', 1, (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, 'an integer from 0 to 4294967295'),
      ...errorCycle(env),
    },
    shutdownDrainMs: number(env, 'SHUTDOWN_DRAIN_MS', 500, (x) => Number.isInteger(x) && x >= 0 && x <= 5000, 'an integer number of milliseconds from 0 to 5000'),
    shadow: shadowConfig(env),
    mlStartDelayMs: number(env, 'FAULT_ML_START_DELAY_MS', 0, (x) => Number.isInteger(x) && x >= 0 && x <= 600_000, 'an integer number of milliseconds from 0 to 600000'),
  };
}
