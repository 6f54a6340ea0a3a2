// What the engine asks the runtime to do. Commands are verbs; each carries the evidence that led to it
// so the journal and API can show the numbers behind every decision.

import type { Alert } from './alert.js';
import type { Comparison } from './policy.js';
import type { Strategy, TargetSpec, VariantValue } from './target.js';

export type Trigger =
  | { readonly kind: 'automatic' }
  | {
      readonly kind: 'webhook';
      readonly alertname: string;
      readonly labels: Readonly<Record<string, string>>;
      readonly fingerprint?: string;
    }
  | { readonly kind: 'manual'; readonly actor: string; readonly reason: string };

/** One condition's numbers at the moment of the decision. */
export interface ConditionEvidence {
  readonly conditionId: string;
  readonly query: string;
  readonly value: number;
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly forMs: number;
  /** How long the breach had been observed (without gaps) when the decision was taken. */
  readonly sustainedMs: number;
  readonly window?: string;
}

export interface Evidence {
  readonly policy: string;
  /** Policy reason name (e.g. `high-error-rate`), or `manual` for a free-text manual action. */
  readonly reason: string;
  readonly trigger: Trigger;
  /** Empty for manual and webhook triggers (their evidence is the trigger itself). */
  readonly conditions: readonly ConditionEvidence[];
  readonly atMs: number;
}

export interface RollbackCommand {
  readonly type: 'rollback';
  readonly target: TargetSpec;
  /** Deterministic: `rb-<target>-<nowMs>`. Echoed back in actuation events. */
  readonly rollbackId: string;
  /** The value to set (the target's rollbackValue, e.g. `baseline`). */
  readonly value: string;
  readonly strategy: Strategy;
  readonly evidence: Evidence;
  /** 1 for the first attempt; a partial or failed rollback is retried with the same id. */
  readonly attempt: number;
}

export interface RollforwardCommand {
  readonly type: 'rollforward';
  readonly target: TargetSpec;
  readonly rollbackId: string;
  /** The value to restore (the target's normalValue, e.g. `ml`; null = remove the variable). */
  readonly value: VariantValue;
  readonly strategy: Strategy;
  readonly evidence: Evidence;
}

export interface NotifyCommand {
  readonly type: 'notify';
  readonly alert: Alert;
}

/** A change Guardrail did not make, found in what runs: recorded in history with actor `out-of-band`. */
export interface RecordCommand {
  readonly type: 'record';
  /** Toward the rollback value (`rollback`) or the normal value (`rollforward`). */
  readonly action: 'rollback' | 'rollforward';
  readonly trigger: Trigger;
  readonly reason: string;
  /** What was observed, per service. */
  readonly notes: string;
  readonly atMs: number;
}

export type Command = RollbackCommand | RollforwardCommand | NotifyCommand | RecordCommand;
