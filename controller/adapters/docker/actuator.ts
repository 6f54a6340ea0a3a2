// The Docker actuator: switches a target's containers to another MODEL_VARIANT by recreating each one
// with every other setting preserved (docker-clone-config.ts), never leaving zero containers:
//   rename old → [recreate: stop old] → create new → connect networks → start → verify → [start-first:
//   stop old] → remove old.
// With a warm standby of the requested value (docker-standby.ts), "create, connect, start" becomes: rename
// the running standby into place and give it the service's network aliases.
// Until the new one is verified the old one is only renamed (and, for recreate, stopped); any failure
// removes the new one and restores the old one. Roll-forward is the same call with the original value.
// An old container that crash-loops under its restart policy is stopped before the rename, whatever the
// strategy (docker-crash-loop.ts): it serves nothing, and Docker refuses to rename it mid-restart.
import { expectedVariant, type ServiceSpec, type VariantValue } from '../../core/index.js';
import type Docker from 'dockerode';
import { ActuationError } from '../../ports/actuator.js';
import type { ActuationStep, Actuator, InstanceRef, JournalEntry, ReconcileResult, StandbyReport, StepName, SwitchRequest, SwitchResult, ServiceState } from '../../ports/actuator.js';
import { createDockerClient } from './client.js';
import { haltRestartLoop, isCrashLooping, renameContainer, restartPolicyName } from './crash-loop.js';
import { planClone, UnsupportedContainerError } from './clone-config.js';
import type { SourceContainer } from './clone-config.js';
import {
  findTargetContainers,
  removeContainer,
  restoreOldContainer,
  stopContainer,
  stopContainerWithSignal,
  verifyContainer,
} from './container-ops.js';
import {
  guardrailLabels,
  oldContainerName,
  originalValueFromLabels,
  plainName,
  readEnvVariable,
} from './labels.js';
import { reconcileTarget } from './reconcile.js';
import { ensureAttachments, planAttachments } from './networks.js';
import { START_FIRST_SETTLE_MS, STANDBY_SETTLE_MS, settleSince } from './settle.js';
import { maintainStandby, takeableStandby } from './standby.js';

export interface DockerActuatorOptions {
  readonly docker?: Docker;
  /** Told about what could not be cleaned up after a successful switch (reconcile finishes it). */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * start-first: how long after the new container is verified the old one keeps serving untouched, so
   * every client can reach the new one first (docker-settle.ts). Default START_FIRST_SETTLE_MS.
   */
  readonly startFirstSettleMs?: number;
}

type RecordStep = (name: StepName, detail: Record<string, string>) => Promise<void>;

export class DockerActuator implements Actuator {
  private readonly docker: Docker;
  private readonly targets: ReadonlyMap<string, ServiceSpec>;
  private readonly warn: (message: string, fields: Record<string, unknown>) => void;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly startFirstSettleMs: number;

  /** Only these targets can ever be touched. */
  constructor(targets: readonly ServiceSpec[], options: DockerActuatorOptions = {}) {
    this.docker = options.docker ?? createDockerClient();
    this.targets = new Map(targets.map((t) => [t.name, t]));
    this.warn = options.warn ?? (() => undefined);
    this.startFirstSettleMs = options.startFirstSettleMs ?? START_FIRST_SETTLE_MS;
  }

  async switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    const target = this.configured(request.service);
    return this.serialized(target.name, () => this.switchTarget(target, request));
  }

  /** One operation per target at a time in this process: two overlapping switches would fight over names. */
  private serialized<T>(targetName: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(targetName) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    this.queues.set(
      targetName,
      next.then(
        () => undefined,
        () => undefined,
      ),
    );
    return next;
  }

  private async switchTarget(target: ServiceSpec, request: SwitchRequest): Promise<SwitchResult> {
    const started = Date.now();
    const steps: ActuationStep[] = [];
    const record: RecordStep = async (name, detail) => {
      const step: ActuationStep = {
        name,
        target: target.name,
        rollbackId: request.rollbackId,
        atMs: Date.now(),
        detail,
      };
      steps.push(step);
      await request.onStep?.(step);
    };

    const { current, standby } = await findTargetContainers(this.docker, target);
    const running = current.filter((c) => c.State.Running);
    if (running.length === 0) {
      throw new ActuationError({
        code: 'GR_ERR_TARGET_NOT_FOUND',
        target: target.name,
        step: 'precondition',
        restored: true,
        message: `no running container matches ${JSON.stringify(target.selector)}`,
      });
    }
    await record('inspected', { containers: running.map((c) => c.Id.slice(0, 12)).join(',') });

    const first = running[0] as SourceContainer;
    const fromValue = readEnvVariable(first.Config.Env ?? [], target.variable);
    let originalValue: VariantValue = originalValueFromLabels(first.Config.Labels ?? {}, fromValue);
    const containers: InstanceRef[] = [];
    let changed = false;
    // One container at a time, so a replicated service never loses more than one replica at once.
    for (const info of running) {
      if (readEnvVariable(info.Config.Env ?? [], target.variable) === request.value) {
        containers.push({ id: info.Id, name: plainName(info.Name) });
        continue;
      }
      const outcome = await this.switchOne(info, target, request, record, standby);
      originalValue = outcome.originalValue;
      containers.push(outcome.instance);
      changed = true;
    }
    if (!changed) await record('noop', { value: String(request.value) });

    return {
      target: target.name,
      rollbackId: request.rollbackId,
      containers,
      fromValue,
      toValue: request.value,
      originalValue,
      noop: !changed,
      durationMs: Date.now() - started,
      steps,
    };
  }

  private async switchOne(
    info: SourceContainer,
    target: ServiceSpec,
    request: SwitchRequest,
    record: RecordStep,
    standbys: readonly SourceContainer[],
  ): Promise<{ instance: InstanceRef; originalValue: VariantValue }> {
    const docker = this.docker;
    const name = plainName(info.Name);
    const oldId = info.Id; // hold the old one by id: its name moves
    const oldName = oldContainerName(name, request.rollbackId);
    const expected = expectedVariant(request.value, target.verify);
    let crashLooping = isCrashLooping(info);
    let plan;
    try {
      plan = planClone(info, {
        variable: target.variable,
        value: request.value,
        rollbackId: request.rollbackId,
        targetName: target.name,
        expectedVariant: expected,
        // A crash-looping old container is stopped first, so its host ports are free to keep.
        strategy: crashLooping ? 'recreate' : target.strategy,
        image: await this.imageFor(info),
        name,
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

    const taken = crashLooping ? {} : await takeableStandby(docker, target, standbys, info, request.value);
    let step: StepName = 'renamed-old';
    let newId: string | undefined;
    let verifiedAtMs = 0;
    try {
      // The restart policy is left as it is: the successor is cloned with it, and undoing is a start.
      if (crashLooping) await haltRestartLoop(docker, oldId);
      const renamed = await renameContainer(docker, oldId, oldName);
      crashLooping ||= renamed.halted;
      await record(step, {
        oldId,
        oldName,
        name,
        ...(crashLooping
          ? {
              crashLooping: 'true',
              haltedRestartLoop: 'docker stop',
              restartPolicy: restartPolicyName(info),
              restartCount: String(info.RestartCount),
            }
          : {}),
        ...(renamed.attempts > 1 ? { renameAttempts: String(renamed.attempts) } : {}),
      });
      if (target.strategy === 'recreate' || crashLooping) {
        step = 'stopped-old';
        if (target.stopSignal !== undefined && !crashLooping) {
          // The port cannot be shared: a graceful drain would only keep the old variant serving longer.
          const stopped = await stopContainerWithSignal(docker, oldId, target.stopSignal);
          await record(step, {
            oldId,
            signal: target.stopSignal,
            exitedOnSignal: String(stopped.exitedOnSignal),
            waitedMs: String(stopped.waitedMs),
          });
        } else {
          await stopContainer(docker, oldId);
          await record(step, { oldId });
        }
      }
      step = 'created-new';
      if (taken.standby !== undefined) {
        // Already running and booted: it only needs the name and the service's aliases.
        newId = taken.standby.Id;
        await docker.getContainer(newId).rename({ name });
        await record(step, { newId, name, fromStandby: 'true', standbyStartedAt: taken.standby.State.StartedAt });
        step = 'connected-networks';
        const changed = await ensureAttachments(docker, taken.standby, planAttachments(plan));
        await record(step, { newId, networks: changed.join(',') });
      } else {
        const created = await docker.createContainer(plan.create);
        newId = created.id;
        await record(step, { newId, name, ...(taken.skipped === undefined ? {} : { standbySkipped: taken.skipped }) });
        if (plan.extraNetworks.length > 0) {
          step = 'connected-networks';
          for (const { network, endpoint } of plan.extraNetworks) {
            await docker.getNetwork(network).connect({ Container: newId, EndpointConfig: endpoint });
          }
          await record(step, { newId, networks: plan.extraNetworks.map((n) => n.network).join(',') });
        }
        step = 'started-new';
        await created.start();
        await record(step, { newId });
      }
      step = 'verified-new';
      const verified = await verifyContainer(docker, newId, target.verify, expected);
      verifiedAtMs = Date.now();
      await record(step, { newId, variant: expected, elapsedMs: String(verified.elapsedMs) });
    } catch (cause) {
      const restored = await this.restore(target, request, record, { oldId, name, newId, crashLooping });
      throw new ActuationError({
        target: target.name,
        step,
        restored,
        message: `switch of ${name} to ${target.variable}=${String(request.value)} failed at ${step}: ${
          cause instanceof Error ? cause.message : String(cause)
        }; old container ${restored ? 'restored' : 'NOT restored'}`,
        cause,
      });
    }

    // The new container serves: what follows is cleanup. If it fails, the switch still succeeded and
    // the renamed old container is left for reconcile (state "both present, new verified").
    try {
      if (target.strategy === 'start-first' && !crashLooping) {
        // Not at once: clients may not reach the new container's address yet (docker-settle.ts).
        const settleMs = target.settleMs ?? (taken.standby === undefined ? this.startFirstSettleMs : STANDBY_SETTLE_MS);
        const settledMs = await settleSince(verifiedAtMs, settleMs);
        if (target.stopSignal === undefined) {
          await stopContainer(docker, oldId);
          await record('stopped-old', { oldId, settledMs: String(settledMs) });
        } else {
          // E.g. SIGINT: the service stops accepting at once instead of draining — clients that still draw
          // its address are refused and try the new one; a faulty old model stops answering sooner.
          const stopped = await stopContainerWithSignal(docker, oldId, target.stopSignal);
          await record('stopped-old', {
            oldId,
            settledMs: String(settledMs),
            signal: target.stopSignal,
            exitedOnSignal: String(stopped.exitedOnSignal),
            waitedMs: String(stopped.waitedMs),
          });
        }
      }
      await removeContainer(docker, oldId);
      await record('removed-old', { oldId });
    } catch (error) {
      this.warn('old container left behind after a verified switch', { target: target.name, oldId, error });
    }
    return { instance: { id: newId, name }, originalValue: plan.originalValue };
  }

  /** Undo: remove the new container, give the old one its name back, start it, check it serves. */
  private async restore(
    target: ServiceSpec,
    request: SwitchRequest,
    record: RecordStep,
    ids: { oldId: string; name: string; newId: string | undefined; crashLooping: boolean },
  ): Promise<boolean> {
    try {
      if (ids.newId !== undefined) {
        await removeContainer(this.docker, ids.newId);
        await record('removed-new', { newId: ids.newId });
      }
      // One that crashed during the switch (e.g. in its first run, before Docker had restarted it) was
      // crash-looping too.
      const crashLooping =
        ids.crashLooping || isCrashLooping(await this.docker.getContainer(ids.oldId).inspect());
      const state = await restoreOldContainer(
        this.docker,
        target,
        ids.oldId,
        ids.name,
        request.rollbackId,
        crashLooping,
      );
      await record('restored-old', { oldId: ids.oldId, name: ids.name, state });
      return true;
    } catch (error) {
      this.warn('restoring the old container failed', { target: target.name, oldId: ids.oldId, error });
      return false;
    }
  }

  /** The old container's image by name when the name still points at it, else by id (the tag moved). */
  private async imageFor(info: SourceContainer): Promise<string> {
    const byName = await this.docker
      .getImage(info.Config.Image)
      .inspect()
      .catch(() => undefined);
    return byName?.Id === info.Image ? info.Config.Image : info.Image;
  }

  async inspect(target: ServiceSpec): Promise<ServiceState> {
    const spec = this.configured(target);
    const { current, old, standby } = await findTargetContainers(this.docker, spec);
    const describe = (info: SourceContainer, role: 'current' | 'old' | 'standby') => ({
      id: info.Id,
      name: plainName(info.Name),
      running: info.State.Running,
      value: readEnvVariable(info.Config.Env ?? [], spec.variable),
      role,
      labels: guardrailLabels(info.Config.Labels ?? {}),
    });
    return {
      target: spec.name,
      instances: [
        ...current.map((c) => describe(c, 'current')),
        ...old.map((o) => describe(o.info, 'old')),
        ...standby.map((s) => describe(s, 'standby')),
      ],
    };
  }

  async reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    const spec = this.configured(target);
    const outcome = await this.serialized(spec.name, () =>
      reconcileTarget(this.docker, spec, entry, { startFirstSettleMs: spec.settleMs ?? this.startFirstSettleMs }),
    );
    return { target: spec.name, rollbackId: entry.rollbackId, outcome, state: await this.inspect(spec) };
  }

  async maintainStandby(target: ServiceSpec): Promise<StandbyReport> {
    const spec = this.configured(target);
    return this.serialized(spec.name, () => maintainStandby(this.docker, spec, (info) => this.imageFor(info)));
  }

  /** Refuses a target that was not configured, or whose selector differs from the configured one. */
  private configured(target: ServiceSpec): ServiceSpec {
    const known = this.targets.get(target.name);
    if (!known || JSON.stringify(known.selector) !== JSON.stringify(target.selector)) {
      throw new ActuationError({
        code: 'GR_ERR_TARGET_NOT_FOUND',
        target: target.name,
        step: 'precondition',
        restored: true,
        message: 'not a configured target: the actuator only touches the targets it was given',
      });
    }
    return known;
  }
}
