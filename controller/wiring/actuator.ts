import type { Logger } from 'pino';
import { DockerActuator } from '../adapters/docker/index.js';
import type { ControllerConfig } from '../config.js';
import { servicesOf, type Policy, type ServiceSpec } from '../core/index.js';
import type { Actuator, JournalEntry, ReconcileResult, StandbyReport, SwitchRequest, SwitchResult, ServiceState } from '../ports/actuator.js';
import type { ManagedActuator } from './managed-actuator.js';
import { createProcessActuator } from './process-actuator.js';

// Chooses and builds the actuator from the configuration (the composition root's actuator half). The Docker actuator only ever touches the
// targets it was built with, so it is rebuilt from each successfully loaded policy set.

/** Delegates to a DockerActuator that knows exactly the current policies' targets. */
class PolicyScopedDockerActuator implements Actuator {
  private inner = new DockerActuator([]);
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  setPolicies(policies: readonly Policy[]): void {
    this.inner = new DockerActuator(
      policies.flatMap((p) => servicesOf(p.target)),
      { warn: (message, fields) => this.logger.warn(fields, message) },
    );
  }

  switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    return this.inner.switchVariant(request);
  }

  inspect(target: ServiceSpec): Promise<ServiceState> {
    return this.inner.inspect(target);
  }

  reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    return this.inner.reconcile(target, entry);
  }

  maintainStandby(target: ServiceSpec): Promise<StandbyReport> {
    return this.inner.maintainStandby(target);
  }
}

export async function createActuator(config: ControllerConfig, logger: Logger): Promise<ManagedActuator> {
  if (config.actuator.kind === 'process') {
    if (config.actuator.process === undefined) throw new Error('the process actuator needs a command (GUARDRAIL_PROCESS_COMMAND)');
    return createProcessActuator(config.actuator.process, config.policies, logger);
  }
  const docker = new PolicyScopedDockerActuator(logger.child({ component: 'docker-actuator' }));
  return { actuator: docker, onPolicies: (policies) => docker.setPolicies(policies), close: () => Promise.resolve() };
}
