// The one interface both model variants sit behind. The app never knows which it serves beyond the
// variant and version it reports, so a rollback (MODEL_VARIANT=baseline) changes no route code.
import type { ModelVariant, RawFeatures } from '../contract.js';

export interface Score {
  readonly prediction: 0 | 1;
  /** Probability of a volatility spike, in [0, 1]. */
  readonly probability: number;
}

/**
 * What computes the ML scores: the tree ensemble compiled from model.onnx (trees/), onnxruntime's native
 * session, or its public async API; the baseline's own formula.
 */
export type ScoringEngine = 'compiled-trees' | 'onnxruntime-native' | 'onnxruntime' | 'baseline';

export interface Scorer {
  readonly variant: ModelVariant;
  /** `xgb-…` from the model card for ML; `baseline-<unix seconds at load>` for the baseline. */
  readonly version: string;
  /** What computes the scores (reported by /version). */
  readonly engine?: ScoringEngine | undefined;
  /** When the model was loaded, ms since epoch. */
  readonly loadedAtMs: number;
  /** Scores a batch in one call; the result has one entry per instance, in order. */
  score(instances: readonly RawFeatures[]): Promise<readonly Score[]>;
  /**
   * The same, synchronously, when the model can (the compiled ML ensemble, onnxruntime's native session,
   * the baseline). The prediction routes then run the single-row requests of one event-loop turn as one
   * call (micro-batch.ts), and answer them together after it.
   */
  readonly scoreNow?: (instances: readonly RawFeatures[]) => readonly Score[];
  /** Releases native resources; scoring after close fails. */
  close(): Promise<void>;
}

/** A failure inside the model (not the caller's input): the app answers 500 MODEL_ERROR. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code = 'MODEL_ERROR';
}
