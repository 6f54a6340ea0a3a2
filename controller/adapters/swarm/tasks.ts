// A service's tasks as the actuator sees them: which value each runs, its state, and where it can be
// reached. Swarm gives every task an address on each of the service's networks (an overlay network spans
// the nodes, so a controller attached to it reaches every task); a task on this node is also attached to
// the docker_gwbridge bridge, whose addresses the host reaches directly (overlay addresses it does not).
import type Docker from 'dockerode';
import type { VariantValue } from '../../core/index.js';
import { envValue } from './service-spec.js';

export interface SwarmTask {
  readonly id: string;
  /** `<service>.<slot>` (replicated) or `<service>.<node id>` (global), like `docker service ps`. */
  readonly name: string;
  readonly state: string;
  readonly desiredState: string;
  /** What Swarm says about the state (an exit code, "task: non-zero exit (3)", ...). */
  readonly message: string;
  readonly value: VariantValue;
  readonly containerId?: string;
  /** IPv4 addresses on the service's networks (not the ingress network). */
  readonly addresses: readonly string[];
}

interface RawTask {
  ID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
  Spec?: { ContainerSpec?: { Env?: string[] } };
  NetworksAttachments?: { Network?: { Spec?: { Name?: string; Ingress?: boolean } }; Addresses?: string[] }[];
}

function addressesOf(task: RawTask): string[] {
  return (task.NetworksAttachments ?? [])
    .filter(
      (attachment) =>
        attachment.Network?.Spec?.Ingress !== true && attachment.Network?.Spec?.Name !== 'ingress',
    )
    .flatMap((attachment) => attachment.Addresses ?? [])
    .map((cidr) => cidr.split('/')[0] ?? cidr)
    .filter((ip) => ip !== '' && !ip.includes(':'));
}

function toTask(serviceName: string, variable: string, task: RawTask): SwarmTask {
  const containerId = task.Status?.ContainerStatus?.ContainerID;
  const err = task.Status?.Err;
  return {
    id: task.ID,
    name: `${serviceName}.${task.Slot ?? task.NodeID ?? task.ID}`,
    state: task.Status?.State ?? 'unknown',
    desiredState: task.DesiredState ?? 'unknown',
    message: [task.Status?.Message, err].filter((m) => m !== undefined && m !== '').join(': '),
    value: envValue(task.Spec?.ContainerSpec?.Env ?? [], variable),
    ...(containerId === undefined || containerId === '' ? {} : { containerId }),
    addresses: addressesOf(task),
  };
}

/** Every task Swarm still wants running (desired state running), in slot order. */
export async function desiredTasks(
  docker: Docker,
  service: { ID: string; Spec: { Name?: string } },
  variable: string,
): Promise<SwarmTask[]> {
  const raw = (await docker.listTasks({
    filters: { service: [service.ID], 'desired-state': ['running'] },
  })) as RawTask[];
  return raw
    .filter((task) => task.DesiredState === 'running')
    .map((task) => toTask(service.Spec.Name ?? service.ID, variable, task))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** Tasks being shut down but not yet gone (an old task a start-first update still lets serve). */
export async function stoppingTasks(
  docker: Docker,
  service: { ID: string; Spec: { Name?: string } },
  variable: string,
): Promise<SwarmTask[]> {
  const raw = (await docker.listTasks({
    filters: { service: [service.ID], 'desired-state': ['shutdown'] },
  })) as RawTask[];
  return raw
    .map((task) => toTask(service.Spec.Name ?? service.ID, variable, task))
    .filter((task) => task.state === 'running');
}

/** The docker_gwbridge address of each local container attached to it (empty without the bridge). */
export async function gatewayAddresses(docker: Docker): Promise<ReadonlyMap<string, string>> {
  const network = (await docker
    .getNetwork('docker_gwbridge')
    .inspect()
    .catch(() => undefined)) as { Containers?: Record<string, { IPv4Address?: string }> } | undefined;
  const out = new Map<string, string>();
  for (const [containerId, endpoint] of Object.entries(network?.Containers ?? {})) {
    const ip = endpoint.IPv4Address?.split('/')[0];
    if (ip !== undefined && ip !== '') out.set(containerId, ip);
  }
  return out;
}
