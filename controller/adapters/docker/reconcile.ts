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
} from './container-ops.js';
import { LABEL, plainName, readEnvVariable } from './labels.js';
import { ensureAttachments, planAttachments } from './networks.js';
import { START_FIRST_SETTLE_MS, settleSince } from './settle.js';

export interface ReconcileOptions {
  /** See DockerActuatorOptions.startFirstSettleMs. */
  readonly startFirstSettleMs?: number;
}

export async function reconcileTarget(
  docker: Docker,
  target: ServiceSpec,
  entry: JournalEntry,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const { current, old } = await findTargetContainers(docker, target);
  const isOurs = (c: SourceContainer) => c.Config.Labels?.[LABEL.rollbackId] === entry.rollbackId;
  const olds = old.filter((o) => o.rollbackId === entry.rollbackId);
  const successors = current.filter(isOurs);

  if (olds.length === 0) {
    if (successors.length === 0) return 'nothing-to-do';
    // The old containers are gone, so the switch got past verification: just make sure the new ones run.
    for (const successor of successors) await startAndVerify(docker, target, successor, undefined);
    return 'finished';
  }

  let outcome: ReconcileOutcome = 'finished';
  for (const o of olds) {
    const successor = current.find((c) => plainName(c.Name) === o.originalName);
    const promotedStandby = successor?.Config.Labels?.[LABEL.standbyFor] === o.info.Id;
    if (successor && !isOurs(successor) && !promotedStandby) {
      throw new ActuationError({
        target: target.name,
        step: 'precondition',
        restored: false,
        message: `${o.originalName} is held by ${successor.Id.slice(0, 12)}, not by rollback ${entry.rollbackId}; left as is`,
      });
    }
    if (successor) {
      try {
        await startAndVerify(docker, target, successor, o.info);
        if (target.strategy === 'start-first' && o.info.State.Running) {
          await settleSince(Date.now(), options.startFirstSettleMs ?? START_FIRST_SETTLE_MS);
        }
        await stopContainer(docker, o.info.Id);
        await removeContainer(docker, o.info.Id);
        continue;
      } catch {
        // The new container cannot serve: fall through to undo.
        await removeContainer(docker, successor.Id);
      }
    }
    try {
      await restoreOldContainer(
        docker,
        target,
        o.info.Id,
        o.originalName,
        entry.rollbackId,
        o.info.RestartCount > 0 && restartPolicyName(o.info) !== 'no',
      );
    } catch (cause) {
      throw new ActuationError({
        target: target.name,
        step: 'restored-old',
        restored: false,
        message: `could not restore ${o.originalName} while undoing rollback ${entry.rollbackId}`,
        cause,
      });
    }
    outcome = 'undone';
  }
  return outcome;
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
  await verifyContainer(docker, successor.Id, target.verify, containerExpectedVariant(successor, target));
}
