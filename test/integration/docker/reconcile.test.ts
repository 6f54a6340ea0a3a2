// A controller killed mid-switch leaves one of a few intermediate states. Each is built here with
// dockerode directly (as the actuator would have left it), then reconcile() must converge to exactly one
// target container serving the right variant, and a second reconcile must change nothing.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import { planClone } from '../../../controller/adapters/docker/clone-config.js';
import type { SourceContainer } from '../../../controller/adapters/docker/clone-config.js';
import { verifyContainer } from '../../../controller/adapters/docker/container-ops.js';
import { oldContainerName } from '../../../controller/adapters/docker/labels.js';
import { cleanup, containersNamed, docker, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const client = docker();
const prefix = runPrefix();
const netA = `${prefix}-net-a`;
const netB = `${prefix}-net-b`;
let image: string;

type Interrupted =
  | 'old-renamed-stopped' // killed after stopping the old one, before creating the new one
  | 'new-created' // new container exists, not connected to its second network, not started
  | 'new-running' // started but never verified
  | 'both-verified'; // start-first: new verified, old still running under its temporary name

function spec(name: string): ServiceSpec {
  return {
    name,
    selector: { containerName: name },
    variable: 'MODEL_VARIANT',
    strategy: 'recreate',
    verify: verifySpec({ timeoutMs: 5000, via: 'container-ip' }),
  };
}

async function startService(name: string, env: string[] = []): Promise<SourceContainer> {
  const created = await client.createContainer({
    name,
    Image: image,
    Env: env,
    HostConfig: { NetworkMode: netA },
    NetworkingConfig: { EndpointsConfig: { [netA]: { Aliases: ['svc'] } } },
  });
  await client.getNetwork(netB).connect({ Container: created.id, EndpointConfig: { Aliases: ['svc-b'] } });
  await created.start();
  await verifyContainer(client, created.id, spec(name).verify, 'ml');
  return created.inspect();
}

/** Leaves the Docker state a switch to `baseline` interrupted at `stage` would have left. */
async function interrupt(name: string, stage: Interrupted, rollbackId: string): Promise<void> {
  const info: SourceContainer = await client.getContainer(name).inspect();
  const old = client.getContainer(info.Id);
  await old.rename({ name: oldContainerName(name, rollbackId) });
  if (stage !== 'both-verified') await old.stop();
  if (stage === 'old-renamed-stopped') return;
  const plan = planClone(info, {
    variable: 'MODEL_VARIANT',
    value: 'baseline',
    rollbackId,
    targetName: name,
    expectedVariant: 'baseline',
    strategy: stage === 'both-verified' ? 'start-first' : 'recreate',
    image: info.Image,
    name,
  });
  const created = await client.createContainer(plan.create);
  if (stage === 'new-created') return;
  for (const { network, endpoint } of plan.extraNetworks) {
    await client.getNetwork(network).connect({ Container: created.id, EndpointConfig: endpoint });
  }
  await created.start();
  if (stage === 'both-verified') await verifyContainer(client, created.id, spec(name).verify, 'baseline');
}

async function onlyContainer(name: string) {
  const all = await containersNamed(client, name);
  expect(all).toHaveLength(1);
  const info: SourceContainer = await client.getContainer(all[0]?.Id ?? '').inspect();
  expect(info.Name).toBe(`/${name}`);
  expect(info.State.Running).toBe(true);
  return info;
}

describe('reconcile finishes or undoes an interrupted switch', () => {
  beforeAll(async () => {
    image = await fixtureImage(client);
    await client.createNetwork({ Name: netA });
    await client.createNetwork({ Name: netB });
  });
  afterAll(async () => {
    await cleanup(client, prefix);
  });

  const cases: Array<{ stage: Interrupted; outcome: 'finished' | 'undone'; variant: string }> = [
    { stage: 'old-renamed-stopped', outcome: 'undone', variant: 'ml' },
    { stage: 'new-created', outcome: 'finished', variant: 'baseline' },
    { stage: 'new-running', outcome: 'finished', variant: 'baseline' },
    { stage: 'both-verified', outcome: 'finished', variant: 'baseline' },
  ];

  for (const { stage, outcome, variant } of cases) {
    it(`${stage} → ${outcome} (${variant})`, async () => {
      const name = `${prefix}-${stage}`;
      const original = await startService(name);
      await interrupt(name, stage, 'rb-cut');
      expect(await containersNamed(client, name)).toHaveLength(stage === 'old-renamed-stopped' ? 1 : 2);

      const actuator = new DockerActuator([spec(name)]);
      const result = await actuator.reconcile(spec(name), { rollbackId: 'rb-cut', value: 'baseline' });
      expect(result.outcome).toBe(outcome);
      expect(result.state.instances).toHaveLength(1);
      expect(result.state.instances[0]).toMatchObject({ name, role: 'current', running: true });

      const info = await onlyContainer(name);
      await verifyContainer(client, info.Id, spec(name).verify, variant);
      if (outcome === 'undone') expect(info.Id).toBe(original.Id);
      // Both networks with their aliases, whichever container survived.
      expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual([netA, netB].sort());
      expect(info.NetworkSettings.Networks[netB]?.Aliases).toContain('svc-b');
      expect(info.NetworkSettings.Networks[netA]?.Aliases).toContain('svc');

      // Level-triggered: a second pass finds a settled target and changes nothing.
      const again = await actuator.reconcile(spec(name), { rollbackId: 'rb-cut', value: 'baseline' });
      expect(again.outcome).toBe(outcome === 'undone' ? 'nothing-to-do' : 'finished');
      expect((await onlyContainer(name)).Id).toBe(info.Id);
    });
  }

  it('new-created whose new container cannot serve → undone to the old container', async () => {
    const name = `${prefix}-broken-new`;
    const original = await startService(name, ['EXIT_AT_START_FOR_VARIANT=baseline']);
    await interrupt(name, 'new-created', 'rb-broken');
    const result = await new DockerActuator([spec(name)]).reconcile(spec(name), {
      rollbackId: 'rb-broken',
      value: 'baseline',
    });
    expect(result.outcome).toBe('undone');
    const info = await onlyContainer(name);
    expect(info.Id).toBe(original.Id);
    await verifyContainer(client, info.Id, spec(name).verify, 'ml');
  });

  it('no trace of the rollback → nothing to do', async () => {
    const name = `${prefix}-clean`;
    const original = await startService(name);
    const result = await new DockerActuator([spec(name)]).reconcile(spec(name), {
      rollbackId: 'rb-never',
      value: 'baseline',
    });
    expect(result.outcome).toBe('nothing-to-do');
    expect((await onlyContainer(name)).Id).toBe(original.Id);
  });
});
