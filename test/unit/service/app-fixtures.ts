// Shared set-up for the service's inject() tests: real scorers (the baseline from fixed stats, the ML
// variant from the committed models/artifacts), a fresh Registry per app, and a log sink to assert on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { buildApp, type App } from '../../../service/build-app.js';
import type { ModelVariant } from '../../../service/contract.js';
import { BaselineScorer, type BaselineParams } from '../../../service/scorers/baseline-scorer.js';
import { OnnxScorer, loadModelCard } from '../../../service/scorers/onnx-scorer.js';
import type { Scorer } from '../../../service/scorers/scorer.js';

export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../models/artifacts/', import.meta.url));
export const MODEL_PATH = join(ARTIFACTS_DIR, 'model.onnx');
export const MODEL_CARD_PATH = join(ARTIFACTS_DIR, 'model-card.json');

/** Fixed stats for the baseline tests: threshold = 0.01 + 2 * 0.005 = 0.02. */
export const BASELINE_PARAMS: BaselineParams = {
  volatility_mean: 0.01,
  volatility_std: 0.005,
  threshold_std: 2,
  spike_probability: 0.8,
};
export const LOADED_AT_MS = 1_764_545_017_250;
export const NOW_MS = 1_764_545_100_500;

export function baselineScorer(): BaselineScorer {
  return new BaselineScorer(BASELINE_PARAMS, LOADED_AT_MS);
}

export function mlModelPresent(): boolean {
  return existsSync(MODEL_PATH) && existsSync(MODEL_CARD_PATH);
}

export async function mlScorer(): Promise<OnnxScorer> {
  return OnnxScorer.load(MODEL_PATH, await loadModelCard(MODEL_CARD_PATH), LOADED_AT_MS);
}

export async function scorerFor(variant: ModelVariant): Promise<Scorer> {
  return variant === 'ml' ? mlScorer() : baselineScorer();
}

export interface LogSink {
  readonly logger: Logger;
  readonly lines: () => Record<string, unknown>[];
}

export function logSink(level = 'info'): LogSink {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface TestApp {
  readonly app: App;
  readonly registry: Registry;
  readonly sink: LogSink;
}

export function testApp(scorer: Scorer | undefined, variant: ModelVariant = scorer?.variant ?? 'ml', bodyLimitBytes?: number): TestApp {
  const registry = new Registry();
  const sink = logSink('warn');
  const config = bodyLimitBytes === undefined ? { variant } : { variant, bodyLimitBytes };
  const app = buildApp({ scorer, logger: sink.logger, registry, config, now: () => NOW_MS });
  return { app, registry, sink };
}

/** Value of one series of a counter or gauge (0 when the series does not exist yet). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want) && Object.keys(v.labels).length === Object.keys(labels).length);
  return match?.value ?? 0;
}

export const GOOD_INSTANCE = { price: 50_000, midprice: 50_001, return_1s: 0.001, return_5s: 0.002, volatility: 0.01 };

export function postJson(app: App, url: string, payload: unknown) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
}

/** Every 4xx/5xx body of the service has this shape. */
export function isErrorBody(body: unknown): body is { error: { code: string; message: string; field?: string } } {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<string, unknown>;
  return typeof e['code'] === 'string' && typeof e['message'] === 'string' && (e['field'] === undefined || typeof e['field'] === 'string');
}
