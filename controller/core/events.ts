// Everything that can happen to a target enters the engine as one of these events, through the same
// `decide` function, so the runtime serialises manual commands, webhooks and ticks in one queue.

import type { Sample } from './observation.js';

/** Who asked for a manual action, and why (kept as evidence). */
export interface Actor {
  readonly actor: string;
  readonly reason: string;
}

/** One evaluation: every query of `queriesOf(policy)` by id. A missing id counts as no_data. */
export interface TickEvent {
  readonly type: 'tick';
  readonly samples: Readonly<Record<string, Sample>>;
}

export interface ManualRollbackEvent extends Actor {
  readonly type: 'manual_rollback';
  /** A reason name of the policy (e.g. `emergency-maintenance`); free text goes in `reason`. */
  readonly policyReason?: string;
}

export interface ManualRollforwardEvent extends Actor {
  readonly type: 'manual_rollforward';
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

/** The actuator failed (or verification timed out). */
export interface ActuationFailedEvent {
  readonly type: 'actuation_failed';
  readonly action: 'rollback' | 'rollforward';
  readonly rollbackId: string;
  readonly error: string;
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
  | ActuationFailedEvent;
