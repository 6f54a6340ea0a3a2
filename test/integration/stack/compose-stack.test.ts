// The compose stack comes up here, offline: docker/offline/build-all.sh builds the stand-in base images
// and the project images, then `compose -p <unique> -f docker/compose.yaml up -d` starts api,
// prediction-consumer, redis, prometheus, alertmanager and controller (not grafana: it has no stand-in)
// on free host ports. It checks each part answers and that they are wired: Prometheus scrapes the API
// under the job the policy queries and has loaded the seed's rules, the consumer reaches Redis, the
// controller loaded the stack's policy and reads its token file. `down -v` runs even when a check fails.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { compose, dockerSocketGid, getJson, REPO, waitFor, type ComposeProject } from './compose-cli.js';

const BUILD_TIMEOUT_MS = 240_000;
let project: ComposeProject;
let ports: Record<'api' | 'consumer' | 'controller' | 'prometheus' | 'alertmanager', number>;
let started = false;

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
  await compose(project, ['up', '-d', 'api', 'prediction-consumer', 'redis', 'prometheus', 'alertmanager', 'controller']);
}, BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  if (!started) return;
  await compose(project, ['down', '-v', '--remove-orphans', '--timeout', '5']);
}, 120_000);

describe('docker/compose.yaml on this machine', () => {
  it('serves the ML model on the API\'s host port', async () => {
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

  it('has Alertmanager up with the controller webhook receiver', async () => {
    const status = await waitFor('alertmanager /api/v2/status', 30_000, async () => {
      const { status: code, body } = await getJson(`http://127.0.0.1:${ports.alertmanager}/api/v2/status`);
      return code === 200 ? (body as { config: { original: string } }) : undefined;
    });
    expect(status.config.original).toContain('http://controller:8090/api/v1/webhooks/alertmanager');
    expect(status.config.original).toContain('/run/secrets/guardrail_webhook_token');
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
