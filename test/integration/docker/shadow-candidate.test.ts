// The shadow candidate on a real Docker Engine (docs/actuators/docker-strategies.md, "Shadow candidate"): a rollback gives the
// baseline SHADOW_URL pointing at `<name>-guardrail-shadow`; maintainShadow keeps that ML candidate beside it
// while wanted, off the alias and without host ports but reachable by name; a roll-forward takes it over
// (the warm-standby takeover in reverse) under 100 rps through the alias; one that is not wanted is removed;
// one that cannot load is reported failed, left stopped, and never taken over.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import type { SourceContainer } from '../../../controller/adapters/docker/clone-config.js';
import { shadowContainerName } from '../../../controller/adapters/docker/labels.js';
import type { ActuationStep, StandbyReport } from '../../../controller/ports/actuator.js';
import { isActuationError } from '../../../controller/ports/actuator.js';
import { cleanup, containersNamed, docker, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const run = promisify(execFile);
const client = docker();
const prefix = runPrefix();
const network = `${prefix}-net`;
const name = `${prefix}-svc`;
const candidateName = shadowContainerName(name);
let image: string;

function target(containerName: string): ServiceSpec {
  return {
    name: containerName,
    selector: { containerName },
    variable: 'MODEL_VARIANT',
    strategy: 'start-first',
    stopSignal: 'SIGINT',
    shadow: { value: null, share: 1, timeoutMs: 1000 },
    verify: verifySpec({ timeoutMs: 5000, via: 'container-ip' }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const actuator = (containerName = name): DockerActuator => new DockerActuator([target(containerName)]);

async function startCurrent(containerName: string, env: string[] = []): Promise<void> {
  const created = await client.createContainer({
    name: containerName,
    Image: image,
    Env: env,
    ExposedPorts: { '8000/tcp': {} },
    HostConfig: { NetworkMode: network, PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['svc'] } } },
  });
  await created.start();
}

function inspect(nameOrId: string): Promise<SourceContainer> {
  return client.getContainer(nameOrId).inspect();
}

/** Calls maintainShadow until it reports `state` (each call is one level-triggered pass). */
async function maintainUntil(spec: ServiceSpec, state: StandbyReport['state']): Promise<StandbyReport[]> {
  const reports: StandbyReport[] = [];
  for (let i = 0; i < 40; i++) {
    const report = await new DockerActuator([spec]).maintainShadow(spec, true);
    reports.push(report);
    if (report.state === state) return reports;
    await sleep(250);
  }
  throw new Error(`candidate never ${state}: ${JSON.stringify(reports.at(-1))}`);
}

/** From a client container on the network: what `host` resolves to, and what its /version says. */
async function fromNetwork(host: string): Promise<{ addresses: string[]; variant: string | null }> {
  const script = `require('dns').lookup(${JSON.stringify(host)}, { all: true }, async (e, a) => {
    const addresses = e ? [] : a.map((x) => x.address).sort();
    const variant = e ? null : await fetch('http://' + ${JSON.stringify(host)} + ':8000/version').then((r) => r.json()).then((b) => b.model_variant, () => null);
    console.log(JSON.stringify({ addresses, variant }));
  })`;
  const { stdout } = await run('docker', ['run', '--rm', '--network', network, '--entrypoint', 'node', image, '-e', script]);
  return JSON.parse(stdout.trim()) as { addresses: string[]; variant: string | null };
}

function ipOf(info: SourceContainer): string {
  return info.NetworkSettings.Networks[network]?.IPAddress ?? '';
}

describe('shadow candidate (start-first + rollforward.shadow)', () => {
  beforeAll(async () => {
    image = await fixtureImage(client);
    await client.createNetwork({ Name: network });
    await startCurrent(name);
  });

  afterAll(async () => {
    await cleanup(client, prefix);
  });

  it('a rollback gives the baseline SHADOW_URL; the candidate is an ML clone off the alias, without host ports, reachable by name', async () => {
    await actuator().switchVariant({ service: target(name), value: 'baseline', rollbackId: 'rb-shadow' });
    const baseline = await inspect(name);
    expect(baseline.Config.Env).toEqual(expect.arrayContaining(['MODEL_VARIANT=baseline', `SHADOW_URL=http://${candidateName}:8000`, 'SHADOW_SHARE=1', 'SHADOW_TIMEOUT_MS=1000']));

    const reports = await maintainUntil(target(name), 'ready');
    expect(reports[0]?.actions).toEqual([`created ${candidateName}`]);
    expect(reports.at(-1)).toMatchObject({ actions: [], detail: 'serves ml', instance: { name: candidateName } });
    const candidate = await inspect(candidateName);
    expect(candidate.Config.Env.filter((e) => /^(MODEL_VARIANT|SHADOW_)/.test(e))).toEqual([]);
    expect(candidate.Config.Labels['guardrail.shadow-for']).toBe(baseline.Id);
    expect(candidate.HostConfig.PortBindings).toEqual({});
    expect(candidate.NetworkSettings.Networks[network]?.Aliases ?? []).not.toContain('svc');
    // Users reach the baseline only; the baseline reaches the candidate by its name (its SHADOW_URL).
    expect(await fromNetwork('svc')).toEqual({ addresses: [ipOf(baseline)], variant: 'baseline' });
    expect(await fromNetwork(candidateName)).toEqual({ addresses: [ipOf(candidate)], variant: 'ml' });
    expect((await actuator().inspect(target(name))).instances.map((i) => [i.name, i.role])).toEqual([
      [name, 'current'],
      [candidateName, 'shadow'],
    ]);
  });

  it('a roll-forward takes the candidate over under 100 rps through the alias; the ML container no longer mirrors', async () => {
    const candidate = await inspect(candidateName);
    const loader = await client.createContainer({
      name: `${prefix}-load`,
      Image: image,
      Tty: true,
      Cmd: ['node', '/app/load-client.mjs', 'http://svc:8000/predict', '100', '6000'],
      HostConfig: { NetworkMode: network },
    });
    await loader.start();
    await sleep(1000);
    const result = await actuator().switchVariant({ service: target(name), value: null, rollbackId: 'rb-shadow' });
    await loader.wait();
    const logs: unknown = await loader.logs({ stdout: true, stderr: true });
    const counts = (Buffer.isBuffer(logs) ? JSON.parse(logs.toString().trim().split('\n').pop() ?? '{}') : logs) as {
      sent: number;
      failed: number;
      errors: Record<string, number>;
      variants: Record<string, number>;
    };
    console.log(`shadow takeover: whole switch ${result.durationMs} ms; ${counts.failed}/${counts.sent} failed`, counts.errors, counts.variants);

    expect(result.steps.map((s) => s.name)).toEqual(['inspected', 'renamed-old', 'created-new', 'connected-networks', 'verified-new', 'stopped-old', 'removed-old']);
    expect(result.steps.find((s) => s.name === 'created-new')?.detail).toMatchObject({ newId: candidate.Id, name, fromStandby: 'true' });
    // As with the warm standby: at most the one listener-close reset (docs/actuators.md); anything else fails.
    const { 'response:ECONNRESET': resets = 0, ...otherErrors } = counts.errors;
    expect(otherErrors).toEqual({});
    expect(resets).toBeLessThanOrEqual(1);
    expect(counts.failed).toBe(resets);
    expect(counts.variants['baseline']).toBeGreaterThan(0);
    expect(counts.variants['ml']).toBeGreaterThan(0);

    const now = await inspect(name);
    expect(now.Id).toBe(candidate.Id);
    expect(now.Config.Env.filter((e) => e.startsWith('SHADOW_'))).toEqual([]);
    expect(await fromNetwork('svc')).toEqual({ addresses: [ipOf(now)], variant: 'ml' });
    expect((await containersNamed(client, name)).map((c) => c.Id)).toEqual([candidate.Id]);
    expect(await actuator().maintainShadow(target(name), false)).toMatchObject({ state: 'not-needed', actions: [] });
  });

  it('a candidate no longer wanted is removed, the serving container untouched', async () => {
    await actuator().switchVariant({ service: target(name), value: 'baseline', rollbackId: 'rb-again' });
    await maintainUntil(target(name), 'ready');
    const serving = (await inspect(name)).Id;
    expect(await actuator().maintainShadow(target(name), false)).toMatchObject({ state: 'not-needed', actions: [`removed ${candidateName}`] });
    expect(await containersNamed(client, candidateName)).toEqual([]);
    expect((await inspect(name)).Id).toBe(serving);
  });

  it('a candidate that cannot load is reported failed, left stopped, and a roll-forward does not take it over', async () => {
    const broken = `${prefix}-broken`;
    await startCurrent(broken, ['MODEL_VARIANT=baseline', 'EXIT_AT_START_FOR_VARIANT=ml']); // the baseline serves, ml exits 3
    const reports = await maintainUntil(target(broken), 'failed');
    expect(reports[0]?.actions).toEqual([`created ${shadowContainerName(broken)}`]);
    expect(reports.at(-1)?.detail).toMatch(/^exited with code 3 /);
    expect((await inspect(shadowContainerName(broken))).State.Running).toBe(false);

    const steps: ActuationStep[] = [];
    const error = await actuator(broken)
      .switchVariant({ service: target(broken), value: null, rollbackId: 'rb-broken', onStep: (s) => Promise.resolve(void steps.push(s)) })
      .catch((e: unknown) => e);
    expect(isActuationError(error) && error.restored).toBe(true);
    expect(steps.find((s) => s.name === 'created-new')?.detail['standbySkipped']).toMatch(/^shadow candidate .* was exited/);
    const serving = await inspect(broken);
    expect(serving.State.Running).toBe(true);
    expect(serving.Config.Env).toContain('MODEL_VARIANT=baseline');
  });
});
