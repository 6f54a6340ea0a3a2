// Fault injection for rollback drills. It wraps the ML scorer ONLY (applyFaults passes the baseline through
// untouched), so rolling back to MODEL_VARIANT=baseline really cures the injected fault, as it would a
// real broken model.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawFeatures } from '../contract.js';
import { ModelError, type Score, type Scorer } from './scorer.js';

export interface FaultConfig {
  /** Share of ML scoring calls that fail, 0..1. */
  readonly errorRate: number;
  /** Delay added to every ML scoring call, ms. */
  readonly latencyMs: number;
  /** Seed of the error draw, so a drill's error pattern is reproducible. */
  readonly seed: number;
  /**
   * Errors only during the first `onMs` of every `periodMs` (counted from the scorer's start): a sawtooth of
   * on/off failures for drills and bench:mitigation. Absent: errors all the time.
   */
  readonly errorCycle?: { readonly onMs: number; readonly periodMs: number };
}

export const NO_FAULTS: FaultConfig = { errorRate: 0, latencyMs: 0, seed: 1 };

export function faultsActive(faults: FaultConfig): boolean {
  return faults.errorRate > 0 || faults.latencyMs > 0;
}

/** mulberry32: a tiny seedable PRNG, uniform in [0, 1). Good enough for drawing a failure share. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class FaultInjectingScorer implements Scorer {
  readonly #inner: Scorer;
  readonly #faults: FaultConfig;
  readonly #random: () => number;

  readonly #now: () => number;
  readonly #startMs: number;

  constructor(inner: Scorer, faults: FaultConfig, now: () => number) {
    this.#inner = inner;
    this.#faults = faults;
    this.#random = seededRandom(faults.seed);
    this.#now = now;
    this.#startMs = now();
  }

  /** Within the error cycle's "on" part (always, without a cycle). */
  #errorsOn(): boolean {
    const cycle = this.#faults.errorCycle;
    return cycle === undefined || (this.#now() - this.#startMs) % cycle.periodMs < cycle.onMs;
  }

  get variant(): Scorer['variant'] {
    return this.#inner.variant;
  }
  get version(): string {
    return this.#inner.version;
  }
  get loadedAtMs(): number {
    return this.#inner.loadedAtMs;
  }
  get engine(): Scorer['engine'] {
    return this.#inner.engine;
  }

  async score(instances: readonly RawFeatures[]): Promise<readonly Score[]> {
    if (this.#faults.latencyMs > 0) await sleep(this.#faults.latencyMs);
    // Drawn per call (one request), so the share of failed requests is errorRate.
    if (this.#faults.errorRate > 0 && this.#errorsOn() && this.#random() < this.#faults.errorRate) {
      throw new ModelError('injected fault (FAULT_ML_ERROR_RATE)');
    }
    return this.#inner.score(instances);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Wraps an ML scorer with the configured faults; returns the baseline (and a fault-free config) as is. */
export function applyFaults(scorer: Scorer, faults: FaultConfig, now: () => number = Date.now): Scorer {
  if (scorer.variant !== 'ml' || !faultsActive(faults)) return scorer;
  return new FaultInjectingScorer(scorer, faults, now);
}
