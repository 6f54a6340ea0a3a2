// Loading the configured variant from MODEL_DIR: the baseline never opens model.onnx; a broken ML
// artifact is an error that names the file.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../service/config.js';
import { loadScorer } from '../../../service/load-scorer.js';
import { ARTIFACTS_DIR, logSink } from './app-fixtures.js';

describe('loadScorer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-service-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const config = (env: Record<string, string>) => loadConfig({ MODEL_DIR: dir, ...env }, '/unused', '/');

  it('baseline: loads baseline.json even when model.onnx is corrupt, and logs ROLLBACK MODE', async () => {
    await copyFile(join(ARTIFACTS_DIR, 'baseline.json'), join(dir, 'baseline.json'));
    await writeFile(join(dir, 'model.onnx'), 'not a model');
    const sink = logSink();
    const scorer = await loadScorer(config({ MODEL_VARIANT: 'baseline', FAULT_ML_ERROR_RATE: '1' }), sink.logger, 1_700_000_000_999);
    expect(scorer.variant).toBe('baseline');
    expect(scorer.version).toBe('baseline-1700000000');
    const messages = sink.lines().map((l) => String(l['msg']));
    expect(messages).toContain('ROLLBACK MODE: loading baseline model…');
    expect(messages).toContain('ROLLBACK MODE ACTIVE - using simple baseline predictor');
    // The configured fault does not touch the baseline.
    expect((await scorer.score([{ volatility: 1 }]))[0]).toEqual({ prediction: 1, probability: 0.8 });
  });

  it('baseline: a baseline.json with a bad field is refused with the file and field named', async () => {
    await writeFile(join(dir, 'baseline.json'), JSON.stringify({ volatility_mean: 0.1, volatility_std: 'x', threshold_std: 2, spike_probability: 0.8 }));
    await expect(loadScorer(config({ MODEL_VARIANT: 'baseline' }), logSink().logger, 0)).rejects.toThrow(/baseline\.json: volatility_std must be a finite number/);
  });

  it('ml: loads the committed artifacts and warns when faults are on', async () => {
    for (const f of ['model.onnx', 'model-card.json']) await copyFile(join(ARTIFACTS_DIR, f), join(dir, f));
    const sink = logSink();
    const scorer = await loadScorer(config({ FAULT_ML_LATENCY_MS: '5' }), sink.logger, 0);
    expect(scorer.variant).toBe('ml');
    const warn = sink.lines().find((l) => l['level'] === 40);
    expect(String(warn?.['msg'])).toMatch(/FAULT INJECTION ON for the ML variant: error rate 0, added latency 5 ms/);
    await scorer.close();
  });

  it('ml: a missing model.onnx is an error naming the file', async () => {
    await copyFile(join(ARTIFACTS_DIR, 'model-card.json'), join(dir, 'model-card.json'));
    await expect(loadScorer(config({}), logSink().logger, 0)).rejects.toThrow(`cannot load ONNX model ${join(dir, 'model.onnx')}: no such file`);
  });

  it('ml: a corrupt model.onnx is an error naming the file', async () => {
    await copyFile(join(ARTIFACTS_DIR, 'model-card.json'), join(dir, 'model-card.json'));
    await writeFile(join(dir, 'model.onnx'), Buffer.from('garbage, not protobuf'));
    await expect(loadScorer(config({}), logSink().logger, 0)).rejects.toThrow(`cannot load ONNX model ${join(dir, 'model.onnx')}`);
  });

  it('ml: a model card without serving_threshold is refused', async () => {
    await copyFile(join(ARTIFACTS_DIR, 'model.onnx'), join(dir, 'model.onnx'));
    await writeFile(join(dir, 'model-card.json'), JSON.stringify({ model_version: 'xgb-1' }));
    await expect(loadScorer(config({}), logSink().logger, 0)).rejects.toThrow(/model-card\.json: serving_threshold must be a number in \(0, 1\)/);
  });
});
