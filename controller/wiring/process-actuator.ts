import { servicesOf, type CandidateSpec, type ServiceSpec, type VariantValue } from '../core/index.js';
import type { Logger } from 'pino';
import { loadPolicies } from '../adapters/policy/index.js';
import { ProcessActuator } from '../adapters/process/index.js';
import type { ProcessActuatorConfig } from '../config.js';
import type { ManagedActuator } from './managed-actuator.js';

// The process actuator runs the service as the controller's own child (the demo, tests without
// Docker). Children die with the controller, so at startup each target is started with the value the
// persisted state says it should run (baseline after a rollback), not blindly with the original one.
// The configured command serves every service of the policies' targets (one service per target is the
// intended use). Its targets are fixed at startup: a policy added later needs a restart.

/**
 * The child inherits the controller's environment (PATH, HOME ...) minus Guardrail's own secrets and the
 * variant variable (unless the config sets it: that is the target's original value), plus config.env.
 */
function childEnv(config: ProcessActuatorConfig, variable: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('GUARDRAIL_') && key !== variable) env[key] = value;
  }
  return { ...env, ...config.env };
}

export interface ManagedProcessActuator extends ManagedActuator {
  readonly actuator: ProcessActuator;
  readonly services: readonly ServiceSpec[];
  /**
   * The environment each service's NEXT start gets, by service name. The actuator reads it at every
   * spawn, so a supervisor (the demo) can change it and restart the child, e.g. to inject a fault.
   */
  readonly envs: ReadonlyMap<string, Record<string, string>>;
}

export async function createProcessActuator(config: ProcessActuatorConfig, policyPaths: readonly string[], logger: Logger): Promise<ManagedProcessActuator> {
  const loaded = await loadPolicies(policyPaths);
  const services = loaded.ok ? loaded.policies.flatMap((p) => servicesOf(p.target)) : [];
  if (services.length > 1) logger.warn({ services: services.map((s) => s.name) }, 'process actuator: one command serves every service');
  const envs = new Map(services.map((spec) => [spec.name, childEnv(config, spec.variable)]));
  const actuator = new ProcessActuator(
    services.map((spec) => ({
      spec,
      process: {
        command: config.command,
        args: config.args,
        env: envs.get(spec.name) ?? {},
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
        stdio: config.stdio ?? 'inherit',
        ...(config.shadowPort === undefined ? {} : { shadowPort: config.shadowPort }),
      },
    })),
  );
  return {
    actuator,
    services,
    envs,
    // Starts a service that is not running with the value it should have (reconcile spawns `value` when nothing runs),
    // its ML side with the candidate the state records: the child that served before the restart ran it.
    prepare: async (service: ServiceSpec, value: VariantValue, candidate: CandidateSpec | undefined) => {
      actuator.adoptCandidate(service, candidate);
      const result = await actuator.reconcile(service, { rollbackId: 'startup', value });
      logger.info({ target: service.name, value, outcome: result.outcome, candidate: candidate ?? null }, 'process target started');
    },
    close: () => actuator.close(),
  };
}
