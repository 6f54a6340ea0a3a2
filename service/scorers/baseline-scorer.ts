// The rollback target: the seed's z-score rule on volatility. Its statistics are FIXED, read from
// baseline.json (computed on training data), unlike the seed, which recomputed mean/std over each request
// batch, so a single-row request could never spike. It never opens model.onnx, so a broken ML artifact
// cannot break the rollback.
import { readFile } from 'node:fs/promises';
import type { RawFeatures } from '../contract.js';
import type { Score, Scorer } from './scorer.js';

export interface BaselineParams {
  readonly volatility_mean: number;
  readonly volatility_std: number;
  readonly threshold_std: number;
  readonly spike_probability: number;
}

export class BaselineScorer implements Scorer {
  readonly variant = 'baseline' as const;
  readonly engine = 'baseline' as const;
  readonly version: string;
  readonly loadedAtMs: number;
  readonly threshold: number;
  readonly #spikeProbability: number;

  constructor(params: BaselineParams, loadedAtMs: number) {
    this.threshold = params.volatility_mean + params.threshold_std * params.volatility_std;
    this.#spikeProbability = params.spike_probability;
    this.loadedAtMs = loadedAtMs;
    // The seed's version format, which operators and the controller grep for.
    this.version = `baseline-${Math.floor(loadedAtMs / 1000)}`;
  }

  score(instances: readonly RawFeatures[]): Promise<readonly Score[]> {
    return Promise.resolve(this.scoreNow(instances));
  }

  /**
   * Synchronous, so the routes answer the requests of one event-loop turn together (routes/scoring.ts):
   * written one by one between the reads, the baseline's answers cost twice the CPU per request of the
   * ML's at maximum throughput on the bench's VM (docs/performance/service.md): a rollback under load
   * halved capacity.
   */
  readonly scoreNow = (instances: readonly RawFeatures[]): readonly Score[] => instances.map((raw) => this.scoreOne(raw));

  scoreOne(raw: RawFeatures): Score {
    // A missing volatility is "no spike": the rule has nothing to compare.
    const spike = raw.volatility !== undefined && raw.volatility > this.threshold;
    return spike ? { prediction: 1, probability: this.#spikeProbability } : { prediction: 0, probability: 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Reads and checks baseline.json; throws an Error naming the file and the problem. */
export async function loadBaselineParams(path: string): Promise<BaselineParams> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: expected a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  const num = (key: keyof BaselineParams, check: (x: number) => boolean, rule: string): number => {
    const x = record[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || !check(x)) {
      throw new Error(`${path}: ${key} must be a finite number ${rule}, got ${JSON.stringify(x)}`);
    }
    return x;
  };
  return {
    volatility_mean: num('volatility_mean', (x) => x >= 0, '>= 0'),
    volatility_std: num('volatility_std', (x) => x >= 0, '>= 0'),
    threshold_std: num('threshold_std', (x) => x > 0, '> 0'),
    spike_probability: num('spike_probability', (x) => x >= 0 && x <= 1, 'in [0, 1]'),
  };
}

export async function loadBaselineScorer(path: string, nowMs: number): Promise<BaselineScorer> {
  return new BaselineScorer(await loadBaselineParams(path), nowMs);
}
