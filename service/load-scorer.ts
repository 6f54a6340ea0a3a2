// Loads the configured variant from MODEL_DIR. The baseline reads baseline.json only and never opens
// model.onnx, so a rollback works even when the ML artifact is what broke. The ONNX scorer (and with it
// onnxruntime-node, a native addon) is imported only for the ML variant: the baseline starts without it,
// which is the start a rollback waits for.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ServiceConfig } from './config.js';
import { loadBaselineScorer } from './scorers/baseline-scorer.js';
import { applyFaults, faultsActive } from './scorers/fault-injecting-scorer.js';
import type { Scorer } from './scorers/scorer.js';

export const ARTIFACT_FILES = {
  model: 'model.onnx',
  modelCard: 'model-card.json',
  baseline: 'baseline.json',
} as const;

/** Errors name the file; the caller logs them and exits non-zero. */
export async function loadScorer(config: ServiceConfig, log: Logger, nowMs: number): Promise<Scorer> {
  if (config.variant === 'baseline') {
    const path = join(config.modelDir, ARTIFACT_FILES.baseline);
    log.warn({ path }, 'ROLLBACK MODE: loading baseline model…');
    const scorer = await loadBaselineScorer(path, nowMs);
    log.info({ path, model_version: scorer.version, threshold: scorer.threshold }, `Loaded BASELINE model from: ${path}`);
    log.warn({ model_version: scorer.version }, 'ROLLBACK MODE ACTIVE - using simple baseline predictor');
    if (faultsActive(config.faults)) log.info({ faults: config.faults }, 'fault injection is configured but acts on the ML variant only: ignored in baseline mode');
    return scorer;
  }
  const { OnnxScorer, loadModelCard } = await import('./scorers/onnx-scorer.js');
  const cardPath = join(config.modelDir, ARTIFACT_FILES.modelCard);
  const modelPath = join(config.modelDir, ARTIFACT_FILES.model);
  const card = await loadModelCard(cardPath);
  const scorer = await OnnxScorer.load(modelPath, card, nowMs, { engine: config.engine });
  log.info({ path: modelPath, model_version: scorer.version, serving_threshold: scorer.threshold }, `Loaded ML model from: ${modelPath}`);
  // Which engine scores, and why: a compiled ensemble that failed its self-check is a warning, not a stop
  // (onnxruntime scores, as before it existed).
  const engineLog = { model_engine: scorer.engine, reason: scorer.engineNote };
  if (scorer.engine === 'compiled-trees' || config.engine === 'onnxruntime') log.info(engineLog, `ML scoring engine: ${scorer.engine}`);
  else log.warn(engineLog, `ML scoring engine: ${scorer.engine} (the compiled tree ensemble is not used)`);
  if (faultsActive(config.faults)) {
    log.warn({ faults: config.faults }, `FAULT INJECTION ON for the ML variant: error rate ${config.faults.errorRate}, added latency ${config.faults.latencyMs} ms`);
  }
  return applyFaults(scorer, config.faults);
}
