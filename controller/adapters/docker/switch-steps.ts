// Switching one container: the steps switch-plan.ts lists, one function each, each doing its Docker call and
// recording its journal step with the detail fields reconcile and the runtime's journal read; and the undo.
import { expectedVariant, type ServiceSpec, type VariantValue } from '../../core/index.js';
import type Docker from 'dockerode';
import { ActuationError, newInstanceVerifySpec, type InstanceRef, type StepName, type SwitchRequest } from '../../ports/actuator.js';
import type { Clock } from '../../ports/clock.js';
import { haltRestartLoop, isCrashLooping, renameContainer, restartPolicyName } from './crash-loop.js';
import { planClone, UnsupportedContainerError, type ClonePlan, type SourceContainer } from './clone-config.js';
import { imageToClone, removeContainer, restoreOldContainer, whatRunsInstead, stopContainer, stopContainerWithSignal, verifyContainer } from './container-ops.js';
import { oldContainerName, plainName, shadowEnv } from './labels.js';
import { ensureAttachments, planAttachments } from './networks.js';
import { STANDBY_SETTLE_MS, settleSince } from './settle.js';
import { JOURNAL_STEP, planSwitch, type SwitchPlan, type SwitchStep } from './switch-plan.js';
import { takeableStandby } from './standby.js';

export type RecordStep = (name: StepName, detail: Record<string, string>) => Promise<void>;

/** Everything the steps of one container's switch share; the steps fill in the new container. */
export interface ContainerSwitch {
  readonly docker: Docker;
  readonly clock: Clock;
  readonly target: ServiceSpec;
  readonly request: SwitchRequest;
  readonly record: RecordStep;
  /** The old container as inspected. Held by id from the rename on: its name moves. */
  readonly old: SourceContainer;
  readonly name: string;
  readonly clone: ClonePlan;
  readonly expected: string;
  readonly standby: SourceContainer | undefined;
  readonly standbySkipped: string | undefined;
  /** start-first: DockerActuatorOptions.startFirstSettleMs. */
  readonly startFirstSettleMs: number;
  /** Seen at inspection, or found by the rename. */
  crashLooping: boolean;
  newId?: string;
  verifiedAtMs?: number;
  /** Why the new container's health check failed while it served the variant (accept `serving`). */
  degraded?: string;
}

type Warn = (message: string, fields: Record<string, unknown>) => void;

/**
 * Switches one container: the rename, then the plan's steps until the new container is verified — any
 * failure there undoes the switch and throws ActuationError naming the step — then its cleanup, whose
 * failure leaves the renamed old container for reconcile (the switch still succeeded: the new one serves).
 */
export async function switchContainer(
  base: Pick<ContainerSwitch, 'docker' | 'clock' | 'target' | 'request' | 'record' | 'startFirstSettleMs'>,
  old: SourceContainer,
  standbys: readonly SourceContainer[],
  warn: Warn,
): Promise<{ instance: InstanceRef; originalValue: VariantValue; degraded?: string }> {
  const s = await prepareSwitch(base, old, standbys);
  let step: SwitchStep = 'rename-old'; // the step in progress: what a failure is reported at
  let plan: SwitchPlan;
  try {
    await runStep(s, step);
    plan = planSwitch({
      strategy: s.target.strategy,
      crashLooping: s.crashLooping,
      fromStandby: s.standby !== undefined,
      extraNetworks: s.clone.extraNetworks.length > 0,
    });
    for (step of plan.untilVerified) await runStep(s, step);
  } catch (cause) {
    throw await undoSwitch(s, JOURNAL_STEP[step], cause, warn);
  }
  try {
    for (const cleanup of plan.cleanup) await runStep(s, cleanup);
  } catch (error) {
    warn('old container left behind after a verified switch', { target: s.target.name, oldId: old.Id, error });
  }
  const instance = { id: required(s.newId, 'verify-new'), name: s.name };
  return { instance, originalValue: s.clone.originalValue, ...(s.degraded === undefined ? {} : { degraded: s.degraded }) };
}

/**
 * Plans the clone and picks a standby: nothing is touched yet, so a container the clone cannot reproduce is
 * refused as a precondition.
 */
async function prepareSwitch(
  base: Pick<ContainerSwitch, 'docker' | 'clock' | 'target' | 'request' | 'record' | 'startFirstSettleMs'>,
  old: SourceContainer,
  standbys: readonly SourceContainer[],
): Promise<ContainerSwitch> {
  const { docker, target, request } = base;
  const name = plainName(old.Name);
  const expected = expectedVariant(request.value, target.verify);
  const crashLooping = isCrashLooping(old, base.clock.now());
  const promoting = target.shadow !== undefined && request.value === target.shadow.value ? request.candidate : undefined;
  let clone: ClonePlan;
  try {
    clone = planClone(old, {
      variable: target.variable,
      value: request.value,
      rollbackId: request.rollbackId,
      targetName: target.name,
      expectedVariant: expected,
      // A crash-looping old container is stopped first, so its host ports are free to keep.
      strategy: crashLooping ? 'recreate' : target.strategy,
      // A roll-forward promoting an operator's candidate runs its image and environment (actuator.ts SwitchRequest.candidate).
      image: promoting?.image ?? (await imageToClone(docker, old)),
      name,
      env: { ...shadowEnv(target.shadow, request.value, name, target.verify.port), ...promoting?.env },
      ...(promoting?.image === undefined ? {} : { candidateImage: promoting.image }),
    });
  } catch (cause) {
    if (!(cause instanceof UnsupportedContainerError)) throw cause;
    throw new ActuationError({
      code: 'GR_ERR_TARGET_UNSUPPORTED',
      target: target.name,
      step: 'precondition',
      restored: true,
      message: `${name}: ${cause.message}`,
      cause,
    });
  }
  const taken = crashLooping ? {} : await takeableStandby(docker, target, standbys, old, request.value, promoting);
  return { ...base, old, name, clone, expected, standby: taken.standby, standbySkipped: taken.skipped, crashLooping };
}

/** Renames the old container out of the way, halting its restart loop first if it has one. */
async function renameOld(s: ContainerSwitch): Promise<void> {
  const oldId = s.old.Id;
  const oldName = oldContainerName(s.name, s.request.rollbackId);
  // The restart policy is left as it is: the successor is cloned with it, and undoing is a start.
  if (s.crashLooping) await haltRestartLoop(s.docker, oldId, s.clock);
  const renamed = await renameContainer(s.docker, oldId, oldName, s.clock);
  s.crashLooping ||= renamed.halted;
  const crashLoop = {
    crashLooping: 'true',
    haltedRestartLoop: 'docker stop',
    restartPolicy: restartPolicyName(s.old),
    restartCount: String(s.old.RestartCount),
  };
  await s.record('renamed-old', {
    oldId,
    oldName,
    name: s.name,
    ...(s.crashLooping ? crashLoop : {}),
    ...(renamed.attempts > 1 ? { renameAttempts: String(renamed.attempts) } : {}),
  });
}

/**
 * Stops the old container and records `stopped-old`: with the target's stopSignal (e.g. SIGINT: the service
 * stops accepting at once instead of draining — under recreate the port cannot be shared, so a drain only
 * keeps the old variant serving longer; under start-first clients that still draw its address are refused
 * and try the new one) unless it was crash-looping, which a plain `docker stop` ends.
 */
async function stopOld(s: ContainerSwitch, settled: Record<string, string> = {}): Promise<void> {
  const oldId = s.old.Id;
  const signal = s.crashLooping ? undefined : s.target.stopSignal;
  if (signal === undefined) {
    await stopContainer(s.docker, oldId);
    await s.record('stopped-old', { oldId, ...settled });
    return;
  }
  const stopped = await stopContainerWithSignal(s.docker, oldId, signal, s.clock);
  await s.record('stopped-old', {
    oldId,
    ...settled,
    signal,
    exitedOnSignal: String(stopped.exitedOnSignal),
    waitedMs: String(stopped.waitedMs),
  });
}

/** Already running and booted: the standby only needs the name (and, next, the service's aliases). */
async function takeOverStandby(s: ContainerSwitch): Promise<void> {
  const standby = required(s.standby, 'take-over-standby');
  s.newId = standby.Id;
  await s.docker.getContainer(standby.Id).rename({ name: s.name });
  await s.record('created-new', { newId: standby.Id, name: s.name, fromStandby: 'true', standbyStartedAt: standby.State.StartedAt });
}

async function attachStandby(s: ContainerSwitch): Promise<void> {
  const standby = required(s.standby, 'attach-standby');
  const changed = await ensureAttachments(s.docker, standby, planAttachments(s.clone));
  await s.record('connected-networks', { newId: standby.Id, networks: changed.join(',') });
}

async function createNew(s: ContainerSwitch): Promise<void> {
  const newId = (await s.docker.createContainer(s.clone.create)).id;
  s.newId = newId;
  const skipped = s.standbySkipped === undefined ? {} : { standbySkipped: s.standbySkipped };
  await s.record('created-new', { newId, name: s.name, ...skipped });
}

async function connectNetworks(s: ContainerSwitch): Promise<void> {
  const newId = required(s.newId, 'connect-networks');
  for (const { network, endpoint } of s.clone.extraNetworks) {
    await s.docker.getNetwork(network).connect({ Container: newId, EndpointConfig: endpoint });
  }
  await s.record('connected-networks', { newId, networks: s.clone.extraNetworks.map((n) => n.network).join(',') });
}

async function startNew(s: ContainerSwitch): Promise<void> {
  const newId = required(s.newId, 'start-new');
  await s.docker.getContainer(newId).start();
  await s.record('started-new', { newId });
}

async function verifyNew(s: ContainerSwitch): Promise<void> {
  const newId = required(s.newId, 'verify-new');
  const accept = s.request.accept ?? 'healthy';
  const verified = await verifyContainer(s.docker, newId, newInstanceVerifySpec(s.target.verify), s.expected, s.clock, accept);
  s.verifiedAtMs = s.clock.now();
  if (verified.health !== 'ok') s.degraded = `${s.name}: serves ${s.expected}, but ${verified.health}`;
  await s.record('verified-new', { newId, variant: s.expected, elapsedMs: String(verified.elapsedMs), health: verified.health });
}

/** Not at once: clients may not reach the new container's address yet (settle.ts). */
async function settleThenStopOld(s: ContainerSwitch): Promise<void> {
  const settleMs = s.target.settleMs ?? (s.standby === undefined ? s.startFirstSettleMs : STANDBY_SETTLE_MS);
  const settledMs = await settleSince(s.clock, required(s.verifiedAtMs, 'settle-then-stop-old'), settleMs);
  await stopOld(s, { settledMs: String(settledMs) });
}

async function removeOld(s: ContainerSwitch): Promise<void> {
  await removeContainer(s.docker, s.old.Id);
  await s.record('removed-old', { oldId: s.old.Id });
}

/** The function of each step of switch-plan.ts. */
const STEPS: Readonly<Record<SwitchStep, (s: ContainerSwitch) => Promise<void>>> = {
  'rename-old': renameOld,
  'stop-old': (s) => stopOld(s),
  'take-over-standby': takeOverStandby,
  'attach-standby': attachStandby,
  'create-new': createNew,
  'connect-networks': connectNetworks,
  'start-new': startNew,
  'verify-new': verifyNew,
  'settle-then-stop-old': settleThenStopOld,
  'remove-old': removeOld,
};

function runStep(s: ContainerSwitch, step: SwitchStep): Promise<void> {
  return STEPS[step](s);
}

/** What a step needs from an earlier one (the plan's order provides it; if not, that is a bug, said loudly). */
function required<T>(value: T | undefined, step: SwitchStep): T {
  if (value === undefined) throw new Error(`switch step ${step} ran before the step it depends on`);
  return value;
}

/**
 * Undo after a failure before verification: remove the new container, give the old one its name back,
 * start it, check it serves. Returns the ActuationError to throw, naming the step that failed.
 */
async function undoSwitch(
  s: ContainerSwitch,
  failedAt: StepName,
  cause: unknown,
  warn: Warn,
): Promise<ActuationError> {
  const { target, request, name } = s;
  const restore = await restoreOld(s, warn);
  return new ActuationError({
    target: target.name,
    step: failedAt,
    restored: restore.restored,
    message: `switch of ${name} to ${target.variable}=${String(request.value)} failed at ${failedAt}: ${
      cause instanceof Error ? cause.message : String(cause)
    }; ${restore.note}`,
    cause,
  });
}

/** Restores the old container; says what actually runs when that did not fully work. */
async function restoreOld(s: ContainerSwitch, warn: Warn): Promise<{ restored: boolean; note: string }> {
  const restored = await restoreOldAttempt(s, warn);
  if (restored) return { restored, note: 'old container restored' };
  return { restored, note: await whatRunsInstead(s.docker, s.old.Id, s.name) };
}

async function restoreOldAttempt(s: ContainerSwitch, warn: Warn): Promise<boolean> {
  const oldId = s.old.Id;
  try {
    if (s.newId !== undefined) {
      await removeContainer(s.docker, s.newId);
      await s.record('removed-new', { newId: s.newId });
    }
    // One that crashed during the switch (e.g. in its first run, before Docker had restarted it) was
    // crash-looping too.
    const wasCrashLooping = s.crashLooping || isCrashLooping(await s.docker.getContainer(oldId).inspect(), s.clock.now());
    const old = { id: oldId, originalName: s.name, rollbackId: s.request.rollbackId, wasCrashLooping };
    const state = await restoreOldContainer(s.docker, s.target, old, s.clock);
    await s.record('restored-old', { oldId, name: s.name, state });
    return true;
  } catch (error) {
    warn('restoring the old container failed', { target: s.target.name, oldId, error });
    return false;
  }
}
