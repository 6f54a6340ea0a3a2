// The Swarm actuator (ports/actuator.ts): switches a Docker Swarm service's variant with a service update
// through the Docker Engine API of a manager node — the spec with the variable set, rolled out by Swarm in
// the policy's order and parallelism, verified task by task (switch.ts), rolled back to the previous spec
// on failure, and reconciled from the service's own state after a crash (reconcile.ts). docs/swarm.md.
import type Docker from 'dockerode';
import { selectorKind, type ServiceSpec } from '../../core/index.js';
import { configuredService } from '../../ports/actuator.js';
import type {
  Actuator,
  InstanceState,
  JournalEntry,
  ReconcileResult,
  ServiceState,
  SwitchRequest,
  SwitchResult,
} from '../../ports/actuator.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { createDockerClient } from '../docker/client.js';
import { guardrailLabels } from '../docker/labels.js';
import { reconcileService } from './reconcile.js';
import { findService } from './service-ops.js';
import type { SwarmContext } from './context.js';
import { switchService } from './switch.js';
import { desiredTasks, stoppingTasks, type SwarmTask } from './tasks.js';

export interface SwarmActuatorOptions {
  readonly docker?: Docker;
  readonly clock?: Clock;
}

export class SwarmActuator implements Actuator {
  private readonly ctx: SwarmContext;
  private readonly services: ReadonlyMap<string, ServiceSpec>;
  private readonly queues = new Map<string, Promise<void>>();

  /** Only these services can ever be touched; each must have a swarm selector. */
  constructor(services: readonly ServiceSpec[], options: SwarmActuatorOptions = {}) {
    const wrong = services.find((s) => selectorKind(s.selector) !== 'swarm');
    if (wrong !== undefined)
      throw new Error(
        `SwarmActuator: ${wrong.name} is not a Swarm service (${JSON.stringify(wrong.selector)})`,
      );
    this.ctx = { docker: options.docker ?? createDockerClient(), clock: options.clock ?? systemClock };
    this.services = new Map(services.map((s) => [s.name, s]));
  }

  switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    const service = this.configured(request.service);
    return this.serialized(service.name, () => switchService(this.ctx, service, request));
  }

  async inspect(target: ServiceSpec): Promise<ServiceState> {
    const spec = this.configured(target);
    const service = await findService(this.ctx.docker, spec);
    const labels = guardrailLabels(service.Spec.Labels ?? {});
    const describe = (task: SwarmTask, role: InstanceState['role']): InstanceState => ({
      id: task.id,
      name: task.name,
      running: task.state === 'running',
      value: task.value,
      role,
      labels,
    });
    const current = await desiredTasks(this.ctx.docker, service, spec.variable);
    const stopping = await stoppingTasks(this.ctx.docker, service, spec.variable);
    return {
      target: spec.name,
      instances: [...current.map((t) => describe(t, 'current')), ...stopping.map((t) => describe(t, 'old'))],
    };
  }

  async reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    const spec = this.configured(target);
    const outcome = await this.serialized(spec.name, () => reconcileService(this.ctx, spec, entry));
    return { target: spec.name, rollbackId: entry.rollbackId, outcome, state: await this.inspect(spec) };
  }

  /** One operation per service at a time in this process: two updates of one spec version would race. */
  private serialized<T>(name: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    this.queues.set(
      name,
      next.then(
        () => undefined,
        () => undefined,
      ),
    );
    return next;
  }

  /** Refuses a target that was not configured, or whose selector differs from the configured one. */
  private configured(target: ServiceSpec): ServiceSpec {
    return configuredService(this.services, target);
  }
}
