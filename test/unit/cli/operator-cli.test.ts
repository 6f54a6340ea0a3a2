// The built CLI against a real listening API (buildApi over the recording ControllerPort): tables, --json,
// markdown history, accepted overrides, the server's refusals, an unreachable server and bad flags.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { TOKEN, makeApi } from '../http/api-fixtures.js';
import { T0, sampleEntry, sampleStatus } from '../http/recording-controller.js';
import { runCli } from './cli-harness.js';
import { listeningCli, resetOperatorFixture } from './listening-cli.js';

// Each run spawns node and loads the CLI's module graph (~1.5 s on this machine, more under load).
vi.setConfig({ testTimeout: 30_000 });

const fixture = makeApi({ protectReads: true });
const { app, controller } = fixture;
const cli = listeningCli(app);
let tokenDir = '';

beforeAll(async () => {
  tokenDir = await mkdtemp(join(tmpdir(), 'guardrail-token-'));
});

afterAll(async () => {
  await rm(tokenDir, { recursive: true, force: true });
});

beforeEach(() => resetOperatorFixture(fixture));

const submits = () => controller.calls.filter((c) => c.method === 'submit');

describe('status', () => {
  it('prints a readable table: phase, variant, rollback with age, verdicts', async () => {
    const res = await runCli(cli.bundle, ['status'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const [header, row] = res.stdout.split('\n');
    expect(header).toMatch(/^TARGET\s+PHASE\s+VARIANT\s+ROLLBACK\s+PAUSE\s+IN FLIGHT$/);
    expect(row).toMatch(/^prediction-service\s+rolled_back\s+baseline\s+high-error-rate \(15m ago\)\s+-\s+-$/);
    expect(res.stdout).toContain('rollback rb-prediction-service-1: high-error-rate, automatic, started 2026-11-27 08:45:00Z (15m ago)');
    expect(res.stdout).toMatch(/error-ratio\s+BREACH\s+0\.12 > 0\.05\s+5m\/5m \(sustained\)/);
    expect(res.stdout).toMatch(/p95-latency\s+UNKNOWN\s+no_data: empty vector/);
    expect(res.stdout).toContain('warm standby of prediction-service: not-needed, checked 2026-11-27 08:59:45Z: prediction-service already runs MODEL_VARIANT=baseline');
  });

  it('shows a pause with its expiry and a held rollback', async () => {
    controller.targets = [{ ...sampleStatus(), phase: 'paused', rollback: null, pause: { until: new Date(Date.now() + 30 * 60_000).toISOString(), actor: 'api-token:alice', reason: 'maintenance' }, hold: { cause: 'cooldown', detail: 'last rollback 10m ago', since: '2026-11-27T08:55:00.000Z' } }];
    const res = await runCli(cli.bundle, ['status'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/paused by api-token:alice until .* \((29|30)m left\): maintenance/);
    expect(res.stdout).toContain('automatic rollback held (cooldown) since 2026-11-27 08:55:00Z: last rollback 10m ago');
  });

  it('shows what each service runs, an incomplete rollback per service with its next attempt, and when Guardrail cannot act', async () => {
    const base = sampleStatus();
    controller.targets = [
      {
        ...base,
        phase: 'partially_rolled_back',
        services: [
          { service: 'p/api', known: true, value: 'baseline', detail: 'p-api-1', since: '2026-11-27T08:46:00.000Z' },
          { service: 'p/consumer', known: false, value: null, detail: 'no running container found', since: '2026-11-27T08:47:00.000Z' },
        ],
        canAct: { ok: false, detail: 'p/consumer: no running container found', since: '2026-11-27T08:47:00.000Z', checkedAt: '2026-11-27T08:59:45.000Z' },
        rollback: base.rollback === null ? null : { ...base.rollback, attempts: 1, nextAttemptAt: '2026-11-27T09:00:30.000Z', services: [{ service: 'p/api', onValue: true, detail: 'serves baseline' }, { service: 'p/consumer', onValue: false, detail: 'exit code 3' }] },
      },
    ];
    const res = await runCli(cli.bundle, ['status'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('    p/api: on the rollback value: serves baseline\n    p/consumer: NOT on the rollback value: exit code 3\n    attempt 2 at 2026-11-27 09:00:30Z');
    expect(res.stdout).toContain('  p/api runs baseline (since 2026-11-27 08:46:00Z): p-api-1');
    expect(res.stdout).toContain('  p/consumer runs UNKNOWN (since 2026-11-27 08:47:00Z): no running container found');
    expect(res.stdout).toContain('  CANNOT ACT since 2026-11-27 08:47:00Z: p/consumer: no running container found');
  });

  it('shows the shadow candidate, the gate\'s verdict and `for` progress, and each bound; --json carries targets[].shadow', async () => {
    const shadow = {
      mode: 'automatic' as const,
      state: 'ready',
      candidate: 'guardrail-api-1-guardrail-shadow',
      detail: 'serves ml',
      requests: 912,
      errorRatio: 0.25,
      p95Seconds: null,
      agreement: 0.93,
      verdict: 'breach' as const,
      since: '2026-11-27T08:55:00.000Z',
      passingSeconds: 0,
      forSeconds: 600,
      bounds: [
        { bound: 'requests', status: 'ok' as const, value: 912, comparison: 'below' as const, threshold: 500, cause: null, detail: null },
        { bound: 'errorRatio', status: 'breach' as const, value: 0.25, comparison: 'above' as const, threshold: 0.01, cause: null, detail: null },
        { bound: 'p95Seconds', status: 'unknown' as const, value: null, comparison: 'above' as const, threshold: 0.8, cause: 'not_finite', detail: 'value NaN' },
        { bound: 'agreement', status: 'ok' as const, value: 0.93, comparison: 'below' as const, threshold: 0.9, cause: null, detail: null },
      ],
      candidateSpec: null,
    };
    controller.targets = [{ ...sampleStatus(), shadow }];
    const res = await runCli(cli.bundle, ['status'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('  shadow candidate guardrail-api-1-guardrail-shadow: ready (serves ml)\n  roll-forward gate: BREACH since 2026-11-27 08:55:00Z, passing 0s/10m (rolls forward on its own once passed)');
    expect(res.stdout).toMatch(/requests\s+OK\s+912 >= 500/);
    expect(res.stdout).toMatch(/errorRatio\s+BREACH\s+0\.25 > 0\.01/);
    expect(res.stdout).toMatch(/p95Seconds\s+UNKNOWN\s+not_finite: value NaN/);
    expect(res.stdout).toMatch(/agreement\s+OK\s+0\.93 >= 0\.9/);
    const json = await runCli(cli.bundle, ['status', '--json'], cli.env);
    expect(JSON.parse(json.stdout)).toMatchObject({ targets: [{ shadow }] });
  });

  it('a candidate not judged: the candidate bound in words (starting: UNKNOWN candidate_not_ready; failed: BREACH)', async () => {
    const base = { mode: 'automatic' as const, candidate: null, requests: null, errorRatio: null, p95Seconds: null, agreement: null, since: '2026-11-27T08:55:00.000Z', passingSeconds: 0, forSeconds: 600, candidateSpec: null };
    const bound = { bound: 'candidate', comparison: 'below' as const, threshold: 1 };
    controller.targets = [
      { ...sampleStatus(), shadow: { ...base, state: 'starting', detail: 'created beside api-1', verdict: 'unknown' as const, bounds: [{ ...bound, status: 'unknown' as const, value: null, cause: 'candidate_not_ready', detail: 'the candidate is not verified serving yet (starting: created beside api-1): its mirrored requests are not judged' }] } },
    ];
    expect((await runCli(cli.bundle, ['status'], cli.env)).stdout).toMatch(/candidate\s+UNKNOWN\s+candidate_not_ready: the candidate is not verified serving yet \(starting: created beside api-1\)/);
    controller.targets = [
      { ...sampleStatus(), shadow: { ...base, state: 'failed', detail: 'exited with code 1', verdict: 'breach' as const, bounds: [{ ...bound, status: 'breach' as const, value: 0, cause: null, detail: 'the candidate does not run (failed: exited with code 1)' }] } },
    ];
    expect((await runCli(cli.bundle, ['status'], cli.env)).stdout).toMatch(/candidate\s+BREACH\s+the candidate does not run \(failed: exited with code 1\)/);
  });

  it('--json prints the server response for scripts', async () => {
    const res = await runCli(cli.bundle, ['status', '--json'], cli.env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ ready: true, detail: 'policies loaded, state restored', targets: [sampleStatus()] });
  });

  it('reads the token from --token-file, and GUARDRAIL_TOKEN_FILE', async () => {
    const file = join(tokenDir, 'token');
    await writeFile(file, `${TOKEN}\n`);
    expect((await runCli(cli.bundle, ['status', '--json', '--url', cli.url, '--token-file', file])).code).toBe(0);
    expect((await runCli(cli.bundle, ['status', '--json', '--url', cli.url], { GUARDRAIL_TOKEN_FILE: file })).code).toBe(0);
  });

  it('without a token the protected read fails with the server message and code, exit 1', async () => {
    const res = await runCli(cli.bundle, ['status', '--url', cli.url]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('guardrail: missing Authorization header (expected "Bearer <token>") [GR_ERR_UNAUTHORIZED, HTTP 401]\n');
  });
});

describe('untrusted text', () => {
  // ESC sequences (clear screen, a coloured fake line), NUL, BEL, CR/LF (a fake "status" line) and U+202E.
  const hostile = 'ok\u001b[2J\u001b[31mFAKE\u0000\u0007\r\nprediction-service  watching\u202eevil';
  const shown = 'ok\\x1b[2J\\x1b[31mFAKE\\x00\\x07\\r\\nprediction-service  watching\\u202eevil';

  it('status, history and --json escape control and bidi characters in reasons, actors and details', async () => {
    const status = sampleStatus();
    controller.targets = [{ ...status, rollback: status.rollback === null ? null : { ...status.rollback, reason: hostile }, hold: { cause: 'veto', detail: hostile, since: '2026-11-27T08:55:00.000Z' } }];
    controller.entries = [{ ...sampleEntry(), reason: hostile, trigger: { kind: 'manual', actor: `api-token:${hostile}`, reason: hostile } }];
    const outputs = await Promise.all([runCli(cli.bundle, ['status'], cli.env), runCli(cli.bundle, ['history'], cli.env), runCli(cli.bundle, ['history', '--markdown'], cli.env), runCli(cli.bundle, ['status', '--json'], cli.env)]);
    for (const res of outputs) {
      expect(res.code).toBe(0);
      // Nothing a terminal acts on: only printable text and the line breaks between lines.
      // eslint-disable-next-line no-control-regex -- finding control characters is the test
      expect(res.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
    }
    const [text, history, markdown, json] = outputs;
    expect(text?.stdout).toContain(`automatic rollback held (veto) since 2026-11-27 08:55:00Z: ${shown}`);
    expect(history?.stdout).toContain(shown);
    // A markdown cell is one line: CR/LF become a space there.
    expect(markdown?.stdout).toContain('ok\\x1b[2J\\x1b[31mFAKE\\x00\\x07 prediction-service  watching\\u202eevil');
    // JSON stays valid and loses nothing: the escapes decode to the original text.
    expect((JSON.parse(json?.stdout ?? '') as { targets: { hold: { detail: string } }[] }).targets[0]?.hold.detail).toBe(hostile);
  });

  it('a server message with control characters is escaped on stderr', async () => {
    controller.inFlight.set('prediction-service', { id: 'op-\u001b[2J', kind: 'pause', target: 'prediction-service', submittedAt: new Date(T0).toISOString(), status: 'queued', message: null });
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'x'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('op-\\x1b[2J');
    expect(res.stderr).not.toContain('\u001b');
  });
});

describe('history', () => {
  it('--markdown prints the rollback history table, the whole history whatever the page size', async () => {
    const res = await runCli(cli.bundle, ['history', '--markdown', '--target', 'prediction-service'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      '# Rollback History\n\n| Date | Duration | Reason | Resolved | Notes |\n|------|----------|--------|----------|-------|\n| 2026-11-27 08:45 UTC | ongoing (5min) | high-error-rate: error-ratio=0.1235 > 0.05 for 300s | ongoing | automatic; baseline verified in 10min |\n',
    );
    expect(controller.calls).toEqual([{ method: 'history', query: { target: 'prediction-service', limit: Number.MAX_SAFE_INTEGER, offset: 0 } }]);
  });

  it('`history --markdown > file` run twice writes byte-identical files (idempotent, as the runbook uses it)', async () => {
    const file = join(tokenDir, 'rollback_history.md');
    const command = `"${process.execPath}" "${cli.bundle.bin}" history --markdown > "${file}"`;
    const write = () => new Promise<Buffer>((resolve, reject) => {
      execFile('bash', ['-c', command], { env: { ...process.env, ...cli.env }, timeout: 20_000 }, (error) => (error ? reject(error) : resolve(readFile(file))));
    });
    const first = await write();
    const second = await write();
    expect(first.toString('utf8')).toMatch(/^# Rollback History\n/);
    expect(second.equals(first)).toBe(true);
  });

  it('prints a table by default and JSON with --json', async () => {
    const table = await runCli(cli.bundle, ['history'], cli.env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^STARTED\s+TARGET\s+ACTION\s+DURATION\s+RESULT\s+TRIGGER\s+REASON\n2026-11-27 08:45:00Z\s+prediction-service\s+rollback\s+10min\s+succeeded\s+automatic\s+high-error-rate\n\(1-1 of 1\)\n$/);
    const json = await runCli(cli.bundle, ['history', '--json'], cli.env);
    expect(JSON.parse(json.stdout)).toEqual({ entries: [sampleEntry()], total: 1, limit: 50, offset: 0 });
  });
});

describe('overrides', () => {
  it('rollback --no-wait -> 202: prints the operation id, sends reason and actor', async () => {
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'bad predictions reported', '--actor', 'alice', '--no-wait'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Rollback of prediction-service accepted: operation op-1 (queued).\nFollow it with: guardrail status\n');
    expect(submits()).toEqual([{ method: 'submit', target: 'prediction-service', request: { kind: 'rollback', actor: 'api-token:alice', reason: 'bad predictions reported' } }]);
  });

  it('rollback --no-wait --json prints the accepted operation', async () => {
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'r', '--json', '--no-wait'], cli.env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ operation: { kind: 'rollback', target: 'prediction-service', status: 'queued' } });
  });

  it('pause --for, pause --until, resume, rollforward reach the port with the right requests', async () => {
    expect((await runCli(cli.bundle, ['pause', 'prediction-service', '--for', '30m', '--reason', 'deploy'], cli.env)).stdout).toContain('Pause of prediction-service accepted for 30m');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await runCli(cli.bundle, ['pause', 'prediction-service', '--until', until, '--reason', 'deploy'], cli.env)).code).toBe(0);
    expect((await runCli(cli.bundle, ['resume', 'prediction-service'], cli.env)).code).toBe(0);
    expect((await runCli(cli.bundle, ['rollforward', 'prediction-service', '--reason', 'fixed'], cli.env)).code).toBe(0);
    const requests = submits().map((c) => (c.method === 'submit' ? c.request : undefined));
    expect(requests.map((r) => r?.kind)).toEqual(['pause', 'pause', 'resume', 'rollforward']);
    // The server's clock (T0) decides the expiry of --for; --until is taken as given.
    expect(requests[0]).toMatchObject({ untilMs: T0 + 30 * 60_000, reason: 'deploy' });
    expect(requests[1]).toMatchObject({ untilMs: Date.parse(until) });
    expect(requests[2]).toMatchObject({ reason: 'manual resume' });
    expect(requests[3]).toMatchObject({ reason: 'fixed' });
  });

  it('409 -> exit 1 with the server message and code', async () => {
    controller.inFlight.set('prediction-service', { id: 'op-77', kind: 'rollback', target: 'prediction-service', submittedAt: new Date(T0).toISOString(), status: 'running', message: null });
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('guardrail: rollback already in flight for prediction-service (operation op-77, rollback, running) [GR_ERR_CONFLICT, HTTP 409]\n');
  });

  it('rollforward --force sends force; a warning in the answer goes to stderr', async () => {
    controller.submitAnswer = (_request, operation) => ({ outcome: 'accepted', operation, warning: 'forced over a shadow gate BREACH: errorRatio 0.3 > 0.01 BREACH' });
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--force', '--no-wait'], cli.env);
    expect(res.code).toBe(0);
    expect(submits()).toHaveLength(1);
    expect(submits()[0]).toMatchObject({ request: { kind: 'rollforward', reason: 'manual roll-forward', force: true } });
    expect(res.stderr).toBe('guardrail: warning: forced over a shadow gate BREACH: errorRatio 0.3 > 0.01 BREACH\n');
    expect(res.stdout).toContain('Roll-forward of prediction-service accepted');
  });

  it('unknown target -> exit 1 with GR_ERR_UNKNOWN_TARGET', async () => {
    const res = await runCli(cli.bundle, ['rollback', 'nope', '--reason', 'r'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('[GR_ERR_UNKNOWN_TARGET, HTTP 404]');
  });

  it('a wrong token -> exit 1 with GR_ERR_UNAUTHORIZED, nothing submitted', async () => {
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reason', 'r'], { GUARDRAIL_URL: cli.url, GUARDRAIL_TOKEN: 'not-the-right-token-at-all' });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('guardrail: invalid token [GR_ERR_UNAUTHORIZED, HTTP 401]\n');
    expect(submits()).toEqual([]);
  });
});

describe('failures before or without a server', () => {
  it('unreachable server -> exit 3 with a clear message', async () => {
    const port = await freePort();
    const res = await runCli(cli.bundle, ['status'], { GUARDRAIL_URL: `http://127.0.0.1:${port}`, GUARDRAIL_TOKEN: TOKEN });
    expect(res.code).toBe(3);
    expect(res.stderr).toBe(`guardrail: cannot reach the Guardrail API at http://127.0.0.1:${port} (ECONNREFUSED); is the controller running? Set --url or GUARDRAIL_URL.\n`);
  });

  it('an unknown option is refused by commander (exit 2, usage shown), no request sent', async () => {
    const res = await runCli(cli.bundle, ['rollback', 'prediction-service', '--reasn', 'typo'], cli.env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unknown option '--reasn'");
    expect(controller.calls).toEqual([]);
  });
});
