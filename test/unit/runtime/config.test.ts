import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../controller/config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guardrail-config-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const TOKEN = 'a-token-of-at-least-16-chars';

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('loadConfig', () => {
  it('defaults with only a token', () => {
    const config = loadConfig({ env: { GUARDRAIL_TOKEN: TOKEN }, cwd: '/srv/g' });
    expect(config).toEqual({
      prometheus: { url: 'http://127.0.0.1:9090', timeoutMs: 2000, groupQueries: true },
      policies: ['/srv/g/policies'],
      stateDir: '/srv/g/.guardrail',
      listen: { host: '127.0.0.1', port: 8090 },
      auth: { token: TOKEN, protectReads: false, dashboardPublic: false },
      alerts: { resendIntervalMs: 60_000 },
      actuator: { kind: 'docker' },
      logLevel: 'info',
      tickTimeoutMs: 10_000,
      webhookDedupWindowMs: 28_800_000,
    });
  });

  it('a YAML file, with environment variables taking precedence', async () => {
    const file = join(dir, 'guardrail.yaml');
    await writeFile(
      file,
      [
        'prometheus: { url: "http://prom:9090/", timeout: 3s, groupQueries: false }',
        'policies: [a.yaml, /etc/guardrail/policies]',
        'stateDir: /var/lib/guardrail',
        'listen: "0.0.0.0:9000"',
        'auth: { protectReads: true }',
        'alerts: { alertmanagerUrl: "http://am:9093", resendInterval: 30s }',
        'actuator: { kind: process, process: { command: node, args: [dist/service/main.js], env: { PORT: 8000 } } }',
        'webhook: { dedupWindow: 9h }',
      ].join('\n'),
    );
    const config = loadConfig({ configFile: file, cwd: '/srv/g', env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_LISTEN: '127.0.0.1:8091', GUARDRAIL_WEBHOOK_URL: 'https://hooks.example/x' } });
    expect(config.prometheus).toEqual({ url: 'http://prom:9090', timeoutMs: 3000, groupQueries: false });
    // The variable turns it back on over the file.
    expect(loadConfig({ configFile: file, cwd: '/srv/g', env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_PROMETHEUS_GROUP_QUERIES: 'true' } }).prometheus.groupQueries).toBe(true);
    expect(config.policies).toEqual(['/srv/g/a.yaml', '/etc/guardrail/policies']);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8091 });
    expect(config.auth.protectReads).toBe(true);
    expect(config.alerts).toEqual({ alertmanagerUrl: 'http://am:9093', webhookUrl: 'https://hooks.example/x', resendIntervalMs: 30_000 });
    expect(config.actuator).toEqual({ kind: 'process', process: { command: 'node', args: ['dist/service/main.js'], env: { PORT: '8000' }, stdio: 'inherit' } });
    expect(config.webhookDedupWindowMs).toBe(9 * 3_600_000);
    expect(loadConfig({ configFile: file, env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_WEBHOOK_DEDUP_WINDOW: '12h' } }).webhookDedupWindowMs).toBe(12 * 3_600_000);
  });

  it('the process command from GUARDRAIL_PROCESS_COMMAND is split on spaces', () => {
    const config = loadConfig({ env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_ACTUATOR: 'process', GUARDRAIL_PROCESS_COMMAND: 'node dist/service/main.js --flag' } });
    expect(config.actuator.process).toMatchObject({ command: 'node', args: ['dist/service/main.js', '--flag'] });
  });

  it('tokens from files (first line), and both forms at once is an error', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    expect(loadConfig({ env: { GUARDRAIL_TOKEN_FILE: tokenFile } }).auth.token).toBe(TOKEN);
    expect(problemsOf(() => loadConfig({ env: { GUARDRAIL_TOKEN_FILE: tokenFile, GUARDRAIL_TOKEN: TOKEN } }))).toEqual([
      'GUARDRAIL_TOKEN and GUARDRAIL_TOKEN_FILE are both set: use one',
    ]);
  });

  it('Alertmanager basic auth: user and password (or its file) together, never one alone', async () => {
    const passwordFile = join(dir, 'am-password');
    await writeFile(passwordFile, 'am-secret\n');
    const env = { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_ALERTMANAGER_URL: 'http://am:9093' };
    expect(loadConfig({ env: { ...env, GUARDRAIL_ALERTMANAGER_USERNAME: 'controller', GUARDRAIL_ALERTMANAGER_PASSWORD_FILE: passwordFile } }).alerts).toEqual({
      alertmanagerUrl: 'http://am:9093',
      alertmanagerUsername: 'controller',
      alertmanagerPassword: 'am-secret',
      resendIntervalMs: 60_000,
    });
    const oneOnly = 'Alertmanager basic auth needs both GUARDRAIL_ALERTMANAGER_USERNAME and GUARDRAIL_ALERTMANAGER_PASSWORD(_FILE), or neither';
    expect(problemsOf(() => loadConfig({ env: { ...env, GUARDRAIL_ALERTMANAGER_USERNAME: 'controller' } }))).toEqual([oneOnly]);
    expect(problemsOf(() => loadConfig({ env: { ...env, GUARDRAIL_ALERTMANAGER_PASSWORD: 'x' } }))).toEqual([oneOnly]);
  });

  it('lists every problem at once, naming where each value came from', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          GUARDRAIL_TOKEN: 'short',
          GUARDRAIL_PROMETHEUS_URL: 'prometheus:9090',
          GUARDRAIL_LISTEN: '8090',
          GUARDRAIL_ACTUATOR: 'kubernetes',
          GUARDRAIL_TICK_TIMEOUT: 'soon',
          GUARDRAIL_LOG_LEVEL: 'loud',
          GUARDRAIL_TOKEN_FILE: undefined,
        },
      }),
    );
    expect(problems).toEqual([
      'GUARDRAIL_TOKEN: must be at least 16 characters',
      'GUARDRAIL_LOG_LEVEL / logLevel: "loud" must be one of trace, debug, info, warn, error, fatal',
      'GUARDRAIL_PROMETHEUS_URL: "prometheus:9090" is not an http(s) URL',
      'GUARDRAIL_LISTEN / listen: "8090" is not host:port (e.g. 127.0.0.1:8090)',
      'GUARDRAIL_ACTUATOR / actuator.kind: "kubernetes" must be docker or process',
      'GUARDRAIL_TICK_TIMEOUT: "soon" is not a positive duration (e.g. 2s, 500ms, 1m)',
    ]);
  });

  it('no token, a process actuator without command, and a webhook token equal to the API token', () => {
    expect(problemsOf(() => loadConfig({ env: { GUARDRAIL_ACTUATOR: 'process' } }))).toEqual([
      'an API token is required: set GUARDRAIL_TOKEN or GUARDRAIL_TOKEN_FILE (at least 16 characters)',
      'the process actuator needs a command: GUARDRAIL_PROCESS_COMMAND or actuator.process.command',
    ]);
    expect(problemsOf(() => loadConfig({ env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_WEBHOOK_TOKEN: TOKEN } }))).toEqual([
      'GUARDRAIL_WEBHOOK_TOKEN must differ from GUARDRAIL_TOKEN',
    ]);
  });

  it('GUARDRAIL_DASHBOARD_PUBLIC opens the dashboard data, and is refused together with GUARDRAIL_PROTECT_READS', () => {
    expect(loadConfig({ env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_DASHBOARD_PUBLIC: 'true' } }).auth).toEqual({ token: TOKEN, protectReads: false, dashboardPublic: true });
    expect(problemsOf(() => loadConfig({ env: { GUARDRAIL_TOKEN: TOKEN, GUARDRAIL_DASHBOARD_PUBLIC: 'true', GUARDRAIL_PROTECT_READS: 'true' } }))).toEqual([
      'GUARDRAIL_DASHBOARD_PUBLIC=true contradicts GUARDRAIL_PROTECT_READS=true: the dashboard would show without a token what the API protects',
    ]);
  });

  it('a config file that is not a mapping or not YAML', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, '- a\n- b\n');
    expect(problemsOf(() => loadConfig({ configFile: bad, env: { GUARDRAIL_TOKEN: TOKEN } }))[0]).toMatch(/must be a mapping/);
    await writeFile(bad, 'a: [\n');
    expect(problemsOf(() => loadConfig({ configFile: bad, env: { GUARDRAIL_TOKEN: TOKEN } }))[0]).toMatch(/not valid YAML/);
    expect(problemsOf(() => loadConfig({ configFile: join(dir, 'missing.yaml') }))[0]).toMatch(/cannot read/);
  });
});
