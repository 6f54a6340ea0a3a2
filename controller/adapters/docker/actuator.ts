// The Docker actuator: switches a target's containers to another MODEL_VARIANT by recreating each one
// with every other setting preserved (clone-config.ts), one container at a time, never leaving zero
// containers. Each container's switch is a plan of named steps (switch-plan.ts), one function each
// (switch-steps.ts):
//   rename old → [recreate: stop old] → create new → [connect networks] → start → verify → [start-first:
//   settle, stop old] → remove old.
// With a warm standby of the requested value (standby.ts), "create, connect, start" becomes: rename the
// running standby into place and give it the service's network aliases.
// Until the new one is verified the old one is only renamed (and, for recreate, stopped); any failure
// removes the new one and restores the old one. Roll-forward is the same call with the original value.
// An old container that crash-loops under its restart policy is stopped before the rename, whatever the
// strategy (crash-loop.ts): it serves nothing, and Docker refuses to rename it mid-restart.
import type { CandidateSpec, ServiceSpec, VariantValue } from '../../core/index.js';
import type Docker from 'dockerode';
import { ActuationError, configuredService } from '../../ports/actuator.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import type { ActuationStep, Actuator, CandidateSupport, InspectOptions, InstanceRef, JournalEntry, ReconcileResult, StandbyReport, SwitchRequest, SwitchResult, ServiceState } from '../../ports/actuator.js';
import { probeInstance } from '../verify/index.js';
import { createDockerClient } from './client.js';
import type { SourceContainer } from './clone-config.js';
import { containerBaseUrls, findTargetContainers, imageToClone } from './container-ops.js';
import { guardrailLabels, originalValueFromLabels, plainName, readEnvVariable } from './labels.js';
import { reconcileTarget } from './reconcile.js';
import { START_FIRST_SETTLE_MS } from './settle.js';
import { maintainShadow } from './shadow.js';
import { maintainStandby } from './standby.js';
import { switchContainer, type RecordStep } from './switch-steps.js';

export interface DockerActuatorOptions {
  readonly docker?: Docker;
  /** Told about what could not be cleaned up after a successful switch (reconcile finishes it). */
  readonly warn?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * start-first: how long after the new container is verified the old one keeps serving untouched, so
   * every client can reach the new one first (settle.ts). Default START_FIRST_SETTLE_MS.
   */
  readonly startFirstSettleMs?: number;
  /** Every wait, deadline and timestamp of the actuator runs on it (tests move it by hand). Default systemClock. */
  readonly clock?: Clock;
}

export class DockerActuator implements Actuator {
  private readonly docker: Docker;
  private readonly targets: ReadonlyMap<string, ServiceSpec>;
  private readonly warn: (message: string, fields: Record<string, unknown>) => void;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly startFirstSettleMs: number;
  private readonly clock: Clock;

  /** Only these targets can ever be touched. */
  constructor(targets: readonly ServiceSpec[], options: DockerActuatorOptions = {}) {
    this.docker = options.docker ?? createDockerClient();
    this.targets = new Map(targets.map((t) => [t.name, t]));
    this.warn = options.warn ?? (() => undefined);
    this.startFirstSettleMs = options.startFirstSettleMs ?? START_FIRST_SETTLE_MS;
    this.clock = options.clock ?? systemClock;
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
    const started = this.clock.now();
    const steps: ActuationStep[] = [];
    const record: RecordStep = async (name, detail) => {
      const step: ActuationStep = {
        name,
        target: target.name,
        rollbackId: request.rollbackId,
        atMs: this.clock.now(),
        detail,
      };
      steps.push(step);
      await request.onStep?.(step);
    };

    const { running, standby } = await this.runningContainers(target);
    await record('inspected', { containers: running.map((c) => c.Id.slice(0, 12)).join(',') });

    const first = running[0] as SourceContainer;
    const fromValue = readEnvVariable(first.Config.Env ?? [], target.variable);
    let originalValue: VariantValue = originalValueFromLabels(first.Config.Labels ?? {}, fromValue);
    const containers: InstanceRef[] = [];
    const degraded: string[] = [];
    let changed = false;
    // One container at a time, so a replicated service never loses more than one replica at once.
    for (const info of running) {
      if (readEnvVariable(info.Config.Env ?? [], target.variable) === request.value) {
        containers.push({ id: info.Id, name: plainName(info.Name) });
        continue;
      }
      const base = { docker: this.docker, clock: this.clock, target, request, record, startFirstSettleMs: this.startFirstSettleMs };
      const outcome = await switchContainer(base, info, standby, this.warn);
      originalValue = outcome.originalValue;
      containers.push(outcome.instance);
      if (outcome.degraded !== undefined) degraded.push(outcome.degraded);
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
      degraded,
      durationMs: this.clock.now() - started,
      steps,
    };
  }

  /** The target's running containers (at least one, else GR_ERR_TARGET_NOT_FOUND) and its warm standby. */
  private async runningContainers(target: ServiceSpec): Promise<{ running: SourceContainer[]; standby: readonly SourceContainer[] }> {
    const { current, standby, shadow } = await findTargetContainers(this.docker, target);
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
    // Warm standbys and shadow candidates alike may take over (takeableStandby picks by value and label).
    return { running: running as SourceContainer[], standby: [...standby, ...shadow] };
  }

  async inspect(target: ServiceSpec, options: InspectOptions = {}): Promise<ServiceState> {
    const spec = this.configured(target);
    const { current, old, standby, shadow } = await findTargetContainers(this.docker, spec);
    const describe = (info: SourceContainer, role: 'current' | 'old' | 'standby' | 'shadow') => ({
      id: info.Id,
      name: plainName(info.Name),
      running: info.State.Running,
      value: readEnvVariable(info.Config.Env ?? [], spec.variable),
      role,
      labels: guardrailLabels(info.Config.Labels ?? {}),
    });
    const probed = async (info: SourceContainer) => {
      const described = describe(info, 'current');
      if (options.probe !== true || !info.State.Running) return described;
      return { ...described, probe: await probeInstance(containerBaseUrls(info, spec.verify), spec.verify, this.clock) };
    };
    return {
      target: spec.name,
      instances: [
        ...(await Promise.all(current.map(probed))),
        ...old.map((o) => describe(o.info, 'old')),
        ...standby.map((s) => describe(s, 'standby')),
        ...shadow.map((s) => describe(s, 'shadow')),
      ],
    };
  }

  async reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    const spec = this.configured(target);
    const outcome = await this.serialized(spec.name, () =>
      reconcileTarget(this.docker, spec, entry, { startFirstSettleMs: spec.settleMs ?? this.startFirstSettleMs, clock: this.clock }),
    );
    return { target: spec.name, rollbackId: entry.rollbackId, outcome, state: await this.inspect(spec) };
  }

  async maintainStandby(target: ServiceSpec): Promise<StandbyReport> {
    const spec = this.configured(target);
    return this.serialized(spec.name, () => maintainStandby(this.docker, spec, (info) => imageToClone(this.docker, info), this.clock));
  }

  async maintainShadow(target: ServiceSpec, wanted: boolean, candidate?: CandidateSpec): Promise<StandbyReport> {
    const spec = this.configured(target);
    return this.serialized(spec.name, () => maintainShadow(this.docker, spec, wanted, (info) => imageToClone(this.docker, info), this.clock, candidate));
  }

  /** A candidate's image and environment alike: the shadow and its successors are created from them (never pulled). */
  candidateSupport(target: ServiceSpec): CandidateSupport {
    this.configured(target);
    return { image: true, env: true, detail: 'the image must be present on the Docker host (Guardrail never pulls)' };
  }

  /** Refuses a target that was not configured, or whose selector differs from the configured one. */
  private configured(target: ServiceSpec): ServiceSpec {
    return configuredService(this.targets, target);
  }
}
