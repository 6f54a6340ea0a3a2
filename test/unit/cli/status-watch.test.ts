// `guardrail status TARGET` and `guardrail status --watch`: one target, the held webhook triggers and a
// baseline that breaches too in the text, and --watch redrawing in place under a real pty (util-linux
// `script`), stopped by --count or by Ctrl-C typed into the terminal.
import { spawn } from 'node:child_process';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { makeApi, resetFixture } from '../http/api-fixtures.js';
import { sampleStatus } from '../http/recording-controller.js';
import { runCli, type CliResult } from './cli-harness.js';
import { listeningCli } from './listening-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const fixture = makeApi();
const { app, controller } = fixture;
const cli = listeningCli(app);

beforeEach(() => {
  resetFixture(fixture);
  const held = sampleStatus();
  controller.targets = [
    {
      ...held,
      rollback: held.rollback === null ? null : { ...held.rollback, baselineBreach: { reason: 'high-error-rate', since: '2026-11-27T08:58:00.000Z' } },
      heldTriggers: [{ alertname: 'PredictionErrorsHigh', reason: 'high-error-rate', fingerprint: 'f1', since: '2026-11-27T08:59:00.000Z', why: 'paused until 10:00' }],
    },
    sampleStatus('other-service'),
  ];
});

const CLEAR_HOME = '\u001b[H\u001b[2J';

/** Runs the CLI inside a pseudo-terminal (stdout is a TTY); `keys` are typed into it once `afterFrames` frames were drawn. */
function runInPty(args: readonly string[], keys?: { text: string; afterFrames: number }, extraEnv: Record<string, string> = {}): Promise<CliResult> {
  // `exec`: under dash (CI's $SHELL may be unset, so `script` runs /bin/sh) the shell would otherwise stay
  // the pty's foreground parent and die of the Ctrl-C itself, so `script` would report 130, not the CLI's code.
  const quoted = `exec ${[process.execPath, cli.bundle.bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`;
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GUARDRAIL_')));
  return new Promise((resolve) => {
    const child = spawn('script', ['-q', '-e', '-c', quoted, '/dev/null'], { env: { ...base, ...cli.env, ...extraEnv, TERM: 'xterm', SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let typed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      if (keys !== undefined && !typed && stdout.split(CLEAR_HOME).length > keys.afterFrames) {
        typed = true;
        child.stdin.write(keys.text);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}


describe('status TARGET', () => {
  it('shows only that target, with a baseline that breaches too and the held webhook trigger', async () => {
    const res = await runCli(cli.bundle, ['status', 'prediction-service'], cli.env);
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain('other-service');
    expect(res.stdout).toContain('  baseline breaches too: high-error-rate since 2026-11-27 08:58:00Z (');
    expect(res.stdout).toContain('  held webhook trigger PredictionErrorsHigh (reason high-error-rate) since 2026-11-27 08:59:00Z (');
    expect(res.stdout).toMatch(/\n {4}error-ratio {2}BREACH {3}0\.12 > 0\.05 {12}5m\/5m \(sustained\)\n/);
  });

  it('an unknown target exits 1 and names the known ones', async () => {
    const res = await runCli(cli.bundle, ['status', 'nope'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('guardrail: no target "nope" in the controller\'s status (targets: prediction-service, other-service)\n');
  });

  it('--interval or --count without --watch is a usage error (exit 2)', async () => {
    const res = await runCli(cli.bundle, ['status', '--interval', '1s'], cli.env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--interval and --count need --watch/);
  });
});

describe('status --watch under a pty', () => {
  it('redraws in place (clear + home before each frame) every --interval, --count frames, exit 0', async () => {
    const started = Date.now();
    const res = await runInPty(['status', 'prediction-service', '--watch', '--interval', '1s', '--count', '3']);
    expect(res.code).toBe(0);
    const frames = res.stdout.split(CLEAR_HOME).slice(1);
    expect(frames).toHaveLength(3);
    expect(res.stdout.startsWith(CLEAR_HOME)).toBe(true);
    for (const frame of frames) {
      expect(frame).toMatch(/^guardrail status prediction-service — every 1s, \d\d:\d\d:\d\dZ \(Ctrl-C to stop\)\r\n\r\nTARGET/);
      expect(frame).toContain('error-ratio  BREACH   0.12 > 0.05');
      expect(frame).toContain('p95-latency  UNKNOWN  no_data: empty vector');
      expect(frame).toContain('held webhook trigger PredictionErrorsHigh');
    }
    // Three frames one interval apart: at least two intervals.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('shows a controller it cannot reach in the frame and keeps watching; Ctrl-C stops it with exit 0', async () => {
    const port = await freePort();
    const res = await runInPty(['status', '--watch', '--interval', '1s'], { text: '\u0003', afterFrames: 2 }, { GUARDRAIL_URL: `http://127.0.0.1:${port}` });
    expect(res.code).toBe(0);
    const frames = res.stdout.split(CLEAR_HOME).slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) expect(frame).toMatch(/guardrail: cannot reach the Guardrail API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\).*\r\n\(retrying every 1s\)/);
  });
});
