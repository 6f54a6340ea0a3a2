// The Swarm API calls of the actuator: find a configured service (only through its selector), submit a
// spec update (with the version it was read at: a concurrent change makes Swarm refuse it instead of
// losing it), and ask Swarm to roll a service back to its previous spec. Errors become ActuationErrors
// that say what to do.
import type Docker from 'dockerode';
import type { ServiceSpec, SwarmSelector } from '../../core/index.js';
import { ActuationError } from '../../ports/actuator.js';
import { dockerStatus } from '../docker/client.js';
import { STACK_NAMESPACE_LABEL, type SwarmService, type SwarmServiceSpec } from './service-spec.js';

/** `<stack>_<service>` for a stack's service (what `docker stack deploy` names it), else the name as given. */
export function swarmServiceName(selector: SwarmSelector): string {
  return selector.swarmStack === undefined
    ? selector.swarmService
    : `${selector.swarmStack}_${selector.swarmService}`;
}

function swarmSelectorOf(service: ServiceSpec): SwarmSelector {
  if (!('swarmService' in service.selector)) {
    throw new ActuationError({
      code: 'GR_ERR_TARGET_UNSUPPORTED',
      target: service.name,
      step: 'precondition',
      restored: true,
      message: 'not a Swarm service: compose services and containers are switched by the Docker actuator',
    });
  }
  return service.selector;
}

function dockerMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'json' in error) {
    const json = (error as { json?: { message?: unknown } }).json;
    if (typeof json?.message === 'string') return json.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Turns "this node is not a swarm manager" (503) into the fix; anything else keeps Docker's words. */
export function swarmFailure(
  target: string,
  what: string,
  error: unknown,
  restored: boolean,
  step: ActuationError['step'] = 'precondition',
): ActuationError {
  const message = dockerMessage(error);
  const hint =
    dockerStatus(error) === 503 ? ' (the controller must talk to a Swarm manager node: docs/swarm.md)' : '';
  return new ActuationError({ target, step, restored, message: `${what}: ${message}${hint}`, cause: error });
}

export async function inspectService(docker: Docker, idOrName: string): Promise<SwarmService> {
  return (await docker.getService(idOrName).inspect()) as SwarmService;
}

/** The configured service, checked against its selector (its exact name, and its stack's label). */
export async function findService(docker: Docker, service: ServiceSpec): Promise<SwarmService> {
  const selector = swarmSelectorOf(service);
  const name = swarmServiceName(selector);
  let found: SwarmService;
  try {
    found = await inspectService(docker, name);
  } catch (error) {
    if (dockerStatus(error) !== 404)
      throw swarmFailure(service.name, `cannot inspect Swarm service ${name}`, error, true);
    throw new ActuationError({
      code: 'GR_ERR_TARGET_NOT_FOUND',
      target: service.name,
      step: 'precondition',
      restored: true,
      message: `no Swarm service named ${name}`,
    });
  }
  const stack = found.Spec.Labels?.[STACK_NAMESPACE_LABEL];
  if (found.Spec.Name !== name || (selector.swarmStack !== undefined && stack !== selector.swarmStack)) {
    throw new ActuationError({
      code: 'GR_ERR_TARGET_NOT_FOUND',
      target: service.name,
      step: 'precondition',
      restored: true,
      message: `Swarm service ${found.Spec.Name ?? found.ID} is not ${name} of stack ${selector.swarmStack ?? '(none)'} (its ${STACK_NAMESPACE_LABEL} is ${stack ?? 'absent'}); left as is`,
    });
  }
  return found;
}

/** Submits `spec` as the service's new spec, refused by Swarm if the service changed since `version`. */
export async function submitSpec(
  docker: Docker,
  serviceId: string,
  version: number,
  spec: SwarmServiceSpec,
): Promise<void> {
  await docker.getService(serviceId).update({ _query: { version }, _body: spec });
}

/** `docker service rollback`: Swarm replaces the tasks with ones of the previous spec (its RollbackConfig). */
export async function requestRollback(docker: Docker, serviceId: string): Promise<void> {
  const current = await inspectService(docker, serviceId);
  await docker
    .getService(serviceId)
    .update({ _query: { version: current.Version.Index, rollback: 'previous' }, _body: current.Spec });
}
