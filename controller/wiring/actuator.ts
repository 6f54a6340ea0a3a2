import type { Logger } from 'pino';
import { DockerActuator } from '../adapters/docker/index.js';
import { SwarmActuator } from '../adapters/swarm/index.js';
import type { ControllerConfig } from '../config.js';
import { selectorKind, servicesOf, type CandidateSpec, type Policy, type ServiceSpec } from '../core/index.js';
import type { Actuator, CandidateSupport, InspectOptions, JournalEntry, ReconcileResult, StandbyReport, SwitchRequest, SwitchResult, ServiceState } from '../ports/actuator.js';
import type { ManagedActuator } from './managed-actuator.js';
import { createProcessActuator } from './process-actuator.js';

// Chooses and builds the actuator from the configuration (the composition root's actuator half). The
// Docker and Swarm actuators only ever touch the services they were built with, so they are rebuilt from
// each successfully loaded policy set; a policy set may mix compose/container targets and Swarm targets,
// and each service goes to the adapter of its selector kind.

/** Routes each service to the DockerActuator (compose services, containers) or the SwarmActuator (Swarm services). */
export class PolicyScopedActuator implements Actuator {
  private containers: DockerActuator;
  private swarm: SwarmActuator;
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
    this.containers = new DockerActuator([]);
    this.swarm = new SwarmActuator([]);
  }

  setPolicies(policies: readonly Policy[]): void {
    const services = policies.flatMap((p) => servicesOf(p.target));
    this.containers = new DockerActuator(
      services.filter((s) => selectorKind(s.selector) === 'containers'),
      { warn: (message, fields) => this.logger.warn(fields, message) },
    );
    this.swarm = new SwarmActuator(services.filter((s) => selectorKind(s.selector) === 'swarm'));
  }

  private adapterFor(service: ServiceSpec): Actuator {
    return selectorKind(service.selector) === 'swarm' ? this.swarm : this.containers;
  }

  switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    return this.adapterFor(request.service).switchVariant(request);
  }

  inspect(service: ServiceSpec, options?: InspectOptions): Promise<ServiceState> {
    return this.adapterFor(service).inspect(service, options);
  }

  reconcile(service: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    return this.adapterFor(service).reconcile(service, entry);
  }

  maintainStandby(service: ServiceSpec): Promise<StandbyReport> {
    // The policy loader refuses warmStandby for Swarm targets: there is never one to keep.
    if (selectorKind(service.selector) === 'swarm') {
      return Promise.resolve({ target: service.name, state: 'not-needed', detail: 'a Swarm service has no warm standby', actions: [] });
    }
    return this.containers.maintainStandby(service);
  }

  maintainShadow(service: ServiceSpec, wanted: boolean, candidate?: CandidateSpec): Promise<StandbyReport> {
    // The policy loader refuses a shadow for Swarm targets: there is never a candidate to keep.
    if (selectorKind(service.selector) === 'swarm') {
      return Promise.resolve({ target: service.name, state: 'not-needed', detail: 'a Swarm service has no shadow candidate', actions: [] });
    }
    return this.containers.maintainShadow(service, wanted, candidate);
  }

  candidateSupport(service: ServiceSpec): CandidateSupport {
    if (selectorKind(service.selector) === 'swarm') {
      return { image: false, env: false, detail: 'a Swarm service has no shadow: Swarm owns its tasks, so no candidate can run beside them (docs/swarm.md)' };
    }
    return this.containers.candidateSupport(service);
  }
}

export async function createActuator(config: ControllerConfig, logger: Logger): Promise<ManagedActuator> {
  if (config.actuator.kind === 'process') {
    if (config.actuator.process === undefined) throw new Error('the process actuator needs a command (GUARDRAIL_PROCESS_COMMAND)');
    return createProcessActuator(config.actuator.process, config.policies, logger);
  }
  const actuator = new PolicyScopedActuator(logger.child({ component: 'docker-actuator' }));
  return { actuator, onPolicies: (policies) => actuator.setPolicies(policies), close: () => Promise.resolve() };
}
