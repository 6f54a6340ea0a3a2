// The Swarm actuator on a real single-node swarm, under load (issue 18): a service of 3 replicas (dnsrr on
// an overlay network, as the stack has it) is rolled back to baseline and forward to ML while a container on
// that overlay network sends ~100 requests/s to the service's DNS name, one connection per request. Not one
// request may fail. The switch's journal is the exact step list, and every task serves the variant after.
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwarmActuator } from '../../controller/adapters/swarm/index.js';
import type { SwitchResult } from '../../controller/ports/actuator.js';
import {
  cleanupStack,
  createFixtureService,
  createOverlay,
  docker,
  fixtureImage,
  servedVariants,
  sleep,
  stackPrefix,
  swarmService,
  taskValues,
  updateStatus,
  waitForRunning,
} from './swarm-fixture.js';

const REPLICAS = 3;
const client: Docker = docker();
const stack = stackPrefix('load');
const serviceName = `${stack}_api`;
let image: string;
let network: string;

interface LoadCounts {
  sent: number;
  ok: number;
  failed: number;
  variants: Record<string, number>;
  errors: Record<string, number>;
  failures?: unknown[];
  byIp?: Record<string, { ok: number; failed: number }>;
}

/** ~100 rps to http://<service>:8000/predict from a container on the overlay, for `durationMs`. */
async function startLoad(name: string, durationMs: number): Promise<{ done: () => Promise<LoadCounts> }> {
  const loader = await client.createContainer({
    name: `${stack}-load-${name}`,
    Image: image,
    Tty: true,
    Cmd: ['node', '/app/load-client.mjs', `http://${serviceName}:8000/predict`, '100', String(durationMs)],
    HostConfig: { NetworkMode: network },
  });
  await loader.start();
  return {
    done: async () => {
      await loader.wait();
      const logs: unknown = await loader.logs({ stdout: true, stderr: true });
      const text = Buffer.isBuffer(logs) ? logs.toString() : JSON.stringify(logs);
      return JSON.parse(text.trim().split('\n').pop() ?? '{}') as LoadCounts;
    },
  };
}

function stepNames(result: SwitchResult): string[] {
  return result.steps.map((s) => s.name);
}

beforeAll(async () => {
  image = await fixtureImage(client);
  network = await createOverlay(client, stack);
  await createFixtureService(client, { stack, name: 'api', network, image, replicas: REPLICAS });
  await waitForRunning(client, serviceName, REPLICAS);
});

afterAll(async () => {
  await cleanupStack(client, stack);
});

describe(`a Swarm service of ${REPLICAS} replicas under ~100 rps through its DNS name`, () => {
  const service = swarmService(stack, 'api', { parallelism: 1 });
  const actuator = new SwarmActuator([service]);

  async function switchUnderLoad(
    value: string | null,
    rollbackId: string,
  ): Promise<{ result: SwitchResult; load: LoadCounts }> {
    const load = await startLoad(rollbackId, 16_000);
    await sleep(1_500);
    const started = Date.now();
    const result = await actuator.switchVariant({ service, value, rollbackId });
    const switchedAfterMs = Date.now() - started;
    const counts = await load.done();
    console.log(
      `${rollbackId}: switch ${result.durationMs} ms (${switchedAfterMs} ms wall), ${counts.failed}/${counts.sent} failed`,
      counts.errors,
      counts.variants,
      JSON.stringify(counts.byIp),
      ...(counts.failures ?? []).slice(0, 5).map((f) => JSON.stringify(f)),
    );
    // The whole switch ran under load: the load lasts 16 s, the switch started 1.5 s in.
    expect(switchedAfterMs).toBeLessThan(14_000);
    return { result, load: counts };
  }

  it('rolls back to baseline with start-first: every task on baseline, 0 failed requests', async () => {
    const { result, load } = await switchUnderLoad('baseline', 'rb-load');
    expect(stepNames(result)).toEqual(['inspected', 'updated-service', 'update-completed', 'verified-new']);
    expect(result.steps.find((s) => s.name === 'updated-service')?.detail).toMatchObject({
      value: 'baseline',
      order: 'start-first',
      parallelism: '1',
    });
    expect(result).toMatchObject({ noop: false, fromValue: null, toValue: 'baseline', originalValue: null });
    expect(result.containers).toHaveLength(REPLICAS);
    expect(result.steps.find((s) => s.name === 'verified-new')?.detail['tasks']?.split(',')).toHaveLength(
      REPLICAS,
    );
    expect(await taskValues(client, serviceName)).toEqual(Array(REPLICAS).fill('baseline'));
    expect(await servedVariants(client, serviceName)).toEqual(Array(REPLICAS).fill('baseline'));
    expect((await updateStatus(client, serviceName))?.State).toBe('completed');
    expect(load.errors).toEqual({});
    expect(load.failed).toBe(0);
    expect(load.ok).toBe(load.sent);
    expect(load.variants['ml']).toBeGreaterThan(0);
    expect(load.variants['baseline']).toBeGreaterThan(0);
  });

  it('switching to the value it has is a no-op that touches nothing', async () => {
    const before = (await client.getService(serviceName).inspect()) as { Version: { Index: number } };
    const result = await actuator.switchVariant({ service, value: 'baseline', rollbackId: 'rb-again' });
    expect(stepNames(result)).toEqual(['inspected', 'noop']);
    expect(result.noop).toBe(true);
    const after = (await client.getService(serviceName).inspect()) as { Version: { Index: number } };
    expect(after.Version.Index).toBe(before.Version.Index);
  });

  it('rolls forward to ML (the variable removed again), 0 failed requests', async () => {
    const { result, load } = await switchUnderLoad(null, 'rf-load');
    expect(stepNames(result)).toEqual(['inspected', 'updated-service', 'update-completed', 'verified-new']);
    expect(result).toMatchObject({ noop: false, fromValue: 'baseline', toValue: null, originalValue: null });
    expect(await taskValues(client, serviceName)).toEqual(Array(REPLICAS).fill(null));
    expect(await servedVariants(client, serviceName)).toEqual(Array(REPLICAS).fill('ml'));
    const spec = (
      (await client.getService(serviceName).inspect()) as {
        Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } };
      }
    ).Spec;
    expect((spec.TaskTemplate.ContainerSpec.Env ?? []).filter((e) => e.startsWith('MODEL_VARIANT'))).toEqual(
      [],
    );
    expect(load.errors).toEqual({});
    expect(load.failed).toBe(0);
    expect(load.ok).toBe(load.sent);
    expect(load.variants['baseline']).toBeGreaterThan(0);
    expect(load.variants['ml']).toBeGreaterThan(0);
  });
});
