// The baseline's statistics are fixed from training data (baseline.json). The seed computed mean and std
// over the request batch, so a single request (std 0) could never be a spike; these tests pin the fix
// through the service's real BaselineScorer reading the committed artifact.
import { describe, expect, it } from 'vitest';
import { BaselineScorer, loadBaselineParams } from '../../../service/scorers/baseline-scorer.js';
import { ARTIFACTS, readJson } from './artifacts.js';

const file = readJson('baseline.json') as Record<string, unknown>;

describe('baseline.json and the fixed baseline rule', () => {
  it('holds training-period statistics and the seed rule parameters', () => {
    expect(file['threshold_std']).toBe(2.0);
    expect(file['spike_probability']).toBe(0.8);
    expect(file['volatility_mean']).toBeGreaterThan(0);
    expect(file['volatility_std']).toBeGreaterThan(0);
    expect(typeof file['version_note']).toBe('string');
  });

  it('predicts a spike for a single request above mean + 2 std (the seed never could)', async () => {
    const params = await loadBaselineParams(`${ARTIFACTS}baseline.json`);
    const threshold = params.volatility_mean + 2 * params.volatility_std;
    const scorer = new BaselineScorer(params, 0);
    expect(scorer.scoreOne({ volatility: threshold * 1.01 })).toEqual({ prediction: 1, probability: 0.8 });
    expect(scorer.scoreOne({ volatility: threshold * 0.99 })).toEqual({ prediction: 0, probability: 0 });
    // What the seed did: mean and std of this one-row "batch" -> threshold == the value itself -> never a spike.
    const seedThreshold = (v: number): number => v + 2 * 0;
    expect(threshold * 1.01 > seedThreshold(threshold * 1.01)).toBe(false);
  });

  it('scores each row of a batch on its own, independent of the other rows', async () => {
    const scorer = new BaselineScorer(await loadBaselineParams(`${ARTIFACTS}baseline.json`), 0);
    const high = (file['volatility_mean'] as number) + 3 * (file['volatility_std'] as number);
    const alone = await scorer.score([{ volatility: high }]);
    const inCalmBatch = await scorer.score([{ volatility: high }, { volatility: 1e-6 }, { volatility: 2e-6 }]);
    expect(alone[0]).toEqual(inCalmBatch[0]);
    expect(alone[0]?.prediction).toBe(1);
  });
});
