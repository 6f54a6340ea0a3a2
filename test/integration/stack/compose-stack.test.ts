// The compose stack comes up here, offline: docker/offline/build-all.sh builds the stand-in base images
// and the project images, then `compose -p <unique> -f docker/compose.yaml up -d` starts api,
// prediction-consumer, redis, prometheus, alertmanager, docker-proxy, controller and the front door (not grafana)
// on free host ports. It checks each part answers and that they are wired: Prometheus scrapes the API
// under the job the policy queries and has loaded the seed's rules, the consumer reaches Redis, the
// controller loaded the stack's policy and reads its token file. Security of the stack (docs/security.md):
// Alertmanager refuses an unauthenticated post; a forged alert posted WITH Alertmanager credentials reaches
// the controller's webhook and is refused for want of corroboration, and the controller's WARNING reaches
// Alertmanager with the controller's own credentials; the controller has no socket and no root group and
// reaches Docker only through docker-proxy, which refuses exec; the API container cannot reach the proxy
// at all. `down -v` runs even when a check fails.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { compose, dockerSocketGid, getJson, REPO, waitFor, type ComposeProject } from './compose-cli.js';

const BUILD_TIMEOUT_MS = 240_000;
let project: ComposeProject;
let ports: Record<'api' | 'consumer' | 'controller' | 'prometheus' | 'alertmanager', number>;
let started = false;

const secret = (name: string): string => readFileSync(join(REPO, 'docker/secrets', name), 'utf8').trim();
const operatorAuth = (): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`operator:${secret('alertmanager-password-operator')}`).toString('base64')}` });

/** `docker inspect` of a service's container in this project. */
function inspectService(service: string): { Id: string; Config: { User: string; Env: string[] }; HostConfig: { GroupAdd: string[] | null; CapDrop: string[] | null }; Mounts: { Source: string; Destination: string }[] } {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project.name}`, '--filter', `label=com.docker.compose.service=${service}`], { encoding: 'utf8' }).trim();
  return (JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' })) as ReturnType<typeof inspectService>[])[0] as ReturnType<typeof inspectService>;
}

/** What `fetch(url, {method})` gives inside a service's container (node is in both project images): a status or the error. */
function fetchFrom(service: string, url: string, method = 'GET'): string {
  const script = `fetch(${JSON.stringify(url)},{method:${JSON.stringify(method)},signal:AbortSignal.timeout(3000)}).then(r=>console.log(r.status),e=>console.log('error '+(e.cause?.code??e.message)))`;
  return execFileSync('docker', ['exec', inspectService(service).Id, 'node', '-e', script], { encoding: 'utf8' }).trim();
}

function buildAll(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(REPO, 'docker/offline/build-all.sh')], { cwd: REPO, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`build-all.sh failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

async function promQuery(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const { body } = await getJson(`http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  return (body as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

beforeAll(async () => {
  const output = await buildAll();
  expect(output).toMatch(/built guardrail\/service:dev/);
  ports = {
    api: await freePort(),
    consumer: await freePort(),
    controller: await freePort(),
    prometheus: await freePort(),
    alertmanager: await freePort(),
  };
  project = {
    name: `guardrail-stacktest-${process.pid}-${Date.now().toString(36)}`,
    env: {
      API_PORT: String(ports.api),
      CONSUMER_PORT: String(ports.consumer),
      CONTROLLER_PORT: String(ports.controller),
      PROMETHEUS_PORT: String(ports.prometheus),
      ALERTMANAGER_PORT: String(ports.alertmanager),
      DOCKER_GID: dockerSocketGid(),
    },
  };
  started = true;
  await compose(project, ['up', '-d', 'api', 'prediction-consumer', 'redis', 'prometheus', 'alertmanager', 'docker-proxy', 'controller', 'front-door']);
}, BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  if (!started) return;
  await compose(project, ['down', '-v', '--remove-orphans', '--timeout', '5']);
}, 120_000);

describe('docker/compose.yaml on this machine', () => {
  it('serves the ML model on the API\'s host port (through the front door)', async () => {
    const version = await waitFor('api /version', 60_000, async () => {
      const { status, body } = await getJson(`http://127.0.0.1:${ports.api}/version`);
      return status === 200 ? (body as { model_variant: string; model_version: string }) : undefined;
    });
    expect(version.model_variant).toBe('ml');
    expect(version.model_version).toMatch(/^xgb-/);
    const response = await fetch(`http://127.0.0.1:${ports.api}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ price: 50000, midprice: 50000, return_1s: 0.001, return_5s: 0.002, volatility: 0.02 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ model_version: version.model_version });
  });

  it('has Prometheus scraping the API under the policy\'s job, and the seed\'s alert rules loaded', async () => {
    const up = await waitFor('up{job="prediction-service"} == 1', 60_000, async () => {
      const result = await promQuery('up{job="prediction-service"} == 1');
      return result.length > 0 ? result : undefined;
    });
    expect(up[0]?.metric).toMatchObject({ job: 'prediction-service', service: 'api', instance: 'api:8000' });
    const { body } = await getJson(`http://127.0.0.1:${ports.prometheus}/api/v1/rules?type=alert`);
    const names = (body as { data: { groups: { rules: { name: string }[] }[] } }).data.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['PredictionServiceHighErrorRate', 'PredictionServiceDown', 'PredictionServiceLatencyAboveSLO']));
    const { body: alertmanagers } = await getJson(`http://127.0.0.1:${ports.prometheus}/api/v1/alertmanagers`);
    expect(JSON.stringify(alertmanagers)).toContain('alertmanager:9093');
  });

  it('has the consumer connected to Redis and serving the same model', async () => {
    const health = await waitFor('consumer /health 200', 60_000, async () => {
      const { status, body } = await getJson(`http://127.0.0.1:${ports.consumer}/health`);
      return status === 200 ? (body as { redis: string; model_variant: string }) : undefined;
    });
    expect(health).toMatchObject({ status: 'ok', redis: 'ok', model_variant: 'ml' });
  });

  it('has Alertmanager up behind basic auth, with the controller webhook receiver', async () => {
    const status = await waitFor('alertmanager /api/v2/status', 30_000, async () => {
      const { status: code, body } = await getJson(`http://127.0.0.1:${ports.alertmanager}/api/v2/status`, operatorAuth());
      return code === 200 ? (body as { config: { original: string } }) : undefined;
    });
    expect(status.config.original).toContain('http://controller:8090/api/v1/webhooks/alertmanager');
    expect(status.config.original).toContain('/run/secrets/alertmanager_webhook_token');
    // Prometheus' password for Alertmanager is readable by Prometheus' own user in its container, and valid.
    const prometheusPassword = execFileSync('docker', ['exec', inspectService('prometheus').Id, 'cat', '/run/secrets/alertmanager_password_prometheus'], { encoding: 'utf8' });
    expect(prometheusPassword).toBe(secret('alertmanager-password-prometheus'));
    const asPrometheus = await getJson(`http://127.0.0.1:${ports.alertmanager}/api/v2/status`, { authorization: `Basic ${Buffer.from(`prometheus:${prometheusPassword}`).toString('base64')}` });
    expect(asPrometheus.status).toBe(200);
  });

  it('refuses an unauthenticated post to Alertmanager: no alert gets in that way', async () => {
    const forged = [{ labels: { alertname: 'PredictionServiceHighErrorRate', service: 'api', severity: 'critical', forged: 'anonymous' } }];
    const res = await fetch(`http://127.0.0.1:${ports.alertmanager}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(res.status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${ports.alertmanager}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('operator:guess').toString('base64')}` }, body: JSON.stringify(forged) });
    expect(wrong.status).toBe(401);
    const { body } = await getJson(`http://127.0.0.1:${ports.alertmanager}/api/v2/alerts`, operatorAuth());
    expect(JSON.stringify(body)).not.toContain('anonymous');
  });

  it('a forged alert posted with Alertmanager credentials reaches the controller and is refused, with a WARNING back in Alertmanager', async () => {
    const forged = [{ labels: { alertname: 'PredictionServiceHighErrorRate', service: 'api', severity: 'critical', forged: 'with-credentials' } }];
    const res = await fetch(`http://127.0.0.1:${ports.alertmanager}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', ...operatorAuth() }, body: JSON.stringify(forged) });
    expect(res.status).toBe(200);
    // The controller posts its WARNING to Alertmanager with its own credentials.
    const warning = await waitFor('GuardrailWebhookNotCorroborated in Alertmanager', 60_000, async () => {
      const { body } = await getJson(`http://127.0.0.1:${ports.alertmanager}/api/v2/alerts?filter=${encodeURIComponent('alertname="GuardrailWebhookNotCorroborated"')}`, operatorAuth());
      const alerts = body as { labels: Record<string, string>; annotations: Record<string, string> }[];
      return alerts.length > 0 ? alerts[0] : undefined;
    });
    expect(warning.labels).toMatchObject({ claimed_alertname: 'PredictionServiceHighErrorRate', target: 'prediction-service', blind: 'false' });
    const token = secret('guardrail-token');
    const { body } = await getJson(`http://127.0.0.1:${ports.controller}/api/v1/status`, { authorization: `Bearer ${token}` });
    expect((body as { targets: { phase: string; rollback: unknown }[] }).targets[0]).toMatchObject({ phase: 'watching', rollback: null });
    expect(inspectService('api').Config.Env.some((e) => e.startsWith('MODEL_VARIANT=baseline'))).toBe(false);
  });

  it('runs the controller without the socket and without the root group; it reaches Docker only through the proxy, which refuses exec', async () => {
    const controller = inspectService('controller');
    expect(controller.Mounts.map((m) => m.Destination)).not.toContain('/var/run/docker.sock');
    expect(controller.HostConfig.GroupAdd ?? []).toEqual([]);
    expect(controller.Config.User).toBe('node');
    expect(controller.Config.Env).toContain('DOCKER_HOST=tcp://docker-proxy:2375');
    expect(fetchFrom('controller', 'http://docker-proxy:2375/v1.41/version')).toBe('200');
    expect(fetchFrom('controller', 'http://docker-proxy:2375/v1.41/containers/json')).toBe('200');
    expect(fetchFrom('controller', `http://docker-proxy:2375/v1.41/containers/${controller.Id}/exec`, 'POST')).toBe('403');
    expect(fetchFrom('controller', 'http://docker-proxy:2375/v1.41/images/create?fromImage=alpine', 'POST')).toBe('403');
    // The API container is not on the proxy's network: the name does not even resolve there.
    expect(fetchFrom('api', 'http://docker-proxy:2375/v1.41/version')).toMatch(/^error (ENOTFOUND|EAI_AGAIN)/);
  });

  it('has the controller running the stack policy, with its token from the mounted secret', async () => {
    const token = readFileSync(join(REPO, 'docker/secrets/guardrail-token'), 'utf8').trim();
    const statusView = await waitFor('controller /api/v1/status', 60_000, async () => {
      const { status, body } = await getJson(`http://127.0.0.1:${ports.controller}/api/v1/status`, { authorization: `Bearer ${token}` });
      return status === 200 ? (body as { targets: { target?: string; name?: string }[] }) : undefined;
    });
    expect(JSON.stringify(statusView.targets)).toContain('prediction-service');
    // The token file is what the API checks: a wrong token is refused on a mutating route.
    const refused = await fetch(`http://127.0.0.1:${ports.controller}/api/v1/targets/prediction-service/rollback`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'stack test: must be refused' }),
    });
    expect(refused.status).toBe(401);
    // Prometheus scrapes the controller's own metrics.
    const controllerUp = await waitFor('up{job="guardrail"} == 1', 60_000, async () => {
      const result = await promQuery('up{job="guardrail"} == 1');
      return result.length > 0 ? result : undefined;
    });
    expect(controllerUp).toHaveLength(1);
  });
});
