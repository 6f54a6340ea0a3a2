// The engine's memory for one target. Plain JSON: the runtime persists it after every decision and
// hands it back after a restart, so timers (the true rollback start, `for` timers, rate-limit history)
// survive restarts.

import type { Trigger } from './commands.js';
import type { ObservedService, ServiceOutcome } from './events.js';
import type { Verdict, VerdictStatus } from './verdict.js';
import type { Phase } from './policy.js';

/** A `for` timer: breach time observed so far, gaps excluded. */
export interface BreachTimer {
  /** Sustained breach observed so far (ms). Compared with the condition's forMs. */
  readonly sustainedMs: number;
  /** When the breach was last seen; the next BREACH adds `now - lastBreachAtMs`. */
  readonly lastBreachAtMs: number;
  /** With onMissingData `freeze`: a gap happened; the next BREACH restarts counting without adding it. */
  readonly frozen: boolean;
}

export interface RollbackRecord {
  readonly rollbackId: string;
  /** True start of the rollback (when the command was issued); warnings are computed from it. */
  readonly startedAtMs: number;
  readonly reason: string;
  readonly trigger: Trigger;
  /** How many "rollback still active" warnings have been sent (1 = the one at warnAfter). */
  readonly warningsSent: number;
  /** Set when a roll-forward was requested: who/what asked, for its evidence and INFO alert. */
  readonly rollforward?: { readonly trigger: Trigger; readonly requestedAtMs: number };
  /** When the baseline was verified (rolled_back began); absent in states saved before it existed. */
  readonly verifiedAtMs?: number;
  /** Set while the "baseline breaches too" CRITICAL is open for this rollback: which reason, since when. */
  readonly baselineBreach?: { readonly reason: string; readonly sinceMs: number };
  /** Attempts made so far (absent = 1). A partial or failed rollback is retried with backoff. */
  readonly attempts?: number;
  /** When the next attempt is due; null or absent when none is (done, or given up). */
  readonly retryAtMs?: number | null;
  /** Where each service stood after the last attempt that did not reach every service. */
  readonly services?: readonly ServiceOutcome[];
  /** The CRITICAL raised for the last incomplete attempt (resolved when the rollback completes or ends). */
  readonly incompleteAlert?: 'partial' | 'failed';
}

/** What the last observation found running (level-triggered truth), and the drift last announced. */
export interface ObservedRecord {
  /** Since when what runs is as recorded here. */
  readonly atMs: number;
  readonly services: readonly ObservedService[];
  /** The out-of-band change last announced (WARNING), so the same drift is announced once. */
  readonly driftKey: string | null;
  /** When that WARNING was raised (it resolves after an hour, or when what runs is as expected again). */
  readonly driftSinceMs: number | null;
}

export interface PauseRecord {
  readonly actor: string;
  readonly reason: string;
  readonly sinceMs: number;
  readonly untilMs: number;
  /** Phase to go back to on resume/expiry. */
  readonly resumeTo: 'watching' | 'rolled_back' | 'failed';
}

/** Why an automatic rollback is being held back right now. */
export type HoldCause = 'veto' | 'cooldown' | 'rate_limit';

export interface HoldRecord {
  readonly cause: HoldCause;
  readonly detail: string;
  readonly sinceMs: number;
  readonly dedupKey: string;
}

/** The gate's last judgement, kept in the target's state (it survives restarts, like `for` timers). */
export interface GateRecord {
  /** BREACH if any bound breaches, else UNKNOWN if any is unknown, else OK. */
  readonly verdict: VerdictStatus;
  /** Since when the overall verdict has been this one. */
  readonly verdictSinceMs: number;
  /** Since when every bound has been OK without a break (the gate's `for`); null when not OK now. */
  readonly passingSinceMs: number | null;
  /** When it was judged. */
  readonly atMs: number;
  /** Per bound, in order: requests, then the gate's conditions (errorRatio, p95Seconds, agreement). */
  readonly bounds: readonly Verdict[];
}

export interface TargetState {
  readonly policy: string;
  readonly target: string;
  readonly phase: Phase;
  readonly phaseSinceMs: number;
  /** Running `for` timers by condition id (absent = not breaching). */
  readonly timers: Readonly<Record<string, BreachTimer>>;
  /** Consecutive ticks with at least one UNKNOWN (other than low_traffic). */
  readonly unknownStreak: number;
  /** Set while the "guardrail blind" warning is active: when it was raised. */
  readonly blindSinceMs: number | null;
  /** Alert-only rules currently firing: name → since (ms). */
  readonly firingAlerts: Readonly<Record<string, number>>;
  readonly rollback: RollbackRecord | null;
  readonly pause: PauseRecord | null;
  readonly hold: HoldRecord | null;
  /** Names of the vetoes that blocked at the last tick (webhook triggers check them between ticks). */
  readonly blockingVetoes: readonly string[];
  /** Start times of automatic and webhook rollbacks, pruned to the last hour. */
  readonly automaticRollbacksMs: readonly number[];
  /** No automatic rollback before this time (set by a successful roll-forward). */
  readonly cooldownUntilMs: number | null;
  /** While rolled back: since when every reason has been OK (for automatic roll-forward). */
  readonly allOkSinceMs: number | null;
  /** Last failure message from the actuator (phase `failed`). */
  readonly lastError: string | null;
  /** What runs, as last observed (absent until the first observation). */
  readonly observed?: ObservedRecord;
  /** The shadow candidate's roll-forward gate, judged each tick while rolled back (absent otherwise). */
  readonly shadowGate?: GateRecord;
}
