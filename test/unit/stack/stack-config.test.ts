// The compose stack's configuration files, checked against each other and against the code they feed:
// Prometheus rules parse and ask for real metrics; the alerts the policy maps to rollback reasons exist
// and are the ones Alertmanager routes to the controller (with a bearer token file); the scrape job the
// policy queries exists; the stack's policy copy differs from the shipped one only in `verify.via`.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { knownMetricNames, parsePromql, readRepoFile } from './stack-files.js';

type Yaml = Record<string, unknown>;
const yaml = (path: string): Yaml => parseYaml(readRepoFile(path)) as Yaml;

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
}
const rules = (yaml('docker/prometheus/rules/prediction-service.yml')['groups'] as { rules: Rule[] }[]).flatMap((g) => g.rules);
const policy = yaml('policies/prediction-service.yaml');
const stackPolicy = yaml('docker/controller/policies/prediction-service.yaml');
const alertmanager = yaml('docker/alertmanager/alertmanager.yml');
const prometheus = yaml('docker/prometheus/prometheus.yml');

/** The alert names the policy turns into rollback reasons when they arrive by webhook. */
function policyTriggerAlertnames(): string[] {
  const triggers = (policy['triggers'] as { alertmanager: { matchers: Record<string, string> }[] }).alertmanager;
  return triggers.map((t) => t.matchers['alertname'] ?? '').filter((name) => name !== '');
}

describe('docker/prometheus rules', () => {
  it('parse as PromQL and use only registered metrics or the file\'s own recording rules', () => {
    const known = knownMetricNames();
    for (const r of rules) if (r.record !== undefined) known.add(r.record);
    for (const r of rules) {
      const parsed = parsePromql(r.expr);
      expect(parsed.errors, r.alert ?? r.record).toBe(0);
      for (const metric of parsed.metrics) expect(known.has(metric), `${r.alert ?? r.record}: ${metric}`).toBe(true);
    }
  });

  it('hold the seed alerts with the SLO numbers: errors > 5% for 5m, P95 > 0.8 s, P95 > 5 s, service down', () => {
    const byName = new Map(rules.filter((r) => r.alert !== undefined).map((r) => [r.alert, r]));
    const errorRate = byName.get('PredictionServiceHighErrorRate');
    expect(errorRate?.expr).toContain('> 0.05');
    expect(errorRate?.for).toBe('5m');
    expect(byName.get('PredictionServiceLatencyAboveSLO')?.expr).toContain('> 0.8');
    expect(byName.get('PredictionServiceSevereLatency')?.expr).toContain('> 5');
    expect(byName.get('PredictionServiceDown')?.expr).toContain('up{job="prediction-service"}');
    for (const r of byName.values()) expect(['critical', 'warning', 'info']).toContain(r.labels?.['severity']);
  });

  it('define every alert the policy maps to a rollback reason', () => {
    const names = new Set(rules.map((r) => r.alert));
    const wanted = policyTriggerAlertnames();
    expect(wanted.length).toBeGreaterThan(0);
    for (const name of wanted) expect(names.has(name), name).toBe(true);
  });
});

describe('docker/prometheus/prometheus.yml', () => {
  it('scrapes the job the policy queries, the consumer and the controller, and alerts through Alertmanager', () => {
    const jobs = (prometheus['scrape_configs'] as { job_name: string; static_configs: { targets: string[] }[] }[]).map((j) => [
      j.job_name,
      j.static_configs.flatMap((s) => s.targets),
    ]);
    const targets = Object.fromEntries(jobs) as Record<string, string[]>;
    const policyJob = /up\{job="([^"]+)"\}/.exec(readRepoFile('policies/prediction-service.yaml'))?.[1];
    expect(policyJob).toBe('prediction-service');
    expect(targets[policyJob ?? '']).toEqual(['api:8000']);
    expect(targets['prediction-consumer']).toEqual(['prediction-consumer:8000']);
    expect(targets['guardrail']).toEqual(['controller:8090']);
    expect(JSON.stringify(prometheus['alerting'])).toContain('alertmanager:9093');
  });

  it('authenticates to Alertmanager with its own basic-auth password file', () => {
    const [am] = (prometheus['alerting'] as { alertmanagers: Yaml[] }).alertmanagers;
    expect(am?.['basic_auth']).toEqual({ username: 'prometheus', password_file: '/run/secrets/alertmanager_password_prometheus' });
  });
});

describe('docker/alertmanager/alertmanager.yml', () => {
  interface Route {
    receiver: string;
    matchers?: string[];
    continue?: boolean;
  }
  const routes = (alertmanager['route'] as { routes: Route[] }).routes;
  const toController = routes.filter((r) => r.receiver === 'guardrail-controller');

  it('routes exactly the policy\'s trigger alerts to the controller, never the controller\'s own alerts', () => {
    expect(toController).toHaveLength(1);
    const matcher = toController[0]?.matchers?.[0] ?? '';
    const regex = /^alertname=~"(.*)"$/.exec(matcher)?.[1];
    expect(regex).toBeDefined();
    const matches = (name: string): boolean => new RegExp(`^(?:${regex ?? ''})$`).test(name);
    for (const name of policyTriggerAlertnames()) expect(matches(name), name).toBe(true);
    // What the controller itself posts to Alertmanager must not come back to its webhook.
    for (const own of ['GuardrailRollbackStarted', 'GuardrailRollbackLasting', 'GuardrailRollbackFailed', 'GuardrailBlind', 'GuardrailRollbackHeld', 'GuardrailControllerDown', 'GuardrailWebhookNotCorroborated']) {
      expect(matches(own), own).toBe(false);
    }
  });

  it('sends every alert, the controller\'s own included, to the operators receiver, which delivers to the stack\'s alert inbox', () => {
    const route = alertmanager['route'] as { receiver: string; routes: Route[] };
    expect(route.receiver).toBe('operators');
    // The controller's route continues, and the catch-all after it is operators: nothing ends up nowhere.
    expect(toController[0]?.continue).toBe(true);
    expect(routes.at(-1)).toEqual({ receiver: 'operators' });
    const operators = (alertmanager['receivers'] as { name: string; webhook_configs?: Yaml[] }[]).find((r) => r.name === 'operators');
    expect(operators?.webhook_configs).toEqual([{ url: 'http://alert-inbox:9095/alertmanager', send_resolved: true }]);
    const compose = yaml('docker/compose.yaml');
    const inbox = (compose['services'] as Record<string, Yaml>)['alert-inbox'];
    expect(inbox?.['volumes']).toEqual(['./alert-inbox/inbox.mjs:/inbox/inbox.mjs:ro']);
    // The image build-all.sh provides offline (the Dockerfile's base), so the inbox starts without a registry.
    const base = /^ARG BASE_IMAGE=(\S+)$/m.exec(readRepoFile('docker/Dockerfile'))?.[1];
    expect(inbox?.['image']).toBe(base);
    expect(readRepoFile('docker/alert-inbox/inbox.mjs')).toContain("process.env.PORT ?? 9095");
  });

  it('authenticates to the webhook with a bearer token read from the mounted secret', () => {
    const receiver = (alertmanager['receivers'] as { name: string; webhook_configs?: Yaml[] }[]).find((r) => r.name === 'guardrail-controller');
    const webhook = receiver?.webhook_configs?.[0] as { url: string; http_config: { authorization: Yaml } };
    expect(webhook.url).toBe('http://controller:8090/api/v1/webhooks/alertmanager');
    expect(webhook.http_config.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/alertmanager_webhook_token' });
  });
});

describe('docker/controller/policies/prediction-service.yaml', () => {
  it('is policies/prediction-service.yaml with verify.via: container-ip and nothing else changed', () => {
    const verify = (stackPolicy['target'] as { verify: Yaml }).verify;
    expect(verify['via']).toBe('container-ip');
    const withoutVia = structuredClone(stackPolicy);
    delete (withoutVia['target'] as { verify: Yaml }).verify['via'];
    expect(withoutVia, 'the stack copy drifted: run bash docker/controller/sync-policy.sh').toEqual(policy);
  });
});

describe('docker/compose.yaml', () => {
  const compose = yaml('docker/compose.yaml');
  const services = compose['services'] as Record<string, Yaml>;

  it('has the stack\'s services, Grafana only behind its profile', () => {
    expect(Object.keys(services).sort()).toEqual(['alert-inbox', 'alertmanager', 'api', 'controller', 'docker-proxy', 'front-door', 'grafana', 'prediction-consumer', 'prometheus', 'redis']);
    expect(services['grafana']?.['profiles']).toEqual(['grafana']);
    for (const [name, s] of Object.entries(services)) if (name !== 'grafana') expect(s['profiles'], name).toBeUndefined();
  });

  it('runs a pinned Grafana without anonymous access, its admin password from a secret file (no admin/admin)', () => {
    const grafana = services['grafana'] ?? {};
    const image = String(grafana['image']);
    expect(image).toMatch(/^\$\{GRAFANA_IMAGE:-grafana\/grafana(-oss)?:\d+\.\d+\.\d+\}$/);
    const env = grafana['environment'] as Record<string, string>;
    expect(env['GF_AUTH_ANONYMOUS_ENABLED']).toBe('false');
    expect(env['GF_SECURITY_ADMIN_PASSWORD']).toBeUndefined();
    expect(env['GF_SECURITY_ADMIN_PASSWORD__FILE']).toBe('/run/secrets/grafana_admin_password');
    expect(grafana['secrets']).toEqual(['grafana_admin_password']);
    expect((compose['secrets'] as Record<string, Yaml>)['grafana_admin_password']).toEqual({ file: './secrets/grafana-admin-password' });
    for (const [name, s] of Object.entries(services)) expect(String(s['image']), name).not.toMatch(/^grafana\/grafana.*:latest$/);
  });

  it('publishes every host port through an overridable variable on a configurable address', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of (s['ports'] as string[] | undefined) ?? []) {
        expect(port, name).toMatch(/^\$\{BIND_ADDRESS:-127\.0\.0\.1\}:\$\{[A-Z]+_PORT:-\d+\}:\d+$/);
      }
    }
  });

  it('passes MODEL_VARIANT through from the shell to both model services, as the seed guide does', () => {
    for (const name of ['api', 'prediction-consumer']) expect(services[name]?.['environment'], name).toContain('MODEL_VARIANT');
  });

  it('mounts the Docker socket only into the proxy; the controller reaches Docker through it, without the root group', () => {
    for (const [name, s] of Object.entries(services)) {
      const socket = ((s['volumes'] as string[] | undefined) ?? []).some((v) => v.startsWith('/var/run/docker.sock'));
      expect(socket, name).toBe(name === 'docker-proxy');
    }
    const controller = services['controller'] ?? {};
    expect((controller['environment'] as Record<string, string>)['DOCKER_HOST']).toBe('tcp://docker-proxy:2375');
    expect(controller['group_add']).toBeUndefined();
    expect(controller['user']).toBeUndefined(); // the image's own `node` user
    expect(controller['cap_drop']).toEqual(['ALL']);
  });

  it('puts the proxy on an internal network shared with the controller only, with no published port', () => {
    const proxy = services['docker-proxy'] ?? {};
    expect(proxy['ports']).toBeUndefined();
    expect(proxy['networks']).toEqual(['docker-api']);
    expect((compose['networks'] as Record<string, Yaml>)['docker-api']).toEqual({ internal: true });
    for (const [name, s] of Object.entries(services)) {
      const networks = (s['networks'] as string[] | undefined) ?? ['default'];
      expect(networks.includes('docker-api'), name).toBe(name === 'docker-proxy' || name === 'controller');
    }
    expect(proxy['user']).toBe('haproxy:${DOCKER_GID:-0}'); // the socket's group; `user`, since a stack has no group_add
    expect(proxy['group_add']).toBeUndefined();
    expect(proxy['read_only']).toBe(true);
    expect(proxy['cap_drop']).toEqual(['ALL']);
  });

  it('puts Alertmanager behind basic auth and gives Prometheus and the controller their own credentials', () => {
    expect(services['alertmanager']?.['command']).toContain('--web.config.file=/run/secrets/alertmanager_web_config');
    expect(services['alertmanager']?.['secrets']).toEqual(['alertmanager_web_config', 'alertmanager_webhook_token']);
    expect(services['prometheus']?.['secrets']).toEqual(['alertmanager_password_prometheus']);
    const env = services['controller']?.['environment'] as Record<string, string>;
    expect(env['GUARDRAIL_ALERTMANAGER_USERNAME']).toBe('controller');
    expect(env['GUARDRAIL_ALERTMANAGER_PASSWORD_FILE']).toBe('/run/secrets/alertmanager_password_controller');
    expect(services['controller']?.['secrets']).toContain('alertmanager_password_controller');
  });
});
