// Alerts reach someone (issue #14, finding 6): the stack's Alertmanager configuration, run by a real
// Alertmanager, delivers a Guardrail alert posted by the controller's own Alertmanager sink to the
// `operators` receiver, which is the stack's alert inbox (docker/alert-inbox/inbox.mjs, run here as the
// compose service runs it): one line in its log, one entry on its page and in its JSON, and the resolve.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerSink } from '../../../controller/adapters/alerts/alertmanager-sink.js';
import type { Alert } from '../../../controller/core/index.js';
import { freePort } from '../../helpers/free-port.js';
import { startAlertmanager, type RealAlertmanager } from '../../helpers/real-alertmanager.js';
import { readRepoFile } from '../../unit/stack/stack-files.js';
import { REPO_ROOT, waitUntil } from '../runtime/real-stack.js';

interface Notification {
  readonly status: string;
  readonly alertname: string;
  readonly severity: string;
  readonly summary: string;
  readonly labels: Record<string, string>;
}

let inbox: ChildProcess | undefined;
let inboxUrl = '';
let output = '';
let alertmanager: RealAlertmanager | undefined;

/** The stack's alertmanager.yml with only the hosts changed (and group_wait/group_interval shortened to keep the test quick). */
function stackConfigFor(inboxBase: string): string {
  const doc = parseDocument(readRepoFile('docker/alertmanager/alertmanager.yml'));
  doc.setIn(['route', 'group_wait'], '1s');
  doc.setIn(['route', 'group_interval'], '1s');
  const text = doc.toString().replace('http://alert-inbox:9095', inboxBase);
  // The controller's receiver is not exercised here; its token file exists only in the stack.
  return text.replace('credentials_file: /run/secrets/guardrail_webhook_token', 'credentials: unused-in-this-test');
}

beforeAll(async () => {
  const port = await freePort();
  inboxUrl = `http://127.0.0.1:${port}`;
  inbox = spawn(process.execPath, [join(REPO_ROOT, 'docker/alert-inbox/inbox.mjs')], { env: { PORT: String(port), PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  inbox.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  inbox.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await waitUntil('the inbox', 10_000, async () => ((await fetch(`${inboxUrl}/-/healthy`).catch(() => undefined))?.ok === true ? true : undefined));
  alertmanager = await startAlertmanager({ configYaml: stackConfigFor(inboxUrl) });
}, 60_000);

afterAll(async () => {
  await alertmanager?.stop();
  inbox?.kill('SIGTERM');
});

async function notifications(): Promise<Notification[]> {
  return (await (await fetch(`${inboxUrl}/api/notifications`)).json()) as Notification[];
}

describe('the stack routes Guardrail\'s own alerts to the alert inbox', () => {
  const alert: Alert = {
    dedupKey: 'baseline-breaching:prediction-service:rb-1',
    name: 'GuardrailBaselineBreaching',
    severity: 'critical',
    target: 'prediction-service',
    summary: 'prediction-service still breaches high-error-rate on baseline: the rollback did not help — investigate the baseline',
    description: 'evidence',
    labels: { policy: 'prediction-service', target: 'prediction-service', reason: 'high-error-rate', rollbackId: 'rb-1' },
    startsAtMs: Date.now(),
  };

  it('a CRITICAL posted by the controller\'s sink arrives: log line, JSON and page', async () => {
    const sink = new AlertmanagerSink({ baseUrl: alertmanager?.url ?? '' });
    await sink.send(alert);
    const got = await waitUntil('the notification in the inbox', 20_000, async () => (await notifications()).find((n) => n.alertname === 'GuardrailBaselineBreaching'), 200);
    expect(got).toMatchObject({ status: 'firing', severity: 'critical', summary: alert.summary, labels: { target: 'prediction-service', reason: 'high-error-rate' } });
    expect(output).toMatch(/FIRING critical GuardrailBaselineBreaching .*target=prediction-service.* :: prediction-service still breaches high-error-rate/);
    const html = await (await fetch(inboxUrl)).text();
    expect(html).toContain('<b>GuardrailBaselineBreaching</b>');
    expect(html).toContain('the rollback did not help — investigate the baseline');
  });

  it('its resolve arrives too (send_resolved)', async () => {
    const sink = new AlertmanagerSink({ baseUrl: alertmanager?.url ?? '' });
    await sink.send({ ...alert, resolvedAtMs: Date.now() });
    await waitUntil('the resolve in the inbox', 20_000, async () => (await notifications()).find((n) => n.alertname === 'GuardrailBaselineBreaching' && n.status === 'resolved'), 200);
    expect(output).toMatch(/RESOLVED critical GuardrailBaselineBreaching/);
  });
});

describe('docs/alerting.md', () => {
  it('its Slack + PagerDuty example is a valid Alertmanager configuration (amtool check-config)', async () => {
    const doc = readRepoFile('docs/alerting.md');
    const example = /```yaml\n# docker\/alertmanager\/alertmanager\.yml \(excerpt\)\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'guardrail-alerting-doc-'));
    try {
      // The secret files the example names must exist for the check: point them into the temp dir.
      const config = (example ?? '').replaceAll('/run/secrets/', `${dir}/`);
      await writeFile(join(dir, 'slack_webhook_url'), 'https://hooks.slack.com/services/T0/B0/X\n');
      await writeFile(join(dir, 'pagerduty_routing_key'), '0123456789abcdef0123456789abcdef\n');
      await writeFile(join(dir, 'guardrail_webhook_token'), 'token\n');
      await writeFile(join(dir, 'alertmanager.yml'), config);
      const result = await run('amtool', ['check-config', join(dir, 'alertmanager.yml')]);
      expect(result.output).toContain('SUCCESS');
      expect(result.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', (error) => resolve({ code: -1, output: error.message }));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
