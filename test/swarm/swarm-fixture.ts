// Shared set-up for the Swarm tests (vitest project `swarm`, docs/testing.md): a single-node swarm on this
// Docker Engine (global-setup.ts makes sure there is one), a stack-like namespace per test file (services
// `<stack>_<name>` labelled com.docker.stack.namespace=<stack>, as `docker stack deploy` would), an
// attachable overlay network, the actuator fixture image, and a cleanup that removes exactly what carries
// the file's prefix (services first, then networks: Swarm refuses to remove a network in use).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Sample, ServiceSpec } from '../../controller/core/index.js';
import type { MetricsSource } from '../../controller/ports/metrics-source.js';
import { fileURLToPath } from 'node:url';
import {
  cleanup as cleanupContainers,
  docker,
  fixtureImage,
  verifySpec,
} from '../integration/docker/docker-fixture.js';

export { docker, fixtureImage, verifySpec };

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const STACK_LABEL = 'com.docker.stack.namespace';

export function stackPrefix(what: string): string {
  return `gr-swarm-${what}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function createOverlay(client: Docker, stack: string): Promise<string> {
  const name = `${stack}_default`;
  await client.createNetwork({
    Name: name,
    Driver: 'overlay',
    Attachable: true,
    Labels: { [STACK_LABEL]: stack },
  });
  return name;
}

export interface FixtureService {
  readonly stack: string;
  readonly name: string;
  readonly network: string;
  readonly image: string;
  readonly replicas: number;
  readonly env?: readonly string[];
  /** Seconds Swarm watches each new task for a failure before it counts the batch as done. */
  readonly monitorSeconds?: number;
}

/** A replicated service like `docker stack deploy` makes it: dnsrr on the stack's overlay, its short name as alias. */
export async function createFixtureService(client: Docker, s: FixtureService): Promise<string> {
  const created = (await client.createService({
    Name: `${s.stack}_${s.name}`,
    Labels: { [STACK_LABEL]: s.stack },
    TaskTemplate: {
      ContainerSpec: {
        Image: s.image,
        Env: ['MODEL_VARIANT', ...(s.env ?? [])],
        Labels: { [STACK_LABEL]: s.stack },
      },
      RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
      Networks: [{ Target: s.network, Aliases: [s.name] }],
    },
    Mode: { Replicated: { Replicas: s.replicas } },
    UpdateConfig: {
      Parallelism: 1,
      Order: 'stop-first',
      FailureAction: 'pause',
      Monitor: (s.monitorSeconds ?? 1) * 1_000_000_000,
    },
    RollbackConfig: { Parallelism: 1, Order: 'stop-first', Monitor: (s.monitorSeconds ?? 1) * 1_000_000_000 },
    EndpointSpec: { Mode: 'dnsrr' },
  })) as { id?: string; ID?: string };
  return created.id ?? created.ID ?? `${s.stack}_${s.name}`;
}

interface TaskInfo {
  DesiredState?: string;
  Status?: { State?: string };
  Spec?: { ContainerSpec?: { Env?: string[] } };
  NetworksAttachments?: { Addresses?: string[] }[];
}

/** Waits until the service runs `replicas` tasks in state running (the first deploy, or after a test). */
export async function waitForRunning(
  client: Docker,
  serviceName: string,
  replicas: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = (await client.listTasks({
      filters: { service: [serviceName], 'desired-state': ['running'] },
    })) as TaskInfo[];
    const running = tasks.filter((t) => t.Status?.State === 'running').length;
    if (running === replicas && tasks.length === replicas) return;
    if (Date.now() > deadline)
      throw new Error(`${serviceName}: ${running} of ${replicas} tasks running after ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** The env value of every task Swarm wants running, e.g. ['baseline', 'baseline', 'baseline']. */
export async function taskValues(client: Docker, serviceName: string): Promise<(string | null)[]> {
  const tasks = (await client.listTasks({
    filters: { service: [serviceName], 'desired-state': ['running'] },
  })) as TaskInfo[];
  return tasks.map(
    (t) =>
      (t.Spec?.ContainerSpec?.Env ?? [])
        .find((e) => e.startsWith('MODEL_VARIANT='))
        ?.slice('MODEL_VARIANT='.length) ?? null,
  );
}

export interface UpdateStatusInfo {
  State?: string;
  Message?: string;
}

export async function updateStatus(
  client: Docker,
  serviceName: string,
): Promise<UpdateStatusInfo | undefined> {
  return ((await client.getService(serviceName).inspect()) as { UpdateStatus?: UpdateStatusInfo })
    .UpdateStatus;
}

/** The ServiceSpec a policy `swarm: {stack, services: [name]}` gives the actuator. */
export function swarmService(stack: string, name: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    selector: { swarmService: name, swarmStack: stack },
    variable: 'MODEL_VARIANT',
    strategy: 'start-first',
    verify: verifySpec({ timeoutMs: 45_000 }),
    ...overrides,
  };
}

/** Removes the prefix's services, waits for their tasks to go, then its networks and containers. */
export async function cleanupStack(client: Docker, prefix: string): Promise<void> {
  const services = await client.listServices({ filters: { name: [prefix] } });
  await Promise.all(
    services.map((s) =>
      client
        .getService(s.ID)
        .remove()
        .catch(() => undefined),
    ),
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const left = await client.listContainers({ all: true, filters: { label: [`${STACK_LABEL}=${prefix}`] } });
    if (left.length === 0) break;
    await sleep(250);
  }
  await cleanupContainers(client, prefix);
  // An overlay network may be in use until the removed services' tasks are gone. Listed by label: for a
  // swarm network the Engine's name filter matches only the exact name.
  const networksDeadline = Date.now() + 60_000;
  while (Date.now() < networksDeadline) {
    const left = await client.listNetworks({ filters: { label: [`${STACK_LABEL}=${prefix}`] } });
    if (left.length === 0) break;
    await Promise.all(
      left.map((n) =>
        client
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined),
      ),
    );
    await sleep(1_000);
  }
}

/**
 * policies/examples/demo.yaml with its target replaced by `swarm: {stack, services}` (start-first, the given
 * parallelism and verification timeout). Its reasons need Prometheus; the tests drive it by hand.
 */
export async function writeSwarmPolicy(
  dir: string,
  p: { name: string; stack: string; services: readonly string[]; parallelism: number; timeout: string },
): Promise<string> {
  const demo = await readFile(join(REPO_ROOT, 'policies/examples/demo.yaml'), 'utf8');
  const policy = demo
    .replace(/^name: demo$/m, `name: ${p.name}`)
    .replace(/^ {2}name: demo$/m, `  name: ${p.name}`)
    .replace(
      / {2}compose:\n {4}project: guardrail-demo\n {4}services: \[api\]/,
      `  swarm:\n    stack: ${p.stack}\n    services: [${p.services.join(', ')}]\n  parallelism: ${p.parallelism}`,
    )
    .replace(/strategy: recreate/, 'strategy: start-first')
    .replace(/timeout: 30s/, `timeout: ${p.timeout}`)
    // The Swarm actuator runs no shadow candidate (the loader refuses one): roll forward by hand.
    .replace(/^rollforward:\n(?: {2}.*\n)+/m, 'rollforward:\n  mode: manual\n');
  if (!/^rollforward:\n {2}mode: manual\n\n/m.test(policy))
    throw new Error('policies/examples/demo.yaml changed: its rollforward block could not be replaced');
  if (!policy.includes('swarm:'))
    throw new Error('policies/examples/demo.yaml changed: the swarm target could not be put in');
  const file = join(dir, `${p.name}.yaml`);
  await writeFile(file, policy);
  return file;
}

/** A metrics source that never has data: every verdict UNKNOWN, so only manual operations act. */
export const blindMetrics: MetricsSource = {
  query: (): Promise<Sample> =>
    Promise.resolve({ kind: 'unknown', cause: 'no_data', detail: 'no Prometheus in this test' }),
  queryAll: (queries) => Promise.all(queries.map(() => blindMetrics.query(''))),
  isReachable: () => Promise.resolve(false),
};

/**
 * What each running task answers on /version (`field`: model_variant by default), asked on the task's
 * docker_gwbridge address: the one way in from the host to a task on this node (its overlay address is
 * not routed here).
 */
export async function servedVariants(
  client: Docker,
  serviceName: string,
  field = 'model_variant',
): Promise<string[]> {
  const tasks = (await client.listTasks({
    filters: { service: [serviceName], 'desired-state': ['running'] },
  })) as {
    Status?: { ContainerStatus?: { ContainerID?: string } };
  }[];
  const bridge = (await client.getNetwork('docker_gwbridge').inspect()) as {
    Containers?: Record<string, { IPv4Address?: string }>;
  };
  const answers: string[] = [];
  for (const task of tasks) {
    const ip =
      bridge.Containers?.[task.Status?.ContainerStatus?.ContainerID ?? '']?.IPv4Address?.split('/')[0];
    if (ip === undefined) {
      answers.push('unreachable');
      continue;
    }
    const body = (await fetch(`http://${ip}:8000/version`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.json())
      .catch(() => ({}))) as Record<string, unknown>;
    answers.push(typeof body[field] === 'string' ? body[field] : 'no answer');
  }
  return answers.sort();
}
