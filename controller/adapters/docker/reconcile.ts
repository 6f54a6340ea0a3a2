// Finishing or undoing a switch that was interrupted (controller killed, daemon restarted). Level-
// triggered: it reads what Docker has for the target and the journal's rollback id, and converges to
// exactly one serving container per replica. The states it can find, and what it does:
//   old renamed (+stopped), no new container      → undo: name back, start, verify
//   new created but not started / not verified   → connect missing networks, start, verify:
//                                                   finish (remove old) or, if that fails, undo
//   new running and verified, old still present  → finish: stop and remove old
// A warm standby that had been renamed into place (docker-standby.ts) is the new container of that switch:
// it is recognised by its standby-for label naming the old container, and gets the aliases it may lack.
// Under start-first the old container is stopped only START_FIRST_SETTLE_MS after the new one was verified
// here, as in a switch (docker-settle.ts): clients may not reach a freshly started container at once.
//   no trace of the rollback                     → nothing to do
// An old container the switch stopped because it crash-looped (its restart count is kept by docker stop)
// is undone by starting it: back in its loop under its unchanged restart policy counts as restored.
import type { ServiceSpec } from '../../core/index.js';
import type Docker from 'dockerode';
import { ActuationError } from '../../ports/actuator.js';
import type { JournalEntry, ReconcileOutcome } from '../../ports/actuator.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { dockerStatus } from './client.js';
import { planClone } from './clone-config.js';
import { restartPolicyName } from './crash-loop.js';
import type { SourceContainer } from './clone-config.js';
import {
  containerExpectedVariant,
  findTargetContainers,
  removeContainer,
  restoreOldContainer,
  stopContainer,
  verifyContainer,
  type TargetContainers,
} from './container-ops.js';
import { LABEL, plainName, readEnvVariable } from './labels.js';
import { ensureAttachments, planAttachments } from './networks.js';
import { START_FIRST_SETTLE_MS, settleSince } from './settle.js';

export interface ReconcileOptions {
  /** See DockerActuatorOptions.startFirstSettleMs. */
  readonly startFirstSettleMs?: number;
  /** Verification and the settle run on it. Default systemClock. */
  readonly clock?: Clock;
}

export async function reconcileTarget(
  docker: Docker,
  target: ServiceSpec,
  entry: JournalEntry,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const clock = options.clock ?? systemClock;
  const { current, old } = await findTargetContainers(docker, target);
  const isOurs = (c: SourceContainer) => c.Config.Labels?.[LABEL.rollbackId] === entry.rollbackId;
  const olds = old.filter((o) => o.rollbackId === entry.rollbackId);
  const successors = current.filter(isOurs);

  if (olds.length === 0) {
    if (successors.length === 0) return 'nothing-to-do';
    // The old containers are gone, so the switch got past verification: just make sure the new ones run.
    for (const successor of successors) await startAndVerify(docker, target, successor, undefined, clock);
    return 'finished';
  }

  const settleMs = options.startFirstSettleMs ?? START_FIRST_SETTLE_MS;
  let outcome: ReconcileOutcome = 'finished';
  for (const o of olds) {
    const successor = current.find((c) => plainName(c.Name) === o.originalName);
    const promotedStandby = successor?.Config.Labels?.[LABEL.standbyFor] === o.info.Id || successor?.Config.Labels?.[LABEL.shadowFor] === o.info.Id;
    if (successor && !isOurs(successor) && !promotedStandby) {
      throw new ActuationError({
        target: target.name,
        step: 'precondition',
        restored: false,
        message: `${o.originalName} is held by ${successor.Id.slice(0, 12)}, not by rollback ${entry.rollbackId}; left as is`,
      });
    }
    if (successor && (await finish(docker, target, successor, o.info, settleMs, clock))) continue;
    await undo(docker, target, entry, o, clock);
    outcome = 'undone';
  }
  return outcome;
}

/**
 * Finishes with the successor: verified, then the old container stopped (start-first: after the settle) and
 * removed. If any of that fails the successor is removed and false returned: the switch is to be undone.
 */
async function finish(
  docker: Docker,
  target: ServiceSpec,
  successor: SourceContainer,
  old: SourceContainer,
  settleMs: number,
  clock: Clock,
): Promise<boolean> {
  try {
    await startAndVerify(docker, target, successor, old, clock);
    if (target.strategy === 'start-first' && old.State.Running) await settleSince(clock, clock.now(), settleMs);
    await stopContainer(docker, old.Id);
    await removeContainer(docker, old.Id);
    return true;
  } catch {
    // The new container cannot serve: fall through to undo.
    await removeContainer(docker, successor.Id);
    return false;
  }
}

/** Puts the old container back; throws ActuationError (restored: false) if it cannot. */
async function undo(
  docker: Docker,
  target: ServiceSpec,
  entry: JournalEntry,
  old: TargetContainers['old'][number],
  clock: Clock,
): Promise<void> {
  const wasCrashLooping = old.info.RestartCount > 0 && restartPolicyName(old.info) !== 'no';
  try {
    await restoreOldContainer(docker, target, { id: old.info.Id, originalName: old.originalName, rollbackId: entry.rollbackId, wasCrashLooping }, clock);
  } catch (cause) {
    throw new ActuationError({
      target: target.name,
      step: 'restored-old',
      restored: false,
      message: `could not restore ${old.originalName} while undoing rollback ${entry.rollbackId}`,
      cause,
    });
  }
}

/**
 * Completes a successor that may be missing networks (created, not connected), aliases (a standby taken
 * over) or not be started yet.
 */
async function startAndVerify(
  docker: Docker,
  target: ServiceSpec,
  successor: SourceContainer,
  oldInfo: SourceContainer | undefined,
  clock: Clock,
): Promise<void> {
  if (oldInfo) {
    const plan = planClone(oldInfo, {
      variable: target.variable,
      value: readEnvVariable(successor.Config.Env ?? [], target.variable),
      rollbackId: successor.Config.Labels?.[LABEL.rollbackId] ?? '',
      targetName: target.name,
      expectedVariant: containerExpectedVariant(successor, target),
      strategy: target.strategy,
      image: oldInfo.Image,
      name: plainName(successor.Name),
    });
    await ensureAttachments(docker, successor, planAttachments(plan));
  }
  if (!successor.State.Running) {
    await docker
      .getContainer(successor.Id)
      .start()
      .catch((error: unknown) => {
        if (dockerStatus(error) !== 304) throw error;
      });
  }
  await verifyContainer(docker, successor.Id, target.verify, containerExpectedVariant(successor, target), clock);
}
