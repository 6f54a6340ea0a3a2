// Everything that can happen to a target enters the engine as one of these events, through the same
// `decide` function, so the runtime serialises manual commands, webhooks and ticks in one queue.

import type { CandidateObservation, Sample } from './observation.js';

/** Who asked for a manual action, and why (kept as evidence). */
export interface Actor {
  readonly actor: string;
  readonly reason: string;
}

/** One evaluation: every query of `queriesOf(policy)` by id. A missing id counts as no_data. */
export interface TickEvent {
  readonly type: 'tick';
  readonly samples: Readonly<Record<string, Sample>>;
  /**
   * The shadow candidate as its maintenance last found it, while the gate is judged (absent: not known,
   * e.g. an actuator without a shadow or an offline scenario; the gate then reads its queries as they are).
   */
  readonly candidate?: CandidateObservation;
}

export interface ManualRollbackEvent extends Actor {
  readonly type: 'manual_rollback';
  /** A reason name of the policy (e.g. `emergency-maintenance`); free text goes in `reason`. */
  readonly policyReason?: string;
}

export interface ManualRollforwardEvent extends Actor {
  readonly type: 'manual_rollforward';
  /** Roll forward even while the shadow candidate breaches the gate (the operator has decided). */
  readonly force?: boolean;
}

export interface PauseEvent extends Actor {
  readonly type: 'pause';
  /** Absolute expiry, ms since epoch; automation resumes by itself then. */
  readonly untilMs: number;
}

export interface ResumeEvent extends Actor {
  readonly type: 'resume';
}

/** The pause's expiry was reached. The engine also notices it on any tick. */
export interface PauseExpiredEvent {
  readonly type: 'pause_expired';
}

/** An Alertmanager alert matched one of `triggers.alertmanager` (see `matchAlertmanager`). */
export interface WebhookEvent {
  readonly type: 'webhook';
  readonly reason: string;
  readonly alertname: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint?: string;
}

/** The actuator finished a rollback/rollforward and verified health + variant. */
export interface ActuationSucceededEvent {
  readonly type: 'actuation_succeeded';
  readonly action: 'rollback' | 'rollforward';
  readonly rollbackId: string;
}

/** Where one service of the target stands after a switch: on the switch's value or not, and why. */
export interface ServiceOutcome {
  readonly service: string;
  readonly onValue: boolean;
  readonly detail: string;
}

/**
 * The actuator failed (or verification timed out). `services`: per service, whether it reached the value;
 * a rollback with some services on the baseline is partial (they stay there, the rest is retried).
 */
export interface ActuationFailedEvent {
  readonly type: 'actuation_failed';
  readonly action: 'rollback' | 'rollforward';
  readonly rollbackId: string;
  readonly error: string;
  readonly services?: readonly ServiceOutcome[];
}

/** What one service actually runs, as read from the world (containers, their variable, /version). */
export interface ObservedService {
  readonly service: string;
  /** False when it could not be read (actuator down, no container, values disagree): UNKNOWN never acts. */
  readonly known: boolean;
  /** The variable's value its serving instances run (null = absent); meaningless when !known. */
  readonly value: string | null;
  readonly detail: string;
}

/** Level-triggered truth: what runs for every service of the target, read each tick. */
export interface ObservedEvent {
  readonly type: 'observed';
  readonly services: readonly ObservedService[];
}

export type EngineEvent =
  | TickEvent
  | ManualRollbackEvent
  | ManualRollforwardEvent
  | PauseEvent
  | ResumeEvent
  | PauseExpiredEvent
  | WebhookEvent
  | ActuationSucceededEvent
  | ActuationFailedEvent
  | ObservedEvent;
