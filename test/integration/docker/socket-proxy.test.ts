// The Docker actuator through the filtering proxy (docker/socket-proxy/haproxy.cfg, run here by Debian's
// haproxy on a loopback port, as the stack runs it in a container): a whole rollback and roll-forward
// work through it, with nothing but the calls the proxy allows; exec, image pull, volume create and the
// rest are refused with 403 and never reach Docker. What the actuator itself refuses is checked on the
// way: containers no policy names stay untouched, and an unconfigured target is refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import { createDockerClient } from '../../../controller/adapters/docker/client.js';
import type { ServiceSpec } from '../../../controller/core/index.js';
import { ActuationError } from '../../../controller/ports/actuator.js';
import { freePort } from '../../helpers/free-port.js';
import { waitFor } from '../../helpers/compose.js';
import { cleanup, docker, FIXTURE_DIR, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const HAPROXY_CFG = join(FIXTURE_DIR, '../../../docker/socket-proxy/haproxy.cfg');
const client = docker();
const prefix = runPrefix();
const network = `${prefix}-net`;
let image = '';
let haproxy: ChildProcess | undefined;
let haproxyLog = '';
let proxied: Docker;
let proxyUrl = '';

async function startContainer(name: string): Promise<Docker.ContainerInspectInfo> {
  const created = await client.createContainer({
    name,
    Image: image,
    HostConfig: { NetworkMode: network },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [`${name}-alias`] } } },
  });
  await created.start();
  return created.inspect();
}

const spec = (name: string): ServiceSpec => ({
  name,
  selector: { containerName: name },
  variable: 'MODEL_VARIANT',
  strategy: 'recreate',
  verify: verifySpec({ timeoutMs: 15_000, via: 'container-ip' }),
});

/** Status and body of a raw call through the proxy. */
async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${proxyUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  image = await fixtureImage(client);
  await client.createNetwork({ Name: network });
  const port = await freePort();
  proxyUrl = `http://127.0.0.1:${port}`;
  haproxy = spawn('haproxy', ['-db', '-f', HAPROXY_CFG], { env: { ...process.env, GUARDRAIL_PROXY_BIND: `127.0.0.1:${port}`, DOCKER_SOCKET: '/var/run/docker.sock' } });
  haproxy.stdout?.on('data', (chunk: Buffer) => (haproxyLog += chunk.toString('utf8')));
  haproxy.stderr?.on('data', (chunk: Buffer) => (haproxyLog += chunk.toString('utf8')));
  await waitFor('haproxy in front of the Docker socket', 10_000, async () => ((await raw('GET', '/_ping')).status === 200 ? true : undefined), 100);
  proxied = createDockerClient({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
}, 180_000);

afterAll(async () => {
  haproxy?.kill('SIGTERM');
  await cleanup(client, prefix);
});

describe('the Docker actuator through the filtering proxy', () => {
  it('rolls back and forward with only allowed calls; containers no policy names are untouched', async () => {
    const name = `${prefix}-api`;
    const old = await startContainer(name);
    // Decoys: a name that starts like the target's, and one that ends like it. No policy names them.
    const decoys = await Promise.all([startContainer(`${name}-decoy`), startContainer(`${prefix}-x-api`)]);
    const target = spec(name);
    const actuator = new DockerActuator([target], { docker: proxied });

    const rollback = await actuator.switchVariant({ service: target, value: 'baseline', rollbackId: 'rb-proxy' });
    expect(rollback.steps.map((s) => s.name)).toEqual(['inspected', 'renamed-old', 'stopped-old', 'created-new', 'started-new', 'verified-new', 'removed-old']);
    const successor = await client.getContainer(name).inspect();
    expect(successor.Id).not.toBe(old.Id);
    expect(successor.Config.Env).toContain('MODEL_VARIANT=baseline');
    // The image inspect went through too: the successor runs the tag, not a bare image id.
    expect(successor.Config.Image).toBe(image);

    const forward = await actuator.switchVariant({ service: target, value: null, rollbackId: 'rb-proxy' });
    expect(forward.noop).toBe(false);
    expect((await client.getContainer(name).inspect()).Config.Env).not.toContain('MODEL_VARIANT=baseline');

    for (const decoy of decoys) {
      const now = await client.getContainer(decoy.Id).inspect();
      expect({ name: now.Name, running: now.State.Running, startedAt: now.State.StartedAt, env: now.Config.Env }).toEqual({
        name: decoy.Name,
        running: true,
        startedAt: decoy.State.StartedAt,
        env: decoy.Config.Env,
      });
    }
    // A target the actuator was not given is refused before any Docker call.
    const unconfigured = await actuator.switchVariant({ service: spec(`${name}-decoy`), value: 'baseline', rollbackId: 'rb-decoy' }).catch((e: unknown) => e);
    expect(unconfigured).toBeInstanceOf(ActuationError);
    expect((unconfigured as ActuationError).code).toBe('GR_ERR_TARGET_NOT_FOUND');
    // Every call haproxy let through was one of the allowed ones.
    const passed = [...haproxyLog.matchAll(/ 200 .*"(GET|POST|DELETE|HEAD) (\S+) HTTP/g)].map((m) => `${m[1]} ${(m[2] ?? '').replace(/\?.*$/, '').replace(/\/v1\.41/, '')}`);
    expect(passed.length).toBeGreaterThan(0);
    for (const call of passed) expect(call).toMatch(/^(GET \/containers\/(json|[^/]+\/json)|POST \/containers\/(create|[^/]+\/(start|stop|kill|rename))|DELETE \/containers\/[^/]+|POST \/networks\/[^/]+\/(connect|disconnect)|GET \/images\/.+\/json|GET \/(version|_ping))$/);
  }, 90_000);

  it('refuses exec, image pull, volume create and the rest with 403, and none of them reaches Docker', async () => {
    const target = await startContainer(`${prefix}-refusals`);
    const volume = `${prefix}-vol`;
    const refused = await Promise.all([
      proxied.getContainer(target.Id).exec({ Cmd: ['id'] }).then(() => 'allowed', (e: { statusCode?: number }) => e.statusCode),
      proxied.pull('alpine:3.19').then(() => 'allowed', (e: { statusCode?: number }) => e.statusCode),
      proxied.createVolume({ Name: volume }).then(() => 'allowed', (e: { statusCode?: number }) => e.statusCode),
      proxied.info().then(() => 'allowed', (e: { statusCode?: number }) => e.statusCode),
    ]);
    expect(refused).toEqual([403, 403, 403, 403]);
    const rawRefusals = await Promise.all([
      raw('POST', `/v1.41/containers/${target.Id}/attach?stream=1`),
      raw('GET', `/v1.41/containers/${target.Id}/archive?path=/etc`),
      raw('POST', `/v1.41/containers/${target.Id}/update`, { Privileged: true }),
      raw('POST', '/v1.41/build'),
      raw('DELETE', `/v1.41/images/${image}`),
      raw('POST', '/v1.41/networks/create', { Name: `${prefix}-evil` }),
      raw('GET', '/v1.41/system/df'),
      raw('GET', '/v1.41/plugins'),
      raw('GET', '/v1.41/containers/x%2F..%2F..%2Finfo/json'),
      // Swarm: only what the Swarm actuator does (inspect, update, tasks) passes; the rest of the API is refused.
      raw('POST', '/v1.41/services/create', { Name: `${prefix}-evil` }),
      raw('DELETE', '/v1.41/services/some-service'),
      raw('POST', '/v1.41/swarm/leave?force=true'),
      raw('GET', '/v1.41/secrets'),
      raw('POST', '/v1.41/nodes/some-node/update'),
    ]);
    expect(rawRefusals.map((r) => r.status)).toEqual(Array(rawRefusals.length).fill(403));
    expect(rawRefusals[0]?.text).toContain('refused by the Guardrail Docker proxy');
    // Nothing happened behind the refusals.
    expect((await client.listVolumes({ filters: { name: [volume] } })).Volumes ?? []).toEqual([]);
    expect(await client.listNetworks({ filters: { name: [`${prefix}-evil`] } })).toEqual([]);
    const execs = (await client.getContainer(target.Id).inspect()).ExecIDs ?? [];
    expect(execs).toEqual([]);
    // The Swarm actuator's reads reach Docker (its answer, not the proxy's 403; this engine may be no manager).
    const swarmReads = await Promise.all([raw('GET', '/v1.41/services/no-such-service'), raw('GET', '/v1.41/tasks'), raw('GET', '/v1.41/networks/bridge')]);
    for (const answer of swarmReads) expect(answer.text).not.toContain('refused by the Guardrail Docker proxy');
  }, 60_000);
});
