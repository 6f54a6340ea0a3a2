// A condition's verdict at one tick. Kept apart from the lifecycle, like Prometheus keeps rule health
// apart from alert state: UNKNOWN is "couldn't tell", never "bad".

import type { UnknownCause } from './observation.js';
import type { Comparison } from './policy.js';

export type VerdictStatus = 'ok' | 'breach' | 'unknown';

export interface Verdict {
  readonly conditionId: string;
  readonly status: VerdictStatus;
  /** The observed value (absent when UNKNOWN). */
  readonly value?: number;
  readonly cause?: UnknownCause;
  readonly detail?: string;
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly forMs: number;
  /** Breach time accumulated by the `for` timer after this tick (0 when not breaching). */
  readonly sustainedMs: number;
  /** BREACH and sustained for at least forMs. */
  readonly sustained: boolean;
}
