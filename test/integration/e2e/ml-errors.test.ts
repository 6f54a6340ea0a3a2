// End to end on real Docker, one compose stack (api + prediction-consumer + redis + Prometheus +
// Alertmanager + the controller container) whose api serves the ML model with FAULT_ML_ERROR_RATE=0.2:
//   - a handful of errors at very low traffic rolls nothing back;
//   - under real traffic Guardrail rolls back by itself within the policy's window, the INFO alert reaches
//     Alertmanager and the webhook sink, and `compose ps` / `compose up -d` neither lose nor undo it;
//   - while the rollback lasts the WARNING repeats (warnAfter/warnEvery 10 s);
//   - restarting the controller container keeps the state and the rollback's true start;
//   - the CLI rolls forward and back, and `history --markdown` shows the rows;
//   - a roll-forward the controller container is SIGKILLed in the middle of is finished after it restarts.
// The scenarios run in order on the one stack (they share its state); `down -v` always runs.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImagesOnce, REPO, run, sleep, waitFor } from './e2e-compose.js';
import { E2E_TIMING } from './e2e-policy.js';
import { startWebhookSink, type WebhookSink } from './e2e-sink.js';
import { E2eStack, versionAt, type ContainerInfo } from './e2e-stack.js';
import { startHostTraffic } from './e2e-traffic.js';

const SERVICES = ['api', 'prediction-consumer', 'redis', 'prometheus', 'alertmanager', 'controller', 'front-door'];
/** Prometheus scrapes every 5 s (docker/prometheus/prometheus.yml): a breach is at most that stale. */
const SCRAPE_INTERVAL_S = 5;

let stack: E2eStack | undefined;
let sink: WebhookSink | undefined;

function theStack(): E2eStack {
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

function guardrailCli(args: readonly string[]): Promise<string> {
  const s = theStack();
  return new Promise((resolve, reject) => {
    execFile('node', [join(REPO, 'bin/guardrail.js'), ...args, '--url', s.url.controller, '--token', s.token], { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`guardrail ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
    );
  });
}

/**
 * A service's containers but its warm standby (the stack policy keeps a baseline api beside an ML one,
 * off the alias: docs/actuators.md), which must be baseline when there is one.
 */
function serving(s: E2eStack, service: string): ContainerInfo[] {
  const all = s.containers(service);
  for (const standby of all.filter((c) => c.name.endsWith('-guardrail-standby'))) expect(variantOf(standby), standby.name).toBe('baseline');
  return all.filter((c) => !c.name.endsWith('-guardrail-standby'));
}

function variantOf(container: ContainerInfo): string | undefined {
  return container.env.find((entry) => entry.startsWith('MODEL_VARIANT='))?.slice('MODEL_VARIANT='.length);
}

beforeAll(async () => {
  await buildImagesOnce();
  sink = await startWebhookSink();
  stack = await E2eStack.create({
    name: 'errors',
    services: SERVICES,
    policy: { services: ['api', 'prediction-consumer'], warnAfter: '10s', warnEvery: '10s' },
    env: { FAULT_ML_ERROR_RATE: '0.2', E2E_WEBHOOK_URL: sink.urlFromContainers },
  });
  await stack.waitReady();
}, 420_000);

afterAll(async () => {
  await stack?.down();
  await sink?.stop();
}, 150_000);

describe('an ML error fault on the compose stack', () => {
  it('rolls nothing back for a handful of errors at very low traffic', async () => {
    const s = theStack();
    // One request per 2.5 s: 6 per 15 s window, under the policy's minRequests (10).
    const traffic = startHostTraffic(s.url.api, 2_500);
    await sleep((E2E_TIMING.windowS + E2E_TIMING.forS + 3 * E2E_TIMING.intervalS) * 1000);
    const counts = await traffic.stop();
    expect(counts.byStatus['500'] ?? 0).toBeGreaterThanOrEqual(1);
    const status = await s.targetStatus();
    expect(status.phase).toBe('watching');
    expect(status.rollback).toBeNull();
    expect(status.lastEvaluation?.verdicts.some((v) => v.status === 'unknown' && v.cause === 'low_traffic')).toBe(true);
    expect(await s.history()).toEqual([]);
    expect((await versionAt(s.url.api)).model_variant).toBe('ml');
  });

  it('rolls back automatically under traffic: baseline served, INFO alert in Alertmanager and the webhook sink', async () => {
    const s = theStack();
    const trafficStartMs = Date.now();
    const traffic = startHostTraffic(s.url.api, 50);
    try {
      const version = await waitFor('api /version baseline', 90_000, async () => {
        const v = await versionAt(s.url.api);
        return v.model_variant === 'baseline' ? v : undefined;
      });
      const verifiedAfterS = (Date.now() - trafficStartMs) / 1000;
      expect(version.model_version).toMatch(/^baseline-/);
      // /version answers baseline once the api is switched; the consumer follows, then the switch is done.
      const entry = await waitFor('the rollback recorded as succeeded', 60_000, async () => {
        const [latest] = await s.history();
        return latest?.result === 'succeeded' ? latest : undefined;
      });
      expect(entry).toMatchObject({ action: 'rollback', trigger: { kind: 'automatic' }, reason: 'high-error-rate' });
      expect((await s.targetStatus()).phase).toBe('rolled_back');
      const decidedAfterS = (Date.parse(entry.startedAt) - trafficStartMs) / 1000;
      // The policy's window, its `for`, two ticks, and the age of Prometheus's last scrape.
      const allowedS = E2E_TIMING.windowS + E2E_TIMING.forS + 2 * E2E_TIMING.intervalS + SCRAPE_INTERVAL_S;
      process.stdout.write(`e2e ml-errors: rollback decided ${decidedAfterS.toFixed(1)} s, baseline verified ${verifiedAfterS.toFixed(1)} s after traffic started (allowed ${allowedS} s for the decision); traffic ${JSON.stringify(traffic.counts().byStatus)}\n`);
      expect(decidedAfterS).toBeLessThanOrEqual(allowedS);
      expect(traffic.counts().byStatus['500'] ?? 0).toBeGreaterThan(0);
    } finally {
      await traffic.stop();
    }

    const inAlertmanager = await waitFor('GuardrailRollbackStarted in Alertmanager', 30_000, async () => {
      const alerts = await s.alertmanagerAlerts('GuardrailRollbackStarted');
      return alerts.length > 0 ? alerts : undefined;
    });
    expect(inAlertmanager[0]?.labels).toMatchObject({ severity: 'info', reason: 'high-error-rate' });
    const atSink = await waitFor('GuardrailRollbackStarted at the webhook sink', 30_000, async () =>
      sink?.alerts.find((a) => a.name === 'GuardrailRollbackStarted' && a.status === 'firing'),
    );
    expect(atSink).toMatchObject({ severity: 'info', target: 'prediction-service' });
  });

  it('is still listed by `compose ps`, and `compose up -d` does not undo the rollback', async () => {
    const s = theStack();
    const before = s.onlyRunning('api');
    expect(variantOf(before)).toBe('baseline');
    const ps = await s.compose(['ps']);
    expect(ps).toContain(before.name);
    expect(ps).toMatch(new RegExp(`${before.name}\\s.*Up`));

    const upOutput = await s.compose(['up', '-d', ...SERVICES], 180_000);
    const after = s.onlyRunning('api');
    expect(after.id).toBe(before.id);
    expect(variantOf(after)).toBe('baseline');
    expect((await versionAt(s.url.api)).model_variant).toBe('baseline');
    expect(upOutput).not.toMatch(/Recreating .*_api_/);
  });

  it('repeats the WARNING while the rollback lasts (warnAfter 10 s, warnEvery 10 s)', async () => {
    const warnings = await waitFor(
      'two lasting-rollback warnings at the sink',
      60_000,
      async () => {
        const lasting = (sink?.alerts ?? []).filter((a) => a.name === 'GuardrailRollbackLasting' && a.status === 'firing');
        return new Set(lasting.map((a) => a.dedupKey)).size >= 2 ? lasting : undefined;
      },
      1_000,
    );
    expect(warnings.every((w) => w.severity === 'warning')).toBe(true);
    expect(new Set(warnings.map((w) => w.labels['repeat'])).size).toBeGreaterThanOrEqual(2);
  });

  it('keeps the rollback and its start time across a controller container restart', async () => {
    const s = theStack();
    const before = await s.targetStatus();
    expect(before.phase).toBe('rolled_back');
    const controller = s.onlyRunning('controller');
    await s.compose(['restart', '--timeout', '10', 'controller']);
    expect(s.onlyRunning('controller').id).toBe(controller.id);
    const after = await waitFor('controller status after the restart', 60_000, async () => {
      const status = await s.targetStatus();
      return status.lastEvaluation !== null && Date.parse(status.lastEvaluation.at) > Date.now() - 10_000 ? status : undefined;
    });
    expect(after.phase).toBe('rolled_back');
    expect(after.rollback?.id).toBe(before.rollback?.id);
    expect(after.rollback?.startedAt).toBe(before.rollback?.startedAt);
    expect(after.rollback?.ageSeconds ?? 0).toBeGreaterThanOrEqual(before.rollback?.ageSeconds ?? Infinity);
    for (const service of ['api', 'prediction-consumer']) {
      const all = serving(s, service);
      expect(all, `${service} containers`).toHaveLength(1);
      expect(all[0]?.running).toBe(true);
      expect(variantOf(all[0] as ContainerInfo)).toBe('baseline');
    }
    expect((await versionAt(s.url.api)).model_variant).toBe('baseline');
  });

  it('rolls forward and back through the CLI, and `history --markdown` shows the rows', async () => {
    const s = theStack();
    // No traffic now: the ML model's fault is back after the roll-forward, but too little traffic to act on.
    const forward = await guardrailCli(['rollforward', 'prediction-service', '--reason', 'e2e: model fixed', '--no-wait']);
    expect(forward).toMatch(/accepted/i);
    const ml = await waitFor('ML after the CLI roll-forward', 90_000, async () => {
      const v = await versionAt(s.url.api);
      return v.model_variant === 'ml' ? v : undefined;
    });
    expect(ml.model_version).toMatch(/^xgb-/);
    await waitFor('watching after the roll-forward', 30_000, async () => ((await s.targetStatus()).phase === 'watching' ? true : undefined));

    const back = await guardrailCli(['rollback', 'prediction-service', '--reason', 'e2e: manual rollback', '--no-wait']);
    expect(back).toMatch(/accepted/i);
    const baseline = await waitFor('baseline after the CLI rollback', 90_000, async () => {
      const v = await versionAt(s.url.api);
      return v.model_variant === 'baseline' ? v : undefined;
    });
    expect(baseline.model_version).toMatch(/^baseline-/);
    const status = await waitFor('rolled_back after the CLI rollback', 30_000, async () => {
      const st = await s.targetStatus();
      return st.phase === 'rolled_back' ? st : undefined;
    });
    expect(status.rollback?.trigger.kind).toBe('manual');
    expect(JSON.stringify(status.rollback)).toContain('e2e: manual rollback');

    // The free text is kept with the manual trigger, and the table's Reason column shows it.
    const [latest] = await s.history();
    expect(latest?.trigger).toMatchObject({ kind: 'manual', reason: 'e2e: manual rollback' });

    const markdown = await guardrailCli(['history', '--markdown']);
    expect(markdown).toContain('| Date | Duration | Reason | Resolved | Notes |');
    const rows = markdown.split('\n').filter((line) => /^\| \d{4}-\d\d-\d\d \d\d:\d\d UTC \|/.test(line));
    // One row per rollback, oldest first: the automatic one (rolled forward through the CLI), then the
    // CLI rollback, still on the baseline.
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/\| high-error-rate: reasons\.high-error-rate=[^|]+ \| Yes \| automatic; baseline verified in [^;]+; rolled forward [^(]+\(manual by api-token:[^)]+\): e2e: model fixed \|$/);
    expect(rows[1]).toMatch(/\| ongoing \([^)]+\) \| e2e: manual rollback \| ongoing \| manual by api-token:[^;]+; baseline verified in /);
  });
  it('finishes a roll-forward the controller container was SIGKILLed in the middle of', async () => {
    const s = theStack();
    expect((await s.targetStatus()).phase).toBe('rolled_back');
    const controller = s.onlyRunning('controller');
    const accepted = await s.controllerPost('/api/v1/targets/prediction-service/rollforward', { reason: 'e2e: killed mid-switch' });
    expect(accepted.status).toBe(202);
    // A start-first roll-forward boots a new ML api (no standby for ml), verifies it and settles 1.5 s:
    // 400 ms in, the switch is between its steps.
    await sleep(400);
    await run('docker', ['kill', '--signal', 'KILL', controller.id]);
    // Proof the kill landed mid-switch: some container is still on baseline or renamed aside as the old one.
    const atKill = [...s.containers('api'), ...s.containers('prediction-consumer')];
    process.stdout.write(`e2e ml-errors: at the kill: ${atKill.map((c) => `${c.name} ${c.running ? 'running' : 'stopped'} ${variantOf(c) ?? 'ml'}`).join('; ')}\n`);
    expect(atKill.some((c) => c.name.includes('-guardrail-old-') || variantOf(c) === 'baseline')).toBe(true);
    // unless-stopped may already be restarting it; `start` covers the case where Docker does not.
    await s.compose(['start', 'controller']);
    // The API listens before the runtime has restored its state and resumed the switch (/readyz says
    // which): only a ready controller's status and history are the outcome.
    const firstAnswer = await waitFor('the controller answering again', 60_000, () => s.targetStatus());
    await waitFor('/readyz 200', 90_000, async () => ((await fetch(`${s.url.controller}/readyz`, { signal: AbortSignal.timeout(3_000) })).status === 200 ? true : undefined));
    const latest = await waitFor('the interrupted roll-forward recorded as finished', 60_000, async () => {
      const [entry] = await s.history();
      return entry !== undefined && entry.result !== 'in_progress' ? entry : undefined;
    });
    const status = await s.targetStatus();
    process.stdout.write(`e2e ml-errors: after the kill, first status ${firstAnswer.phase}; ready: ${status.phase}, last history ${latest.action} ${latest.result}\n`);
    expect(latest).toMatchObject({ action: 'rollforward', result: 'succeeded' });
    expect(status.phase).toBe('watching');
    expect(status.rollback).toBeNull();
    for (const service of ['api', 'prediction-consumer']) {
      const all = serving(s, service);
      expect(all.map((c) => c.name), `${service} containers`).toHaveLength(1);
      expect(all[0]?.running).toBe(true);
      expect(variantOf(all[0] as ContainerInfo)).toBeUndefined();
    }
    expect((await versionAt(s.url.api)).model_variant).toBe('ml');
  });
});
