// A policy as the engine sees it: already validated and normalised by the loader (durations in ms,
// threshold references such as `slo.errorRatio` resolved to numbers). The YAML format is documented in
// docs/policies.md; the engine never parses text.

import type { Severity } from './alert.js';
import type { TargetSpec } from './target.js';

/** `above`: BREACH when value > threshold. `below`: BREACH when value < threshold. Equality is OK. */
export type Comparison = 'above' | 'below';

/** What a threshold measures; the loader uses it to catch unit mistakes (5 for 0.05, 800 for 0.8 s). */
export type ThresholdUnit = 'ratio' | 'seconds' | 'count' | 'factor';

/** One PromQL query compared with one threshold, sustained for `forMs`. */
export interface Condition {
  /** Unique within the policy, e.g. `reasons.high-error-rate` or `reasons.burn-rate.long`. */
  readonly id: string;
  readonly query: string;
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly unit: ThresholdUnit;
  /** How long the breach must be observed without a gap before it counts. 0 = at once. */
  readonly forMs: number;
  /** Largest range selector in the query, for evidence (e.g. `5m`); undefined for instant queries. */
  readonly window?: string;
  /**
   * When true (default for rate/latency conditions) the condition is UNKNOWN `low_traffic` while the
   * policy's minRequests guard is below its minimum. `up == 0` style conditions set it false.
   */
  readonly needsTraffic: boolean;
}

/** A good reason to roll back: every condition (all-of) must be sustained at once. */
export interface Reason {
  readonly name: string;
  readonly severity: Severity;
  /** Empty for a manual-only reason (e.g. emergency maintenance), which only commands/webhooks use. */
  readonly conditions: readonly Condition[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * A bad reason: while its condition is sustained, AUTOMATIC and webhook rollbacks are held (never
 * manual ones), and the hold is announced with `message`.
 */
export interface Veto {
  readonly name: string;
  readonly condition: Condition;
  readonly message: string;
  /** Reasons this veto applies to; empty = all. */
  readonly appliesTo: readonly string[];
  /** What an UNKNOWN veto does: `ignore` (does not block) or `block` (holds, to be safe). */
  readonly onUnknown: 'ignore' | 'block';
}

/** Raises an alert only, never rolls back (e.g. slight accuracy drift → retrain). */
export interface AlertRule {
  readonly name: string;
  readonly severity: Severity;
  readonly condition: Condition;
  /** Phases in which the rule is evaluated; empty = all phases. */
  readonly activeIn: readonly Phase[];
  readonly summary: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface TrafficGuard {
  readonly id: 'evaluation.minRequests';
  readonly query: string;
  /** Below this many requests in `window`, traffic-dependent conditions are UNKNOWN low_traffic. */
  readonly min: number;
  readonly window: string;
}

export interface Limits {
  /** After a successful roll-forward, no automatic rollback for this long. */
  readonly cooldownMs: number;
  /** At most this many automatic (incl. webhook) rollbacks in any rolling hour; then hold and alert. */
  readonly maxRollbacksPerHour: number;
  /**
   * What a gap (UNKNOWN) does to a running `for` timer: `reset` (default, like Prometheus's empty
   * result) or `freeze` (keep the breach time observed so far, but the gap itself never counts).
   */
  readonly onMissingData: 'reset' | 'freeze';
}

export interface Rollforward {
  readonly mode: 'manual' | 'automatic';
  /**
   * With `automatic` and no shadow: every reason OK (not UNKNOWN) continuously for this long while rolled
   * back. With a shadow the gate decides instead (0 here).
   */
  readonly afterMs: number;
  /**
   * The gate the ML candidate must pass on mirrored traffic while rolled back (docs/lifecycle/shadow-verdicts-alerts.md, "Shadow and
   * gate"); set exactly when the target has a shadow (TargetSpec.shadow: which services, share, timeout).
   */
  readonly gate?: ShadowGate;
  /**
   * What an operator may set as the next candidate (`guardrail rollforward TARGET --candidate ...`): absent,
   * nothing (the candidate is the normal value of the serving image). Only with a shadow.
   */
  readonly candidates?: CandidateAllowList;
}

/**
 * The policy's allow-list of candidates (rollforward.candidates): anchored glob patterns (picomatch) for
 * image references and, per environment variable, for its value. The operator's token never becomes an
 * arbitrary image or environment: anything not matched is refused. The target's variable (MODEL_VARIANT)
 * and SHADOW_* are never settable (the loader refuses them).
 */
export interface CandidateAllowList {
  readonly images: readonly string[];
  readonly env: Readonly<Record<string, readonly string[]>>;
}

/** The mirrored requests the gate's window must hold before any bound counts (fewer: UNKNOWN low_traffic). */
export interface GateTraffic {
  readonly id: 'rollforward.gate.requests';
  readonly query: string;
  readonly min: number;
  readonly window: string;
}

/**
 * The evidence a shadow candidate must show before it serves: enough mirrored requests, and every bound
 * (conditions `rollforward.gate.errorRatio` above, `.p95Seconds` above, `.agreement` below; forMs 0)
 * OK continuously for `forMs`. UNKNOWN never rolls forward.
 */
export interface ShadowGate {
  readonly forMs: number;
  readonly traffic: GateTraffic;
  readonly conditions: readonly Condition[];
}


/** Maps an Alertmanager alert (by label equality matchers) to this target and a reason. */
export interface AlertmanagerTrigger {
  readonly matchers: Readonly<Record<string, string>>;
  readonly reason: string;
  /**
   * Check a webhook alert against Prometheus before acting on it (default true): its rule must be firing
   * in ALERTS, or the reason's own conditions must breach (core/corroboration.ts).
   */
  readonly corroborate: boolean;
}

export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly target: TargetSpec;
  readonly evaluation: {
    readonly intervalMs: number;
    readonly minRequests?: TrafficGuard;
    /** After this many consecutive ticks with an UNKNOWN, raise "guardrail blind". */
    readonly blindAfter: number;
  };
  readonly slo: { readonly p95LatencySeconds: number; readonly errorRatio: number };
  readonly reasons: readonly Reason[];
  readonly vetoes: readonly Veto[];
  readonly alerts: readonly AlertRule[];
  readonly limits: Limits;
  readonly rollforward: Rollforward;
  /** First WARNING when a rollback has lasted this long, then again every `warnEveryMs`. */
  readonly warnAfterMs: number;
  readonly warnEveryMs: number;
  readonly triggers: { readonly alertmanager: readonly AlertmanagerTrigger[] };
}

/** Lifecycle phases of one target. See docs/lifecycle.md. */
export type Phase =
  | 'watching' // healthy or not yet sure; nothing in progress
  | 'pending' // a reason breaches, its `for` timer is running
  | 'rolling_back' // rollback command issued, waiting for the actuator's verdict
  | 'rolled_back' // baseline serving and verified
  | 'partially_rolled_back' // some services serve the baseline and stay there; the others are retried with backoff
  | 'rolling_forward' // roll-forward command issued, waiting for the actuator
  | 'paused' // a human paused automation until an expiry
  | 'failed'; // the rollback (or its verification) failed: a human must act
