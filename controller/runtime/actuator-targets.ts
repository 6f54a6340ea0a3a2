import type { TargetSpec as PolicyTarget } from '../core/index.js';
import type { TargetSpec as ActuatorTarget } from '../ports/actuator.js';

// A policy target may name several services that roll back together (api + prediction-consumer). The
// actuator switches one service at a time, so each becomes its own actuator TargetSpec, in policy order.
// A single service keeps the policy target's name; several are named `<target>/<service>`.

export function actuatorTargetsOf(target: PolicyTarget): ActuatorTarget[] {
  const verify = {
    port: target.verify.port,
    healthPath: target.verify.healthPath,
    versionPath: target.verify.versionPath,
    variantField: target.verify.variantField,
    absentVariant: target.verify.absentVariant,
    timeoutMs: target.verify.timeoutMs,
    ...(target.verify.via === undefined ? {} : { via: target.verify.via }),
  };
  const base = {
    variable: target.variable,
    strategy: target.strategy,
    ...(target.stopSignal === undefined ? {} : { stopSignal: target.stopSignal }),
    ...(target.warmStandby === true ? { warmStandby: { value: target.rollbackValue } } : {}),
    ...(target.settleMs === undefined ? {} : { settleMs: target.settleMs }),
    verify,
  };
  const services = target.compose?.services ?? [];
  const containers = target.containers ?? [];
  const many = services.length + containers.length > 1;
  const nameOf = (part: string): string => (many ? `${target.name}/${part}` : target.name);
  const project = target.compose?.project;
  return [
    ...services.map((service) => ({
      ...base,
      name: nameOf(service),
      selector: project === undefined ? { composeService: service } : { composeService: service, composeProject: project },
    })),
    ...containers.map((containerName) => ({ ...base, name: nameOf(containerName), selector: { containerName } })),
  ];
}
