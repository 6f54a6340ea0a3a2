// The actuator port: the only way the controller changes the world. It switches one configured service
// (core/target.ts, ServiceSpec) between model variants by setting (or removing) one environment variable
// and restarting what serves it, verifying the result before it lets go of the old instance. Adapters:
// adapters/docker (containers through the Docker Engine API), adapters/swarm (a Docker Swarm service
// update) and adapters/process (a child process, for the demo and fast tests).
//
// Safety rules every adapter keeps:
// - it touches only what a configured ServiceSpec selects, never anything it merely finds;
// - it never leaves zero instances: the old one is kept until the new one is verified, and restored
//   if the new one fails (ActuationError.restored tells whether that worked);
// - it is idempotent: switching to the value a target already has is a quick no-op.

import type { CandidateSpec, ServiceSpec, VariantValue, VerifySpec } from '../core/index.js';

/** The steps of one switch, in order. Each is reported to `onStep` once it is done. */
export type StepName =
  | 'inspected'
  | 'noop'
  | 'renamed-old'
  | 'stopped-old'
  | 'created-new'
  | 'connected-networks'
  | 'started-new'
  | 'verified-new'
  | 'removed-old'
  | 'removed-new'
  | 'restored-old'
  // A Swarm service (adapters/swarm): the spec update Swarm rolls out, Swarm's report that it is done, and
  // a rollback to the previous spec (started by Swarm's failure_action or requested by the actuator).
  | 'updated-service'
  | 'update-completed'
  | 'rollback-started';

export interface ActuationStep {
  readonly name: StepName;
  readonly target: string;
  readonly rollbackId: string;
  /** ms since epoch when the step finished. */
  readonly atMs: number;
  /** Container ids/names or pids involved, for the journal and for reconcile. */
  readonly detail: Readonly<Record<string, string>>;
}

export interface SwitchRequest {
  readonly service: ServiceSpec;
  readonly value: VariantValue;
  readonly rollbackId: string;
  /** Journal hook: called and awaited after each step, so the runtime can persist progress. */
  readonly onStep?: (step: ActuationStep) => Promise<void>;
  /**
   * What verifies the new instance: `healthy` (default) health 2xx and the variant; `serving` the variant,
   * health failing only because a dependency is down (a rollback moves toward safety: a baseline that
   * serves beats the faulty model; the failing health is reported in SwitchResult.degraded).
   */
  readonly accept?: 'healthy' | 'serving';
  /**
   * The operator's candidate (`guardrail rollforward --candidate`) the new instances of a shadowed service
   * run when switched to the shadow's value (a roll-forward promotes it): its image instead of the serving
   * container's, its environment on top. Ignored for any other value.
   */
  readonly candidate?: CandidateSpec;
}

export interface InstanceRef {
  readonly id: string;
  readonly name: string;
}

export interface SwitchResult {
  readonly target: string;
  readonly rollbackId: string;
  /** The instances now serving the target. */
  readonly containers: readonly InstanceRef[];
  readonly fromValue: VariantValue;
  readonly toValue: VariantValue;
  /** The value before Guardrail first touched the target: what a roll-forward restores. */
  readonly originalValue: VariantValue;
  readonly noop: boolean;
  /** Instances that serve the value while their health check fails (accept `serving`): `name: why`. */
  readonly degraded: readonly string[];
  readonly durationMs: number;
  readonly steps: readonly ActuationStep[];
}

export interface InstanceState extends InstanceRef {
  readonly running: boolean;
  readonly value: VariantValue;
  /**
   * `current` serves the target; `old` is a renamed predecessor left by an unfinished switch; `standby`
   * waits, off the traffic path, to take over at the next switch to its value (ServiceSpec.warmStandby);
   * `shadow` is the ML candidate answering mirrored requests while rolled back (ServiceSpec.shadow).
   */
  readonly role: 'current' | 'old' | 'standby' | 'shadow';
  /** The guardrail.* labels (empty for a process). */
  readonly labels: Readonly<Record<string, string>>;
  /** What a running `current` instance answered, when inspect was asked to probe (InspectOptions). */
  readonly probe?: InstanceProbe;
}

/** One look at an instance's verify endpoints: which variant it serves, and whether its health is ok. */
export interface InstanceProbe {
  /** The variant /version reports, or null when it could not be read. */
  readonly variant: string | null;
  /** 'ok', or what failed (/health 503, unreachable ...). */
  readonly detail: string;
}

export interface InspectOptions {
  /** Also ask each running current instance /version and /health once (level-triggered truth, readiness). */
  readonly probe?: boolean;
}

/** The instances found for one service. */
export interface ServiceState {
  readonly target: string;
  readonly instances: readonly InstanceState[];
}

/** What the journal knows about a switch that may have been interrupted. */
export interface JournalEntry {
  readonly rollbackId: string;
  /** The value the interrupted switch was setting. */
  readonly value: VariantValue;
  readonly lastStep?: StepName;
  /**
   * A roll-forward's operator candidate (SwitchRequest.candidate): an actuator whose instances died with the
   * controller (the process actuator) starts `value` with it, as the interrupted switch would have.
   */
  readonly candidate?: CandidateSpec;
}

export type ReconcileOutcome =
  | 'finished' // the new instance was verified and the old one removed
  | 'undone' // the new instance was missing or failed: the old one serves again
  | 'nothing-to-do'; // no trace of that switch: the target is as it is

export interface ReconcileResult {
  readonly target: string;
  readonly rollbackId: string;
  readonly outcome: ReconcileOutcome;
  readonly state: ServiceState;
}

/** Where a target's warm standby stands after maintainStandby. */
export interface StandbyReport {
  readonly target: string;
  readonly state:
    | 'ready' // running and answering with its variant: the next switch to that value takes it over
    | 'starting' // created or started by this call, or not answering yet
    | 'failed' // it exited or crash-loops; replaced after STANDBY_RETRY_MS (detail says why)
    | 'not-needed' // the target already runs the standby's value, or has no standby configured
    | 'waiting'; // the target is mid-switch or has no running container: nothing to stand by for
  readonly detail: string;
  readonly instance?: InstanceRef;
  /** What this call changed: e.g. `created`, `removed-stale`. Empty when it only looked. */
  readonly actions: readonly string[];
}

export interface Actuator {
  switchVariant(request: SwitchRequest): Promise<SwitchResult>;
  inspect(service: ServiceSpec, options?: InspectOptions): Promise<ServiceState>;
  /** Level-triggered and idempotent: converge an interrupted switch to exactly one verified instance. */
  reconcile(service: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult>;
  /**
   * Level-triggered and idempotent: bring the target's warm standby in line with ServiceSpec.warmStandby and
   * the current instance (create it, replace a stale or dead one, remove one that is not wanted). Never
   * touches the current instance. Optional: an actuator without standbys leaves it out.
   */
  maintainStandby?(service: ServiceSpec): Promise<StandbyReport>;
  /**
   * Level-triggered and idempotent: keep the service's shadow candidate (ServiceSpec.shadow) running while
   * `wanted` (the target is rolled back), else remove it. Never touches the serving instance. Optional: an
   * actuator without shadows leaves it out (a policy with a shadow then shows the candidate as unknown).
   */
  maintainShadow?(service: ServiceSpec, wanted: boolean, candidate?: CandidateSpec): Promise<StandbyReport>;
  /**
   * What of an operator's candidate (`--candidate`: an image, environment) this actuator can run for the
   * service's shadow; `detail` says why not. Absent: no candidate at all (an actuator without shadows).
   */
  candidateSupport?(service: ServiceSpec): CandidateSupport;
}

/** Whether an actuator can run a candidate's image and its environment for a service (and if not, why). */
export interface CandidateSupport {
  readonly image: boolean;
  readonly env: boolean;
  readonly detail: string;
}

/**
 * The policy's verify.timeoutMs bounds a whole switch of one instance: verifying the new one and, if it
 * fails, restoring the old one share it (was: up to one timeout each, 60 s + 60 s). The restore's reserve
 * is a quarter of the timeout, at least RESTORE_MIN_TIMEOUT_MS (the old one is known to work: giving up
 * on it early turns a failed switch into an outage) and at most RESTORE_MAX_TIMEOUT_MS, never more than
 * half; the new one gets the rest. A restore asks only that the old instance serves its variant
 * (SwitchRequest.accept `serving`), which it does within a second or two of starting. Docker's own steps
 * (the old container's stop grace, create, remove) come on top.
 */
export const RESTORE_MIN_TIMEOUT_MS = 5_000;
export const RESTORE_MAX_TIMEOUT_MS = 15_000;

export function switchBudget(verify: VerifySpec): { readonly verifyNewMs: number; readonly restoreMs: number } {
  const reserve = Math.min(RESTORE_MAX_TIMEOUT_MS, Math.max(RESTORE_MIN_TIMEOUT_MS, Math.round(verify.timeoutMs / 4)));
  const restoreMs = Math.min(reserve, Math.floor(verify.timeoutMs / 2));
  return { verifyNewMs: verify.timeoutMs - restoreMs, restoreMs };
}

/** The VerifySpec for the new instance of a switch. */
export function newInstanceVerifySpec(verify: VerifySpec): VerifySpec {
  return { ...verify, timeoutMs: switchBudget(verify).verifyNewMs };
}

/** The VerifySpec for restoring the old instance after a failed switch. */
export function restoreVerifySpec(verify: VerifySpec): VerifySpec {
  return { ...verify, timeoutMs: switchBudget(verify).restoreMs };
}

export type ActuationErrorCode = 'GR_ERR_ACTUATION' | 'GR_ERR_TARGET_NOT_FOUND' | 'GR_ERR_TARGET_UNSUPPORTED';

/** A switch that failed. `restored` says whether the old instance serves again (else: nothing may serve). */
export class ActuationError extends Error {
  override readonly name = 'ActuationError';
  readonly code: ActuationErrorCode;
  readonly target: string;
  readonly step: StepName | 'precondition';
  readonly restored: boolean;

  constructor(options: {
    code?: ActuationErrorCode;
    target: string;
    step: StepName | 'precondition';
    restored: boolean;
    message: string;
    cause?: unknown;
  }) {
    super(`${options.target}: ${options.message}`, { cause: options.cause });
    this.code = options.code ?? 'GR_ERR_ACTUATION';
    this.target = options.target;
    this.step = options.step;
    this.restored = options.restored;
  }
}

export function isActuationError(error: unknown): error is ActuationError {
  return error instanceof ActuationError;
}

/** The refusal every actuator gives for a target it was not configured with. */
export function notConfiguredError(target: string): ActuationError {
  return new ActuationError({
    code: 'GR_ERR_TARGET_NOT_FOUND',
    target,
    step: 'precondition',
    restored: true,
    message: 'not a configured target: the actuator only touches the targets it was given',
  });
}

/** The configured service of that name, refused when unknown or when its selector differs from the configured one. */
export function configuredService(known: ReadonlyMap<string, ServiceSpec>, target: ServiceSpec): ServiceSpec {
  const spec = known.get(target.name);
  if (!spec || JSON.stringify(spec.selector) !== JSON.stringify(target.selector)) throw notConfiguredError(target.name);
  return spec;
}
