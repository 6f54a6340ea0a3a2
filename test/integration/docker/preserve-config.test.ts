// A rollback must change MODEL_VARIANT and nothing else. This creates a compose-like container with every
// setting the actuator promises to keep, rolls it back (recreate), compares `docker inspect` field by
// field, then rolls forward and checks the original absence of the variable comes back.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import type { SourceContainer } from '../../../controller/adapters/docker/clone-config.js';
import { isActuatorLabel } from '../../../controller/adapters/docker/labels.js';
import type { ActuationStep } from '../../../controller/ports/actuator.js';
import {
  cleanup,
  docker,
  FIXTURE_DIR,
  fixtureImage,
  removeVolumes,
  runPrefix,
  verifySpec,
} from './docker-fixture.js';

const client = docker();
const prefix = runPrefix();
const project = `${prefix}proj`;
let image: string;
let bindDir: string;
let hostPort: number;
const anonymousVolumes: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Everything the actuator must preserve, normalised so old and new containers can be compared. */
function preservedView(info: SourceContainer) {
  const shortId = info.Id.slice(0, 12);
  const labels = Object.fromEntries(
    Object.entries(info.Config.Labels ?? {}).filter(([k]) => !isActuatorLabel(k)),
  );
  const networks = Object.fromEntries(
    Object.entries(info.NetworkSettings.Networks ?? {}).map(([name, n]) => [
      name,
      ((n.Aliases as string[] | null) ?? []).filter((a) => a !== shortId).sort(),
    ]),
  );
  const hc = info.HostConfig;
  return {
    name: info.Name,
    image: info.Image,
    configImage: info.Config.Image,
    env: (info.Config.Env ?? []).filter((e) => !e.startsWith('MODEL_VARIANT=')),
    labels,
    cmd: info.Config.Cmd,
    entrypoint: info.Config.Entrypoint,
    user: info.Config.User,
    workingDir: info.Config.WorkingDir,
    healthcheck: info.Config.Healthcheck,
    exposedPorts: info.Config.ExposedPorts,
    volumesDeclared: info.Config.Volumes,
    stopSignal: info.Config.StopSignal,
    stopTimeout: info.Config.StopTimeout,
    // Anonymous volumes are re-mounted by name through an extra bind: `mounts` below proves they are the same.
    binds: [...(hc.Binds ?? [])].filter((b) => !anonymousVolumes.some((v) => b.startsWith(`${v}:`))).sort(),
    portBindings: hc.PortBindings,
    publishedPorts: info.NetworkSettings.Ports,
    restartPolicy: hc.RestartPolicy,
    logConfig: hc.LogConfig,
    memory: hc.Memory,
    nanoCpus: hc.NanoCpus,
    cpuShares: hc.CpuShares,
    capAdd: hc.CapAdd,
    capDrop: hc.CapDrop,
    extraHosts: hc.ExtraHosts,
    networkMode: hc.NetworkMode,
    mounts: (info.Mounts ?? [])
      .map((m) => ({
        type: m.Type,
        name: m.Name ?? null,
        source: m.Source,
        destination: m.Destination,
        rw: m.RW,
      }))
      .sort((a, b) => a.destination.localeCompare(b.destination)),
    networks,
  };
}

async function inspectByName(name: string): Promise<SourceContainer> {
  return client.getContainer(name).inspect();
}

async function serviceContainers(): Promise<Docker.ContainerInfo[]> {
  return client.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=api'] },
  });
}

describe('docker actuator preserves every setting but the variant', () => {
  const name = `${prefix}-api-1`;
  const target: ServiceSpec = {
    name: 'api',
    selector: { composeService: 'api', composeProject: project },
    variable: 'MODEL_VARIANT',
    strategy: 'recreate',
    verify: verifySpec(),
  };

  beforeAll(async () => {
    image = await fixtureImage(client);
    hostPort = await freePort();
    bindDir = mkdtempSync(join(tmpdir(), 'guardrail-bind-'));
    writeFileSync(join(bindDir, 'marker.txt'), 'bind mount content\n');
    await client.createNetwork({
      Name: `${prefix}-net-a`,
      Labels: { 'com.docker.compose.project': project },
    });
    await client.createNetwork({ Name: `${prefix}-net-b` });
    await client.createVolume({ Name: `${prefix}-vol` });
    const created = await client.createContainer({
      name,
      Image: image,
      Entrypoint: ['node'],
      Cmd: ['/app/variant-server.mjs'],
      User: '1000:1000',
      WorkingDir: '/app',
      Env: ['FOO=bar', 'PORT=8000', 'EMPTY='],
      Labels: {
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'api',
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'com.docker.compose.config-hash': 'b3c1a9e6d2f0',
        'com.docker.compose.version': '1.29.2',
        'example.team': 'ml-platform',
      },
      ExposedPorts: { '8000/tcp': {}, '9100/tcp': {} },
      Volumes: { '/data/anon': {} },
      StopSignal: 'SIGINT',
      StopTimeout: 5,
      Healthcheck: {
        Test: [
          'CMD',
          'node',
          '-e',
          "fetch('http://127.0.0.1:8000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
        ],
        Interval: 2_000_000_000,
        Timeout: 1_000_000_000,
        Retries: 3,
        StartPeriod: 1_000_000_000,
      },
      HostConfig: {
        NetworkMode: `${prefix}-net-a`,
        Binds: [`${bindDir}:/data/bind:ro`, `${prefix}-vol:/data/named`],
        PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
        Memory: 128 * 1024 * 1024,
        NanoCpus: 500_000_000,
        CpuShares: 512,
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['MKNOD'],
        ExtraHosts: ['guardrail-test-host:127.0.0.2'],
      },
      NetworkingConfig: { EndpointsConfig: { [`${prefix}-net-a`]: { Aliases: ['api', 'api-a'] } } },
    });
    await client
      .getNetwork(`${prefix}-net-b`)
      .connect({ Container: created.id, EndpointConfig: { Aliases: ['api-b'] } });
    await created.start();
    // A container outside the selector (same service, other project) that must never be touched.
    await client
      .createContainer({
        name: `${prefix}-decoy`,
        Image: image,
        Labels: { 'com.docker.compose.project': `${project}-other`, 'com.docker.compose.service': 'api' },
      })
      .then((c) => c.start());
    const info = await inspectByName(name);
    for (const m of info.Mounts)
      if (m.Type === 'volume' && m.Name && m.Name !== `${prefix}-vol`) anonymousVolumes.push(m.Name);
    if (process.env['GUARDRAIL_WRITE_INSPECT_FIXTURE'] === '1') {
      writeFileSync(join(FIXTURE_DIR, 'inspect-all-fields.json'), `${JSON.stringify(info, null, 2)}\n`);
    }
  });

  afterAll(async () => {
    await cleanup(client, prefix);
    await removeVolumes(client, anonymousVolumes);
    if (bindDir) rmSync(bindDir, { recursive: true, force: true });
  });

  it('rolls back with MODEL_VARIANT=baseline and keeps every other field, then rolls forward to absence', async () => {
    const actuator = new DockerActuator([target]);
    const before = await inspectByName(name);
    const decoyBefore = await inspectByName(`${prefix}-decoy`);
    const journal: ActuationStep[] = [];

    const back = await actuator.switchVariant({
      service: target,
      value: 'baseline',
      rollbackId: 'rb-preserve',
      onStep: async (step) => {
        journal.push(step);
      },
    });
    expect(back.noop).toBe(false);
    expect(back.fromValue).toBeNull();
    expect(back.originalValue).toBeNull();
    expect(journal.map((s) => s.name)).toEqual([
      'inspected',
      'renamed-old',
      'stopped-old',
      'created-new',
      'connected-networks',
      'started-new',
      'verified-new',
      'removed-old',
    ]);

    const rolledBack = await inspectByName(name);
    expect(rolledBack.Id).not.toBe(before.Id);
    expect(rolledBack.State.Running).toBe(true);
    expect(rolledBack.Config.Env).toContain('MODEL_VARIANT=baseline');
    expect(rolledBack.Config.Hostname).not.toBe(before.Id.slice(0, 12));
    expect(rolledBack.Config.Labels).toMatchObject({
      'guardrail.managed': 'true',
      'guardrail.rollback-id': 'rb-preserve',
      'guardrail.variant': 'baseline',
      'guardrail.original-absent': 'true',
    });
    expect(preservedView(rolledBack)).toEqual(preservedView(before));
    expect(await serviceContainers()).toHaveLength(1);
    const served = await fetch(`http://127.0.0.1:${hostPort}/version`).then((r) => r.json());
    expect(served).toEqual({ model_variant: 'baseline', model_version: 'fixture-1' });

    // Idempotent: the same value again is a quick no-op that touches nothing.
    const again = await actuator.switchVariant({ service: target, value: 'baseline', rollbackId: 'rb-preserve-2' });
    expect(again.noop).toBe(true);
    expect((await inspectByName(name)).Id).toBe(rolledBack.Id);

    const forward = await actuator.switchVariant({
      service: target,
      value: back.originalValue,
      rollbackId: 'rb-forward',
    });
    expect(forward.fromValue).toBe('baseline');
    expect(forward.toValue).toBeNull();
    const restored = await inspectByName(name);
    expect(restored.Config.Env?.some((e) => e.startsWith('MODEL_VARIANT='))).toBe(false);
    expect(restored.Config.Env).toEqual(before.Config.Env);
    expect(preservedView(restored)).toEqual(preservedView(before));
    expect(restored.Config.Labels?.['guardrail.original-absent']).toBe('true');
    const servedAfter = await fetch(`http://127.0.0.1:${hostPort}/version`).then((r) => r.json());
    expect(servedAfter).toEqual({ model_variant: 'ml', model_version: 'fixture-1' });

    const state = await actuator.inspect(target);
    expect(state.instances.map((i) => [i.name, i.role, i.value, i.running])).toEqual([
      [name, 'current', null, true],
    ]);
    const decoyAfter = await inspectByName(`${prefix}-decoy`);
    expect(decoyAfter.Id).toBe(decoyBefore.Id);
    expect(decoyAfter.State.StartedAt).toBe(decoyBefore.State.StartedAt);
  });
});
