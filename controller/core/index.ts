// Public surface of the pure decision engine. The runtime loop imports only from here.
//
//   const queries = queriesOf(policy);            // PromQL to run each tick, by id
//   let state = initialState(policy, now);        // or the persisted state after a restart
//   const d = decide(policy, state, event, now);  // tick | manual | webhook | actuation result
//   state = d.state; execute(d.commands);         // rollback / rollforward / notify
//
// Everything is plain data (JSON-serialisable); nothing here reads the clock or does I/O.

export type { Alert, Severity } from './alert.js';
export type { CandidateObservation, Sample, UnknownCause } from './observation.js';
export type {
  AlertRule,
  AlertmanagerTrigger,
  Comparison,
  Condition,
  Limits,
  Phase,
  Policy,
  Reason,
  Rollforward,
  CandidateAllowList,
  ShadowGate,
  GateTraffic,
  ThresholdUnit,
  TrafficGuard,
  Veto,
} from './policy.js';
export type { ServiceSelector, ServiceSpec, Strategy, SwarmSelector, TargetSpec, VariantValue, VerifySpec } from './target.js';
export { expectedVariant, selectorKind, servicesOf } from './target.js';
export { scheduleFor, type Schedule } from './schedule.js';
export type {
  ActuationFailedEvent,
  ActuationSucceededEvent,
  Actor,
  EngineEvent,
  ManualRollbackEvent,
  ManualRollforwardEvent,
  ObservedEvent,
  ObservedService,
  ServiceOutcome,
  PauseEvent,
  PauseExpiredEvent,
  ResumeEvent,
  TickEvent,
  WebhookEvent,
} from './events.js';
export type {
  Command,
  ConditionEvidence,
  Evidence,
  NotifyCommand,
  RecordCommand,
  RollbackCommand,
  RollforwardCommand,
  Trigger,
} from './commands.js';
export type { BreachTimer, HoldCause, HoldRecord, ObservedRecord, PauseRecord, RollbackRecord, TargetState } from './state.js';
export { MAX_ROLLBACK_ATTEMPTS, RETRY_BASE_MS, RETRY_MAX_MS, retryAt } from './incomplete-rollback.js';
export { describeObserved } from './out-of-band.js';
export type { Verdict, VerdictStatus } from './verdict.js';
export type { AppliedTransition, Decision, Refusal } from './decide.js';
export { decide, initialState } from './decide.js';
export type { PolicyQuery, QueryPurpose } from './queries.js';
export { queriesOf, conditionsOf, gateQueriesOf } from './queries.js';
export type { GateRecord } from './state.js';
export { assessGate, CANDIDATE_BOUND_ID, clippedGateQuery, describeGate, gateEvidence, gatePassed, gatePassingMs, restartGate, shadowPhase } from './gate.js';
export type { TriggerMatch } from './triggers.js';
export { matchAlertmanager, webhookFate } from './triggers.js';
export type { Corroboration, CorroborationQuery } from './corroboration.js';
export { NOT_CORROBORATED_ALERT_MS, corroborationQueries, firingAlertsSelector, judgeCorroboration, notCorroboratedAlert } from './corroboration.js';
export type { CommandType, Effect, Guard, LifecycleEvent, Transition } from './lifecycle.js';
export { ALL_PHASES, TRANSITIONS } from './lifecycle.js';
export { compare } from './judge.js';
export { nextWarningAtMs, warningsDue } from './tick-side-steps.js';
export { CANDIDATE_ENV_ENTRY, parseCandidateRefs, type CandidateSpec } from './candidate.js';
