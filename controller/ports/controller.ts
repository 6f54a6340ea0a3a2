// The driving port: what the HTTP API (and through it the CLI) may ask of the running controller.
// The runtime (controller/runtime/) implements it; controller/http/ consumes it. Keeping it narrow means
// nothing in a request can reach a container directly: every action names a policy target and goes
// through the same engine queue as automatic decisions.

import type { CandidateSpec, Evidence, Phase, Trigger, Verdict, VerdictStatus } from '../core/index.js';

export interface ActiveRollbackView {
  readonly id: string;
  readonly reason: string;
  readonly trigger: Trigger;
  /** ISO 8601. The true start, kept across controller restarts. */
  readonly startedAt: string;
  readonly ageSeconds: number;
  /** Set while "the baseline breaches too" (CRITICAL GuardrailBaselineBreaching) is open: the rollback did not help. */
  readonly baselineBreach: { readonly reason: string; readonly since: string } | null;
  /** Attempts so far; an incomplete rollback is retried with backoff. */
  readonly attempts: number;
  /** ISO 8601 time of the next attempt, or null (none due: done, or given up). */
  readonly nextAttemptAt: string | null;
  /** After an incomplete attempt: each service, whether it is on the rollback value, and why not. */
  readonly services: readonly { readonly service: string; readonly onValue: boolean; readonly detail: string }[];
  /** "Rollback still active" warnings sent so far (policy warnAfter, then every warnEvery). */
  readonly warningsSent: number;
  /** ISO 8601: when the next of those warnings falls due if the target is still on the baseline then. */
  readonly nextWarningAt: string;
}

/** What one service actually runs, as last observed (level-triggered truth). */
export interface ServiceRunView {
  readonly service: string;
  /** False when it could not be read (see detail). */
  readonly known: boolean;
  /** The variable's value it runs (null = absent). */
  readonly value: string | null;
  readonly detail: string;
  /** Since when it runs as shown. */
  readonly since: string;
}

/** Whether Guardrail can act on the target: the actuator answers, every service is found and reachable. */
export interface CanActView {
  readonly ok: boolean;
  readonly detail: string;
  readonly since: string;
  readonly checkedAt: string;
}

export interface TargetStatusView {
  readonly target: string;
  readonly policy: string;
  readonly phase: Phase;
  readonly phaseSince: string;
  /** The variable's value the target runs now: what every service was last observed running, else what the controller last set (null = absent = normal). */
  readonly variant: string | null;
  /** What each service runs, as last observed (empty before the first observation). */
  readonly services: readonly ServiceRunView[];
  /** Null before the first look. */
  readonly canAct: CanActView | null;
  readonly rollback: ActiveRollbackView | null;
  readonly pause: { readonly until: string; readonly actor: string; readonly reason: string } | null;
  /** Why an automatic rollback is being held back (veto, cooldown, rate limit), if it is. */
  readonly hold: { readonly cause: string; readonly detail: string; readonly since: string } | null;
  readonly lastEvaluation: { readonly at: string; readonly verdicts: readonly Verdict[] } | null;
  readonly lastError: string | null;
  /** The operation being carried out for this target, if any. */
  readonly inFlight: OperationView | null;
  /** Warm standbys (policy target.warmStandby), one per service: empty when none is configured. */
  readonly standbys: readonly StandbyView[];
  /** Alertmanager alerts refused only for now (pause, hold, a switch in flight, safe mode): decided again after each tick. */
  readonly heldTriggers: readonly HeldTriggerView[];
  /** The ML candidate in shadow and its roll-forward gate (policy rollforward.shadow); null without a shadow. */
  readonly shadow: ShadowView | null;
}

/** One bound of the roll-forward gate at its last judgement. */
export interface ShadowBoundView {
  /** requests | errorRatio | p95Seconds | agreement */
  readonly bound: string;
  readonly status: VerdictStatus;
  /** The value read; null when UNKNOWN. */
  readonly value: number | null;
  /** `above`: BREACH above the threshold; `below`: BREACH (or, for requests, UNKNOWN) below it. */
  readonly comparison: 'above' | 'below';
  readonly threshold: number;
  readonly cause: string | null;
  readonly detail: string | null;
}

/** The shadow candidate, its evidence and the gate's verdict (docs/lifecycle/shadow-verdicts-alerts.md, "Shadow and gate"). */
export interface ShadowView {
  /** How the target rolls forward: manual (an operator, shown this evidence) or automatic (on the gate). */
  readonly mode: 'manual' | 'automatic';
  /** The candidate as its maintenance last found it: ready | starting | failed | waiting | not-needed | unknown. */
  readonly state: string;
  readonly candidate: string | null;
  readonly detail: string;
  readonly requests: number | null;
  readonly errorRatio: number | null;
  readonly p95Seconds: number | null;
  readonly agreement: number | null;
  /** ok | breach | unknown; `not_judged` while not rolled back (the candidate runs only then). */
  readonly verdict: VerdictStatus | 'not_judged';
  /** ISO 8601: since when the verdict is what it is (null when not judged). */
  readonly since: string | null;
  /** How long every bound has been OK, against the gate's `for`. */
  readonly passingSeconds: number;
  readonly forSeconds: number;
  readonly bounds: readonly ShadowBoundView[];
  /** The operator's candidate (`guardrail rollforward --candidate`) the ML side runs; null: the image's own. */
  readonly candidateSpec: CandidateView | null;
}

/** A candidate as status and history show it (runtime/candidate-ops.ts). */
export interface CandidateView {
  /** The image it runs instead of the service's; null: the service's image. */
  readonly image: string | null;
  /** Environment set on top of the service's. */
  readonly env: Readonly<Record<string, string>>;
  readonly setBy: string;
  readonly setAt: string;
  readonly reason: string;
  /** ISO 8601: when a roll-forward promoted it (it serves since); null while it is only shadowed. */
  readonly promotedAt: string | null;
}

export interface HeldTriggerView {
  readonly alertname: string;
  readonly reason: string;
  readonly fingerprint: string;
  /** ISO 8601: when it first arrived. */
  readonly since: string;
  /** Why it does not act yet (the engine's answer). */
  readonly why: string;
}

export interface StandbyView {
  readonly service: string;
  /** ready | starting | failed | not-needed | waiting (controller/ports/actuator.ts StandbyReport). */
  readonly state: string;
  readonly detail: string;
  readonly container: string | null;
  readonly checkedAt: string;
}

/** The last hour of one condition's tick results, one entry per bucket (controller/runtime/timeline.ts). */
export interface ConditionTimelineView {
  readonly conditionId: string;
  readonly comparison: 'above' | 'below';
  /** The threshold at the latest tick. */
  readonly threshold: number;
  /** The value furthest on the breaching side in each bucket; null when no value was seen (UNKNOWN or no tick). */
  readonly values: readonly (number | null)[];
  /** One character per bucket, the worst verdict in it: b = BREACH, u = UNKNOWN, o = OK, . = no tick. */
  readonly verdicts: string;
}

/** A target's recent tick results for the dashboard's charts: buckets of `bucketSeconds` from `from` to `to`. */
export interface TimelineView {
  readonly target: string;
  readonly bucketSeconds: number;
  /** ISO 8601: the start of the first bucket (an hour ago, or the first tick if later). */
  readonly from: string;
  /** ISO 8601: the end of the last bucket. */
  readonly to: string;
  /** The phase after the bucket's last decision; null when no tick fell in it. */
  readonly phases: readonly (Phase | null)[];
  readonly conditions: readonly ConditionTimelineView[];
}

/** `candidate`: an operator set the shadow's candidate (no switch: it is shadowed and gated first). */
export type HistoryAction = 'rollback' | 'rollforward' | 'candidate';
/** `partial`: a rollback reached some services, not all. `out_of_band`: a change Guardrail found, not made. */
export type HistoryResult = 'in_progress' | 'succeeded' | 'failed' | 'restored' | 'partial' | 'out_of_band';

/** One rollback or roll-forward, as the seed's rollback history table needs it and more. */
export interface HistoryEntryView {
  readonly id: string;
  readonly target: string;
  readonly policy: string;
  readonly action: HistoryAction;
  readonly trigger: Trigger;
  readonly reason: string;
  readonly evidence: Evidence;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationSeconds: number | null;
  readonly result: HistoryResult;
  readonly notes: string;
  /** The candidate set (action `candidate`) or promoted (a roll-forward); absent: none (the image's own). */
  readonly candidate?: { readonly image: string | null; readonly env: Readonly<Record<string, string>> };
}

export interface HistoryQuery {
  readonly target?: string;
  /** ISO 8601 or ms; entries starting at or after it. */
  readonly sinceMs?: number;
  readonly limit: number;
  readonly offset: number;
}

export interface PolicySummaryView {
  readonly name: string;
  readonly file: string;
  readonly target: string;
  readonly reasons: readonly string[];
  readonly vetoes: readonly string[];
  readonly alerts: readonly string[];
}

export interface PoliciesView {
  readonly policies: readonly PolicySummaryView[];
  readonly loadedAt: string | null;
  /** The last reload that failed (the previous set stays active), or null. */
  readonly lastReloadError: { readonly at: string; readonly errors: readonly string[] } | null;
}

export type OperationKind = 'rollback' | 'rollforward' | 'pause' | 'resume' | 'webhook' | 'candidate';

export interface OperationView {
  readonly id: string;
  readonly kind: OperationKind;
  readonly target: string;
  readonly submittedAt: string;
  readonly status: 'queued' | 'running' | 'done' | 'refused' | 'failed';
  readonly message: string | null;
}

export type OperationRequest =
  | { readonly kind: 'rollback'; readonly actor: string; readonly reason: string }
  | { readonly kind: 'rollforward'; readonly actor: string; readonly reason: string; readonly force?: boolean }
  | { readonly kind: 'pause'; readonly actor: string; readonly reason: string; readonly untilMs: number }
  | { readonly kind: 'resume'; readonly actor: string; readonly reason: string }
  /** Replace the shadow's candidate (POST …/rollforward with `candidate`): it does not roll forward. */
  | { readonly kind: 'candidate'; readonly actor: string; readonly reason: string; readonly candidate: CandidateSpec }
  /** Forget the shadow's candidate not promoted yet (`"candidate": null`): the shadow runs the image's own ML again. */
  | { readonly kind: 'clear_candidate'; readonly actor: string; readonly reason: string };

export type SubmitOutcome =
  /** `warning`: accepted, but the operator should know (a roll-forward on UNKNOWN shadow evidence). */
  | { readonly outcome: 'accepted'; readonly operation: OperationView; readonly warning?: string; readonly candidate?: CandidateView }
  | { readonly outcome: 'unknown_target'; readonly target: string }
  /** Another operation is in flight for the target, or the engine refused (e.g. rollforward while watching). */
  | { readonly outcome: 'conflict'; readonly reason: string; readonly inFlight: OperationView | null; readonly shadow?: ShadowView; readonly phase?: Phase }
  /**
   * A candidate refused: `malformed` (not an image reference, a control character), `not_allowed` by the
   * policy's rollforward.candidates (with what it allows), `unsupported` by the target's actuator.
   */
  | { readonly outcome: 'candidate_refused'; readonly why: 'malformed' | 'not_allowed' | 'unsupported'; readonly reason: string; readonly allowed?: CandidateAllowed };

/** A policy's rollforward.candidates as written (empty lists when it has none). */
export interface CandidateAllowed {
  readonly images: readonly string[];
  readonly env: Readonly<Record<string, readonly string[]>>;
}

/** One alert of an Alertmanager webhook (version 4) payload, as the API validated it. */
export interface IncomingAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly fingerprint: string;
}

export interface WebhookOutcome {
  /** Firing alerts that matched a trigger and were queued as webhook events (one operation each). */
  readonly queued: readonly OperationView[];
  /** Already acted on, refused for good, queued or held (same fingerprint + startsAt, per target): nothing new was done. */
  readonly duplicates: number;
  /** Resolved alerts: never roll anything back. */
  readonly resolvedIgnored: number;
  /** Firing alerts that matched no policy trigger (logged, answered 200 so Alertmanager does not retry). */
  readonly unmatched: number;
}

export interface ControllerPort {
  /** Liveness is the HTTP server itself; readiness means policies are loaded and the state was restored. */
  readiness(): { readonly ready: boolean; readonly detail: string };
  /** Every target; empty while the controller is starting (state not restored yet: see readiness()). */
  status(): readonly TargetStatusView[];
  history(query: HistoryQuery): Promise<{ readonly entries: readonly HistoryEntryView[]; readonly total: number }>;
  policies(): PoliciesView;
  /** Each target's last hour of tick results (bounded ring buffers, lost on restart). */
  timelines(): readonly TimelineView[];
  /** Queue a manual operation. Answers at once; the action runs asynchronously on the target's queue. */
  submit(target: string, request: OperationRequest): Promise<SubmitOutcome>;
  operation(id: string): OperationView | undefined;
  /** Map and queue an Alertmanager webhook's alerts. Answers at once; actions run asynchronously. */
  alertmanagerWebhook(alerts: readonly IncomingAlert[]): Promise<WebhookOutcome>;
}
