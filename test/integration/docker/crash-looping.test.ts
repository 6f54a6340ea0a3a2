// The model won't load: the target container exits at start and `--restart unless-stopped` keeps
// restarting it. Docker refuses to rename a container mid-restart, so the actuator must stop the loop
// first; afterwards exactly one container serves the new variant with the original restart policy, and
// when the new one fails too the old one is put back into its loop, as it was (restored=true).
import type { ServiceSpec, Strategy } from '../../../controller/core/index.js';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import { oldContainerName } from '../../../controller/adapters/docker/labels.js';
import { ActuationError } from '../../../controller/ports/actuator.js';
import type { ActuationStep } from '../../../controller/ports/actuator.js';
import { cleanup, containersNamed, docker, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const client = docker();
const prefix = runPrefix();
const network = `${prefix}-net`;
const POLICY = { Name: 'unless-stopped', MaximumRetryCount: 0 };
let image: string;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a container that exits at start as `ml` (its value: MODEL_VARIANT absent) and waits for the loop. */
async function startCrashLooping(name: string, extraEnv: string[] = []): Promise<string> {
  const created = await client.createContainer({
    name,
    Image: image,
    Env: ['EXIT_AT_START_FOR_VARIANT=ml', ...extraEnv],
    HostConfig: { NetworkMode: network, RestartPolicy: POLICY },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['svc'] } } },
  });
  await created.start();
  await waitUntilCycling(created.id, 2);
  return created.id;
}

/** Waits until Docker has restarted the container `restarts` times: it is in its restart loop. */
async function waitUntilCycling(id: string, restarts: number): Promise<Docker.ContainerInspectInfo> {
  for (let attempt = 0; ; attempt++) {
    const info = await client.getContainer(id).inspect();
    if (info.RestartCount >= restarts) return info;
    if (attempt >= 100) throw new Error(`container not cycling: ${info.State.Status}, ${info.RestartCount}`);
    await sleep(100);
  }
}

async function versionOf(info: Docker.ContainerInspectInfo): Promise<unknown> {
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(`http://${ip}:8000/version`, { signal: AbortSignal.timeout(1000) }).then((r) =>
        r.json(),
      );
    } catch (error) {
      if (attempt >= 50) throw error;
      await sleep(100);
    }
  }
}

function spec(name: string, strategy: Strategy, timeoutMs = 8000): ServiceSpec {
  return {
    name,
    selector: { containerName: name },
    variable: 'MODEL_VARIANT',
    strategy,
    verify: verifySpec({ timeoutMs, via: 'container-ip' }),
  };
}

describe('a crash-looping target container', () => {
  beforeAll(async () => {
    image = await fixtureImage(client);
    await client.createNetwork({ Name: network });
  });
  afterAll(async () => {
    await cleanup(client, prefix);
  });

  for (const strategy of ['recreate', 'start-first'] as const) {
    it(`${strategy}: switches it to the variant that serves, keeping its restart policy`, async () => {
      const name = `${prefix}-loop-${strategy}`;
      const oldId = await startCrashLooping(name);
      const target = spec(name, strategy);
      const steps: ActuationStep[] = [];
      const started = Date.now();
      const result = await new DockerActuator([target]).switchVariant({
        service: target,
        value: 'baseline',
        rollbackId: `rb-loop-${strategy}`,
        onStep: async (s) => {
          steps.push(s);
        },
      });
      console.log(`crash-looping ${strategy}: switch took ${Date.now() - started} ms`);
      expect(result.noop).toBe(false);
      expect(result.fromValue).toBeNull();
      const renamed = steps.find((s) => s.name === 'renamed-old');
      expect(renamed?.detail).toMatchObject({ oldId, crashLooping: 'true', restartPolicy: 'unless-stopped' });
      expect(steps.map((s) => s.name)).toEqual([
        'inspected',
        'renamed-old',
        'stopped-old',
        'created-new',
        'started-new',
        'verified-new',
        'removed-old',
      ]);

      const all = await containersNamed(client, name);
      expect(all.map((c) => c.Id)).toEqual([result.containers[0]?.id]);
      expect(all[0]?.Id).not.toBe(oldId);
      const info = await client.getContainer(all[0]?.Id ?? '').inspect();
      expect(info.Name).toBe(`/${name}`);
      expect(info.HostConfig.RestartPolicy).toEqual(POLICY);
      expect(await versionOf(info)).toMatchObject({ model_variant: 'baseline' });
      await sleep(1000); // a second later it still runs, never restarted
      const later = await client.getContainer(info.Id).inspect();
      expect(later.State.Running).toBe(true);
      expect(later.State.Restarting).toBe(false);
      expect(later.RestartCount).toBe(0);
    });

    it(`${strategy}: a new container that fails too puts the old one back into its loop`, async () => {
      const name = `${prefix}-fail-${strategy}`;
      const oldId = await startCrashLooping(name, ['FAIL_HEALTH_FOR_VARIANT=baseline']);
      const target = spec(name, strategy, 2000);
      const steps: ActuationStep[] = [];
      const error = await new DockerActuator([target])
        .switchVariant({
          service: target,
          value: 'baseline',
          rollbackId: `rb-fail-${strategy}`,
          onStep: async (s) => {
            steps.push(s);
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ActuationError);
      expect((error as ActuationError).restored).toBe(true);
      expect((error as ActuationError).step).toBe('verified-new');
      expect(steps.slice(-2).map((s) => s.name)).toEqual(['removed-new', 'restored-old']);
      expect(steps.at(-1)?.detail).toMatchObject({ oldId, state: 'crash-looping' });

      const all = await containersNamed(client, name);
      expect(all.map((c) => c.Id)).toEqual([oldId]);
      const info = await waitUntilCycling(oldId, 1);
      expect(info.Name).toBe(`/${name}`);
      expect(info.HostConfig.RestartPolicy).toEqual(POLICY);
      expect(info.State.Running || info.State.Restarting).toBe(true);
    });
  }

  it('reconcile undoes a switch interrupted after the loop was halted and the old renamed', async () => {
    const name = `${prefix}-reconcile`;
    const oldId = await startCrashLooping(name);
    // What a controller killed right after `renamed-old` leaves: the old one stopped under its old name.
    await client.getContainer(oldId).stop();
    await client.getContainer(oldId).rename({ name: oldContainerName(name, 'rb-killed') });
    const target = spec(name, 'recreate');
    const result = await new DockerActuator([target]).reconcile(target, {
      rollbackId: 'rb-killed',
      value: 'baseline',
      lastStep: 'renamed-old',
    });
    expect(result.outcome).toBe('undone');
    const all = await containersNamed(client, name);
    expect(all.map((c) => c.Id)).toEqual([oldId]);
    const info = await waitUntilCycling(oldId, 1);
    expect(info.Name).toBe(`/${name}`);
    expect(info.HostConfig.RestartPolicy).toEqual(POLICY);
  });
});
