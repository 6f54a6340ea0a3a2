// docker/compose.yaml as a Swarm stack (docs/swarm.md): its deploy sections, the rendering docker/stack.sh
// applies (docker/stack-render.mjs), the Swarm Prometheus config, and the swarm policy copy, which must
// differ from the shipped policy in the target only.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderStack } from '../../../docker/stack-render.mjs';
import { readRepoFile } from './stack-files.js';

type Yaml = Record<string, unknown>;
const yaml = (path: string): Yaml => parseYaml(readRepoFile(path)) as Yaml;
const compose = yaml('docker/compose.yaml');
const services = compose['services'] as Record<string, Yaml>;
const deployOf = (name: string): Yaml => (services[name]?.['deploy'] ?? {}) as Yaml;

describe('docker/compose.yaml deploy sections', () => {
  it('every service resolves by DNS round robin (no IPVS here: no virtual IP, no routing mesh)', () => {
    for (const name of Object.keys(services)) expect(deployOf(name)['endpoint_mode'], name).toBe('dnsrr');
  });

  it('api and consumer update start-first, one task at a time, Swarm rolling back a failing update all the way', () => {
    for (const name of ['api', 'prediction-consumer']) {
      expect(deployOf(name)['update_config'], name).toEqual({
        order: 'start-first',
        parallelism: 1,
        failure_action: 'rollback',
        monitor: '2s',
      });
      expect(deployOf(name)['rollback_config'], name).toEqual({
        order: 'start-first',
        parallelism: 1,
        failure_action: 'continue',
        monitor: '2s',
      });
    }
  });

  it('keeps Compose on one api container (Compose v1.29 scales to deploy.replicas) and sets no restart_policy (it would replace restart:)', () => {
    expect(deployOf('api')['replicas']).toBe('${API_REPLICAS:-1}');
    for (const name of Object.keys(services)) expect(deployOf(name)['restart_policy'], name).toBeUndefined();
  });

  it("runs the controller and its Docker API proxy on a manager; only the proxy holds the socket, in the socket's group", () => {
    for (const name of ['controller', 'docker-proxy']) expect(deployOf(name)['placement'], name).toEqual({ constraints: ['node.role == manager'] });
    expect(services['controller']?.['user']).toBeUndefined(); // the image's own `node` user, no socket
    expect(services['docker-proxy']?.['user']).toBe('haproxy:${DOCKER_GID:-0}');
    for (const name of ['controller', 'docker-proxy']) expect(services[name]?.['group_add'], name).toBeUndefined();
  });
});

describe('docker/stack-render.mjs', () => {
  const { stack, dropped } = renderStack(compose);
  const rendered = stack['services'] as Record<string, Yaml>;

  it('gives the 20.10 CLI a version, leaves profiled services out unless asked for', () => {
    expect(stack['version']).toBe('3.8');
    expect(Object.keys(rendered).sort()).toEqual([
      'alert-inbox',
      'alertmanager',
      'api',
      'controller',
      'docker-proxy',
      'front-door',
      'prediction-consumer',
      'prometheus',
      'redis',
    ]);
    expect(dropped).toEqual(['grafana (profile grafana)']);
    const withGrafana = renderStack(compose, ['grafana']).stack['services'] as Record<string, Yaml>;
    expect(withGrafana['grafana']).toBeDefined();
    expect(withGrafana['grafana']?.['profiles']).toBeUndefined();
  });

  it('drops what the stack schema refuses or ignores, keeps the deploy sections', () => {
    for (const [name, service] of Object.entries(rendered)) {
      for (const key of ['profiles', 'build', 'restart', 'depends_on', 'group_add'])
        expect(service[key], `${name}.${key}`).toBeUndefined();
      expect(service['deploy'], name).toEqual(services[name]?.['deploy']);
    }
  });

  it('publishes host-mode ports with the same variables, none for the start-first services', () => {
    expect(rendered['api']?.['ports']).toBeUndefined();
    expect(rendered['prediction-consumer']?.['ports']).toBeUndefined();
    // The front door publishes the api's and the consumer's host ports (docs/front-door.md).
    expect(rendered['front-door']?.['ports']).toEqual([
      { target: 8000, published: '${API_PORT:-8000}', protocol: 'tcp', mode: 'host' },
      { target: 8001, published: '${CONSUMER_PORT:-8001}', protocol: 'tcp', mode: 'host' },
    ]);
    expect(rendered['controller']?.['ports']).toEqual([
      { target: 8090, published: '${CONTROLLER_PORT:-8090}', protocol: 'tcp', mode: 'host' },
    ]);
    expect(rendered['prometheus']?.['ports']).toEqual([
      { target: 9090, published: '${PROMETHEUS_PORT:-9090}', protocol: 'tcp', mode: 'host' },
    ]);
    expect(rendered['alertmanager']?.['ports']).toEqual([
      { target: 9093, published: '${ALERTMANAGER_PORT:-9093}', protocol: 'tcp', mode: 'host' },
    ]);
  });

  it('makes the default network an attachable overlay; the Docker API network stays internal (an overlay too, the stack default)', () => {
    expect(stack['networks']).toEqual({ default: { driver: 'overlay', attachable: true }, 'docker-api': { internal: true } });
  });
});

describe('docker/prometheus/prometheus.swarm.yml', () => {
  it('scrapes the same jobs as prometheus.yml, every task of the api and the consumer on its own', () => {
    const jobs = (file: string) =>
      (yaml(file)['scrape_configs'] as { job_name: string }[]).map((j) => j.job_name);
    expect(jobs('docker/prometheus/prometheus.swarm.yml')).toEqual(jobs('docker/prometheus/prometheus.yml'));
    const byJob = new Map(
      (
        yaml('docker/prometheus/prometheus.swarm.yml')['scrape_configs'] as {
          job_name: string;
          dns_sd_configs?: unknown;
        }[]
      ).map((j) => [j.job_name, j]),
    );
    expect(byJob.get('prediction-service')?.dns_sd_configs).toEqual([
      { names: ['tasks.api'], type: 'A', port: 8000, refresh_interval: '5s' },
    ]);
    expect(byJob.get('prediction-consumer')?.dns_sd_configs).toEqual([
      { names: ['tasks.prediction-consumer'], type: 'A', port: 8000, refresh_interval: '5s' },
    ]);
  });
});

describe('docker/controller/swarm-policies/prediction-service.yaml', () => {
  it("is the stack policy with the target as stack guardrail's services, start-first, parallelism 1, no stopSignal, warmStandby or shadow", () => {
    const stackPolicy = yaml('docker/controller/policies/prediction-service.yaml');
    const swarmPolicy = yaml('docker/controller/swarm-policies/prediction-service.yaml');
    const target = stackPolicy['target'] as Yaml;
    // Swarm takes neither a stop signal nor a warm standby (it owns the tasks): both go.
    const { compose: composeTarget, stopSignal: _signal, strategy: _strategy, warmStandby: _standby, ...rest } = target;
    expect(composeTarget).toMatchObject({ project: 'guardrail' });
    // Nor a roll-forward shadow (no candidate can run beside Swarm's tasks): a manual roll-forward instead.
    const expected = {
      ...stackPolicy,
      rollforward: { mode: 'manual' },
      target: {
        ...rest,
        swarm: { stack: 'guardrail', services: (composeTarget as { services: string[] }).services },
        strategy: 'start-first',
        parallelism: 1,
      },
    };
    expect(swarmPolicy, 'the swarm copy drifted: run bash docker/controller/sync-policy.sh').toEqual(
      expected,
    );
  });
});
