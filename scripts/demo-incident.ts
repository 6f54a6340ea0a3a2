// `npm run demo:incident`: injects an ML fault into the running demo (`npm start`) and follows what
// Guardrail does about it, with timings: fault live → rollback decided → baseline verified → the INFO
// alert in Alertmanager → the ML candidate in shadow failing its roll-forward gate. `-- --clear` removes the
// fault again, and follows the gate until Guardrail rolls forward on its own.
import { escapeControl } from '../controller/core/display-text.js';
import type { DemoInfo } from './demo-control.js';

const controlPort = Number(process.env['GUARDRAIL_DEMO_CONTROL_PORT'] ?? 8099);
const control = `http://127.0.0.1:${controlPort}`;
const args = process.argv.slice(2);
const clear = args.includes('--clear');
const rateArg = args.find((a) => a.startsWith('--error-rate='))?.split('=')[1] ?? '0.5';
const TIMEOUT_MS = Number(process.env['GUARDRAIL_DEMO_INCIDENT_TIMEOUT_MS'] ?? 120_000);

const t0 = Date.now();
const say = (line: string): void => {
  // Reasons and alert labels come from the controller and Alertmanager: shown, never acted on by the terminal.
  process.stdout.write(`[+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${escapeControl(line)}\n`);
};

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  // The controller answers errors as RFC 9457 problems (`detail`); the demo's control server as `{error}`.
  const body = (await res.json()) as T & { error?: string; detail?: string };
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${body.detail ?? body.error ?? ''}`);
  return body;
}

interface ShadowStatus {
  verdict: string;
  state: string;
  passingSeconds: number;
  forSeconds: number;
  bounds: { bound: string; status: string; value: number | null; threshold: number }[];
}

interface Status {
  targets: { target: string; phase: string; variant: string | null; rollback: { id: string; reason: string } | null; shadow?: ShadowStatus | null }[];
}

const short = (value: number | null): string => (value === null ? '?' : String(Number(value.toPrecision(3))));

function gateText(shadow: ShadowStatus): string {
  const bounds = shadow.bounds.map((b) => `${b.bound} ${b.status === 'unknown' ? 'UNKNOWN' : `${short(b.value)} (${b.status === 'ok' ? 'ok' : 'BREACH'})`}`).join(', ');
  return `candidate ${shadow.state}, gate ${shadow.verdict.toUpperCase()} ${shadow.passingSeconds}/${shadow.forSeconds} s: ${bounds}`;
}

async function targetStatus(info: DemoInfo): Promise<Status['targets'][number] | undefined> {
  return (await json<Status>(`${info.controllerUrl}/api/v1/status`)).targets.find((t) => t.target === info.target);
}

/** After --clear: the gate's progress, until the roll-forward Guardrail decides on it. */
async function followRollforward(info: DemoInfo): Promise<void> {
  if ((await targetStatus(info))?.phase !== 'rolled_back') return;
  let last = '';
  await waitFor('the automatic roll-forward', async () => {
    const t = await targetStatus(info);
    // One line when the candidate's state or the gate's verdict changes, not every tick.
    if (t?.shadow !== undefined && t.shadow !== null && t.shadow.verdict !== 'not_judged') {
      const key = `${t.shadow.state} ${t.shadow.verdict}`;
      if (key !== last) say(gateText(t.shadow));
      last = key;
    }
    return t?.phase === 'watching' ? t : undefined;
  });
  say(`Guardrail rolled forward on its own, ${((Date.now() - t0) / 1000).toFixed(1)} s after the clear: /version says ${(await json<{ model_variant: string }>(`${info.serviceUrl}/version`)).model_variant}`);
}

/** After the rollback: the candidate in shadow answering the same requests, and failing its gate. */
async function showShadowFailing(info: DemoInfo): Promise<void> {
  const shadow = await waitFor('the shadow gate to judge the candidate', async () => {
    const s = (await targetStatus(info))?.shadow;
    return s !== undefined && s !== null && s.verdict === 'breach' ? s : undefined;
  });
  say(`guardrail status: the ML candidate in shadow fails its roll-forward gate — ${gateText(shadow)}`);
  say('fix it with `npm run demo:incident -- --clear`: Guardrail then rolls forward on its own');
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${TIMEOUT_MS / 1000} s waiting for ${what}`);
}

async function main(): Promise<void> {
  let info: DemoInfo;
  try {
    info = await json<DemoInfo>(`${control}/info`);
  } catch {
    process.stderr.write(`the demo is not running (nothing answers on ${control}); start it with \`npm start\` first\n`);
    process.exitCode = 1;
    return;
  }
  if (clear) {
    await json(`${control}/clear`, { method: 'POST' });
    say('fault removed: the service restarted without it, and so will its ML candidate in shadow');
    await followRollforward(info);
    return;
  }
  const before = await json<Status>(`${info.controllerUrl}/api/v1/status`);
  const target = before.targets.find((t) => t.target === info.target);
  if (target?.phase !== 'watching') {
    say(`target ${info.target} is ${target?.phase ?? 'unknown'}, not watching: roll forward first (and clear the fault), then retry`);
    process.exitCode = 1;
    return;
  }
  say(`injecting: restarting the ML service with FAULT_ML_ERROR_RATE=${rateArg} ...`);
  await json(`${control}/incident?errorRate=${encodeURIComponent(rateArg)}`, { method: 'POST' });
  say('fault live: about half of the ML predictions now answer 500');

  const rollingBack = await waitFor('the rollback decision', async () => {
    const s = await json<Status>(`${info.controllerUrl}/api/v1/status`);
    const t = s.targets.find((x) => x.target === info.target);
    return t?.rollback ?? undefined;
  });
  say(`Guardrail decided a rollback: ${rollingBack.id} (reason ${rollingBack.reason})`);

  const version = await waitFor('the baseline to serve', async () => {
    const s = await json<Status>(`${info.controllerUrl}/api/v1/status`);
    if (s.targets.find((x) => x.target === info.target)?.phase !== 'rolled_back') return undefined;
    return json<{ model_variant: string; model_version: string }>(`${info.serviceUrl}/version`);
  });
  say(`rolled back and verified: /version says model_variant=${version.model_variant}, model_version=${version.model_version}`);

  const alert = await waitFor('the INFO alert in Alertmanager', async () => {
    const alerts = await json<{ labels: Record<string, string>; status: { state: string } }[]>(`${info.alertmanagerUrl}/api/v2/alerts`);
    return alerts.find((a) => a.labels['alertname'] === 'GuardrailRollbackStarted' && a.labels['rollbackId'] === rollingBack.id);
  });
  say(`Alertmanager shows ${alert.labels['alertname']} (severity ${alert.labels['severity']}, state ${alert.status.state}) — ${info.alertmanagerUrl}/#/alerts`);
  say(`history: curl -s ${info.controllerUrl}/api/v1/history`);
  await showShadowFailing(info);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo:incident failed: ${escapeControl(error instanceof Error ? error.message : String(error))}\n`);
  process.exitCode = 1;
});
