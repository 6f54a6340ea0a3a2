// End to end through real parts: the compiled prediction service (run by the process actuator) fails half
// of its ML predictions; a real Prometheus scrapes it and fires an alert rule; a real Alertmanager sends
// the webhook with `http_config.authorization` to the real daemon (startDaemon: runtime + buildApi, no
// cron ticks, so only the webhook can act); the runtime rolls the service back to baseline. A replay of
// the very payload Alertmanager sent, and the later `resolved` notification, do nothing new. A forged alert
// posted to the same Alertmanager reaches the daemon with the webhook token and never rolls back: the rule
// is not firing in Prometheus and the error ratio does not breach, so the claim is refused with a WARNING.
import { Writable } from 'node:stream';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../../controller/config-schema.js';
import { startDaemon, type RunningDaemon } from '../../../controller/main.js';
import { startTraffic, type Traffic } from '../../../scripts/demo-traffic.js';
import { freePort } from '../../helpers/free-port.js';
import { startHttpRecorder, type HttpRecorder, type RecordedRequest } from '../../helpers/http-recorder.js';
import { startAlertmanager, type RealAlertmanager } from '../../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';
import { buildCliBundle, runCli, type CliBundle } from '../../unit/cli/cli-harness.js';
import { REPO_ROOT, ensureServiceBuilt, serviceVariant, waitUntil } from '../runtime/real-stack.js';

const TOKEN = 'it-operator-token-0123456789';
const WEBHOOK_TOKEN = 'it-webhook-token-0123456789';

// Fires as soon as the service answers any prediction with 5xx (two 1 s scrapes make a rate).
const RULES = stringify({
  groups: [
    {
      name: 'guardrail-it',
      interval: '1s',
      rules: [
        {
          alert: 'DemoHighErrorRate',
          expr: 'sum(rate(http_requests_total{route=~"/predict.*",status_code=~"5.."}[5s])) > 0',
          for: '0s',
          labels: { severity: 'critical' },
          annotations: { summary: 'the prediction service answers 5xx' },
        },
      ],
    },
  ],
});

let dir = '';
let recorder: HttpRecorder;
let alertmanager: RealAlertmanager;
let prometheus: RealPrometheus;
let daemon: RunningDaemon;
let traffic: Traffic | undefined;
let serviceUrl = '';
let apiUrl = '';
let cli: CliBundle | undefined;
/** The daemon's warn-and-above log lines (what an operator would see). */
const warnings: Record<string, unknown>[] = [];

const auth = { authorization: `Bearer ${TOKEN}` };
const isFiring = (r: RecordedRequest) => (r.json as { status?: string } | undefined)?.status === 'firing';
const isResolved = (r: RecordedRequest) => (r.json as { status?: string } | undefined)?.status === 'resolved';

beforeAll(async () => {
  await ensureServiceBuilt();
  dir = await mkdtemp(join(tmpdir(), 'guardrail-http-it-'));
  const servicePort = await freePort();
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  serviceUrl = `http://127.0.0.1:${servicePort}`;
  await mkdir(join(dir, 'policies'));
  const policy = (await readFile(join(REPO_ROOT, 'policies/examples/demo.yaml'), 'utf8')).replace(/port: 8000\b/, `port: ${servicePort}`);
  await writeFile(join(dir, 'policies/demo.yaml'), policy);

  // The recorder gets a copy of every notification, so the test can replay exactly what Alertmanager sent.
  recorder = await startHttpRecorder();
  alertmanager = await startAlertmanager({
    configYaml: stringify({
      route: { receiver: 'guardrail', group_by: ['alertname'], group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [
        {
          name: 'guardrail',
          webhook_configs: [
            { url: `${apiUrl}/api/v1/webhooks/alertmanager`, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: WEBHOOK_TOKEN } } },
            { url: `${recorder.url}/copy`, send_resolved: true },
          ],
        },
      ],
    }),
  });
  prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${servicePort}`], ruleFiles: RULES, alertmanagerUrl: alertmanager.url });

  const config: ControllerConfig = {
    prometheus: { url: prometheus.url, timeoutMs: 1_000 },
    policies: [join(dir, 'policies')],
    stateDir: join(dir, 'state'),
    listen: { host: '127.0.0.1', port: apiPort },
    auth: { token: TOKEN, webhookToken: WEBHOOK_TOKEN, protectReads: true, dashboardPublic: false },
    alerts: { resendIntervalMs: 60_000 },
    actuator: {
      kind: 'process',
      process: {
        command: process.execPath,
        args: [join(REPO_ROOT, 'dist/service/main.js')],
        env: { PORT: String(servicePort), HOST: '127.0.0.1', FAULT_ML_ERROR_RATE: '0.5' },
        stdio: 'ignore',
      },
    },
    logLevel: 'warn',
    tickTimeoutMs: 1_800,
  };
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) warnings.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  daemon = await startDaemon(config, { schedule: false, logger: pino({ level: 'warn' }, capture) });
  await waitUntil('the service', 20_000, async () => ((await fetch(`${serviceUrl}/health`).catch(() => undefined))?.ok === true ? true : undefined), 200);
}, 90_000);

afterAll(async () => {
  traffic?.stop();
  await daemon?.stop().catch(() => undefined);
  await prometheus?.stop().catch(() => undefined);
  await alertmanager?.stop().catch(() => undefined);
  await recorder?.stop().catch(() => undefined);
  await cli?.remove();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function historyTotal(): Promise<number> {
  const res = await fetch(`${apiUrl}/api/v1/history`, { headers: auth });
  return ((await res.json()) as { total: number }).total;
}

describe('Prometheus rule -> Alertmanager -> webhook -> rollback', () => {
  it('a forged alert posted to the real Alertmanager reaches the daemon with the token and never rolls back', async () => {
    // First, before any traffic: nothing in Prometheus backs the alert. (Later, a real DemoHighErrorRate or
    // errors still in the rule's window would rightly corroborate any alert of that name.)
    expect(daemon.runtime.status()[0]).toMatchObject({ phase: 'watching', rollback: null });
    const before = await historyTotal();
    const forged = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'DemoHighErrorRate', severity: 'critical', forged: 'by-the-test' }, annotations: { summary: 'forged' } }]),
    });
    expect(forged.status).toBe(200);
    // Alertmanager forwards it to the daemon (and to the recorder) like any alert.
    await recorder.waitFor((r) => isFiring(r) && JSON.stringify(r.json).includes('by-the-test'), 20_000);
    await waitUntil('the daemon refuses it', 15_000, async () => {
      const text = await (await fetch(`${apiUrl}/metrics`)).text();
      return /guardrail_webhook_alerts_total\{outcome="not_corroborated"\} 1\n/.test(text) ? true : undefined;
    });
    await daemon.runtime.idle();
    expect(daemon.runtime.status()[0]).toMatchObject({ phase: 'watching', rollback: null });
    expect(await serviceVariant(serviceUrl)).toMatch(/^ml /);
    expect(await historyTotal()).toBe(before);
    const refused = warnings.find((l) => l['msg'] === 'webhook alert refused: Prometheus does not corroborate it (forged, or from a Prometheus the controller cannot query)');
    expect(refused).toMatchObject({ level: 40, target: 'demo', alertname: 'DemoHighErrorRate', blind: false, labels: { forged: 'by-the-test' } });
    expect(String(refused?.['detail'])).toContain('ALERTS{alertstate="firing",alertname="DemoHighErrorRate"} has no firing series');
    // The WARNING alert, through the log sink (the daemon has no other sink here).
    expect(JSON.stringify(warnings)).toContain('GuardrailWebhookNotCorroborated');
    // Resolve it, as its sender would: the group it shares with the real alert can then resolve later.
    const ended = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'DemoHighErrorRate', severity: 'critical', forged: 'by-the-test' }, annotations: { summary: 'forged' }, endsAt: new Date().toISOString() }]),
    });
    expect(ended.status).toBe(200);
    await recorder.waitFor((r) => isResolved(r) && JSON.stringify(r.json).includes('by-the-test'), 20_000);
  }, 60_000);

  it('the firing alert rolls the service back to baseline, once, recorded as triggered by the alert', async () => {
    expect(await serviceVariant(serviceUrl)).toMatch(/^ml /);
    const started = Date.now();
    traffic = startTraffic(`${serviceUrl}/predict`, 10);

    const firing = await recorder.waitFor(isFiring, 40_000);
    const notifiedAfterMs = firing.receivedAtMs - started;
    await waitUntil('rolled_back', 30_000, () => (daemon.runtime.status()[0]?.phase === 'rolled_back' ? true : undefined), 100);
    const rolledBackAfterMs = Date.now() - started;
    expect(await serviceVariant(serviceUrl)).toMatch(/^baseline /);

    const res = await fetch(`${apiUrl}/api/v1/history`, { headers: auth });
    const { entries, total } = (await res.json()) as { entries: { action: string; result: string; reason: string; trigger: { kind: string; alertname?: string } }[]; total: number };
    expect(total).toBe(1);
    expect(entries[0]).toMatchObject({ action: 'rollback', result: 'succeeded', reason: 'high-error-rate', trigger: { kind: 'webhook', alertname: 'DemoHighErrorRate' } });

    const markdown = await (await fetch(`${apiUrl}/api/v1/history?format=markdown`, { headers: auth })).text();
    expect(markdown).toMatch(/\n\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| ongoing \([^)]+\) \| high-error-rate[^|]* \| ongoing \| alert DemoHighErrorRate; baseline verified in /);
    process.stdout.write(`[http-it] Alertmanager notified ${notifiedAfterMs} ms and the rollback was verified ${rolledBackAfterMs} ms after the faulty traffic started\n`);
  }, 80_000);

  it('replaying the exact payload Alertmanager sent performs nothing new', async () => {
    const firing = recorder.requests.find(isFiring);
    expect(firing).toBeDefined();
    const sentAt = performance.now();
    const replay = await fetch(`${apiUrl}/api/v1/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
      body: firing?.rawBody ?? '',
    });
    expect(replay.status).toBe(200);
    const body = (await replay.json()) as { queued: number; duplicates: number; received: number };
    process.stdout.write(`[http-it] replayed webhook answered in ${(performance.now() - sentAt).toFixed(1)} ms\n`);
    expect(body.queued).toBe(0);
    expect(body.duplicates).toBe(body.received);
    expect(body.received).toBeGreaterThan(0);
    expect(await historyTotal()).toBe(1);
    expect(daemon.runtime.status()[0]?.phase).toBe('rolled_back');
  });

  it('the same payload without the token is refused (401) and does nothing', async () => {
    const firing = recorder.requests.find(isFiring);
    const res = await fetch(`${apiUrl}/api/v1/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: firing?.rawBody ?? '' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('GR_ERR_UNAUTHORIZED');
  });

  it('when the errors stop, the resolved notification arrives and changes nothing', async () => {
    // Baseline ignores the ML fault: no more 5xx, the 5 s rate drops to 0 and the rule resolves.
    const resolved = await recorder.waitFor((r) => isResolved(r) && !JSON.stringify(r.json).includes('by-the-test'), 40_000);
    expect(resolved.json).toMatchObject({ version: '4', status: 'resolved' });
    // The daemon got its copy of the same notification: counted as resolved and ignored.
    await waitUntil('the daemon counts the resolved alert', 5_000, async () => {
      const text = await (await fetch(`${apiUrl}/metrics`)).text();
      return /guardrail_webhook_alerts_total\{outcome="resolved_ignored"\} [1-9]/.test(text) ? true : undefined;
    });
    expect(await historyTotal()).toBe(1);
    expect(daemon.runtime.status()[0]?.phase).toBe('rolled_back');
    expect(await serviceVariant(serviceUrl)).toMatch(/^baseline /);
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/guardrail_webhook_alerts_total\{outcome="queued"\} 2\n/); // the forged one (refused) and the real one
    expect(metrics).toMatch(/guardrail_webhook_alerts_total\{outcome="duplicate"\} [1-9]/);
    expect(metrics).toMatch(/guardrail_api_requests_total\{method="POST",route="\/api\/v1\/webhooks\/alertmanager",status_code="401"\} 1\n/);
  }, 50_000);

  it('the operator CLI sees the rollback and rolls forward through the real runtime', async () => {
    cli = await buildCliBundle();
    const env = { GUARDRAIL_URL: apiUrl, GUARDRAIL_TOKEN: TOKEN };
    const status = await runCli(cli, ['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^demo\s+rolled_back\s+baseline\s+high-error-rate \(\d+s ago\)/m);
    expect(status.stdout).toContain('alert DemoHighErrorRate');

    // The evidence on the daemon's /metrics, as Prometheus scrapes it, after one tick (this daemon runs
    // without cron: the webhook is what acts here). Its value may be UNKNOWN (no series) at low traffic.
    await daemon.runtime.tickAll();
    await daemon.runtime.idle();
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^guardrail_condition_threshold\{target="demo",condition="reasons\.high-error-rate"\} 0\.05$/m);
    expect(metrics.match(/^guardrail_condition_state\{target="demo",condition="reasons\.high-error-rate",state="\w+"\} 1$/gm)).toHaveLength(1);
    expect(metrics).toMatch(/^guardrail_condition_for_seconds\{target="demo",condition="reasons\.high-error-rate"\} 6$/m);
    expect(metrics).toMatch(/^guardrail_build_info\{version="[^"]+",node="v[^"]+",revision="[^"]+"\} 1$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);

    // A roll-forward restores the (still faulty) ML variant. The traffic stops first, so no new 5xx can
    // fire the rule again and start a second webhook rollback while this test counts history entries.
    traffic?.stop();
    const forward = await runCli(cli, ['rollforward', 'demo', '--reason', 'model fixed', '--actor', 'it'], env);
    expect(forward.code).toBe(0);
    // It waits for the switch: the outcome is printed, not only the operation id.
    expect(forward.stdout).toMatch(/^Roll-forward of demo accepted: operation \S+; waiting for the outcome \(--no-wait to skip\)\.\.\.\nRoll-forward of demo done: verified ml in [\d.]+ s\.\n$/);
    await waitUntil('watching again', 30_000, () => (daemon.runtime.status()[0]?.phase === 'watching' ? true : undefined), 100);
    expect(await serviceVariant(serviceUrl)).toMatch(/^ml /);

    const history = await runCli(cli, ['history', '--json'], env);
    const page = JSON.parse(history.stdout) as { total: number; entries: { action: string; trigger: { kind: string; actor?: string } }[] };
    expect(page.total).toBe(2);
    expect(page.entries[0]).toMatchObject({ action: 'rollforward', trigger: { kind: 'manual', actor: 'api-token:it' } });

    // The seed's table: one row, the webhook rollback, rolled forward (Yes) after its time on the baseline.
    const markdown = await runCli(cli, ['history', '--markdown'], env);
    const rows = markdown.stdout.split('\n').filter((line) => /^\| \d{4}-/.test(line));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \| \d+s \| high-error-rate[^|]* \| Yes \| alert DemoHighErrorRate; baseline verified in \d+s[^|]*; rolled forward [^|]+ \(manual by api-token:it\): model fixed \|$/);
  }, 60_000);
});
