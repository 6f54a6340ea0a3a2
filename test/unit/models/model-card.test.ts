// The model card is what the service reads (model_version, serving_threshold) and what a reviewer reads
// (holdout metrics): its fields must be present and self-consistent, and the ML model must beat the
// baseline on the holdout it reports.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../../service/model/features.js';
import { MODEL_PATH, readJson, readParity } from './artifacts.js';

interface Metrics {
  roc_auc: number;
  pr_auc: number;
  precision: number;
  recall: number;
  f1: number;
}
interface Card {
  model_version: string;
  features: string[];
  serving_threshold: number;
  training_seed: number;
  onnx_input: { name: string };
  onnx_outputs: { name: string }[];
  label: { definition: string; horizon_s: number; threshold: number };
  split: { train_rows: number; gap_rows: number; holdout_rows: number; train_index: [number, number]; holdout_index: [number, number] };
  holdout_metrics: { ml: Metrics; baseline: Metrics; volatility_ranking: { roc_auc: number; pr_auc: number } };
}

const card = readJson('model-card.json') as Card;

describe('model card', () => {
  it('names the model after the exported file: xgb-<first 12 hex of sha256(model.onnx)>', () => {
    expect(card.model_version).toMatch(/^xgb-[0-9a-f]{12}$/);
    const digest = createHash('sha256').update(readFileSync(MODEL_PATH)).digest('hex');
    expect(card.model_version).toBe(`xgb-${digest.slice(0, 12)}`);
    expect(readParity().model_version).toBe(card.model_version);
  });

  it('lists the features deriveFeatures produces, and the ONNX signature', () => {
    expect(card.features).toEqual([...FEATURE_NAMES]);
    expect(card.onnx_input.name).toBe('features');
    expect(card.onnx_outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
    expect(card.serving_threshold).toBeGreaterThan(0);
    expect(card.serving_threshold).toBeLessThan(1);
    expect(Number.isInteger(card.training_seed)).toBe(true);
  });

  it('describes a leak-free time split: the gap covers the label horizon', () => {
    const { split, label } = card;
    expect(split.train_rows).toBeGreaterThan(0);
    expect(split.holdout_rows).toBeGreaterThan(0);
    expect(split.gap_rows).toBeGreaterThanOrEqual(label.horizon_s);
    expect(split.holdout_index[0] - split.train_index[1]).toBe(split.gap_rows);
    expect(label.definition).toMatch(/next 60/);
    expect(label.threshold).toBeGreaterThan(0);
  });

  it('records complete holdout metrics for ML and baseline', () => {
    for (const m of [card.holdout_metrics.ml, card.holdout_metrics.baseline]) {
      for (const key of ['roc_auc', 'pr_auc', 'precision', 'recall', 'f1'] as const) {
        expect(m[key]).toBeGreaterThanOrEqual(0);
        expect(m[key]).toBeLessThanOrEqual(1);
      }
    }
  });

  it('ML beats the baseline on holdout ROC-AUC and PR-AUC', () => {
    const { ml, baseline, volatility_ranking } = card.holdout_metrics;
    expect(ml.roc_auc).toBeGreaterThan(baseline.roc_auc);
    expect(ml.pr_auc).toBeGreaterThan(baseline.pr_auc);
    // The stronger bar: ML also out-ranks the baseline's underlying score (raw volatility) itself.
    expect(ml.roc_auc).toBeGreaterThan(volatility_ranking.roc_auc);
    expect(ml.pr_auc).toBeGreaterThan(volatility_ranking.pr_auc);
  });
});
