import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from './core/duration.js';
import { CONFIG_DEFAULTS, ConfigError, type ActuatorKind, type ControllerConfig, type ProcessActuatorConfig } from './config-schema.js';

export { CONFIG_DEFAULTS, ConfigError, type ControllerConfig, type ProcessActuatorConfig } from './config-schema.js';

// Reads the controller's configuration: an optional YAML/JSON file (`--config`), then environment
// overrides (GUARDRAIL_*), validated ONCE at startup with every problem listed, so a typo stops the
// daemon before it acts, not an hour later. Secrets can come from files (GUARDRAIL_TOKEN_FILE).

type Env = Readonly<Record<string, string | undefined>>;
type Raw = Record<string, unknown>;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

class Reader {
  readonly problems: string[] = [];
  private readonly file: Raw;
  private readonly env: Env;
  readonly baseDir: string;

  constructor(file: Raw, env: Env, baseDir: string) {
    this.file = file;
    this.env = env;
    this.baseDir = baseDir;
  }

  /** The env variable if set (non-empty), else the file key (dotted path). Returns [value, where]. */
  pick(envName: string | undefined, path: string): [unknown, string] {
    const fromEnv = envName === undefined ? undefined : this.env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, envName ?? path];
    let value: unknown = this.file;
    for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Raw)[key] : undefined;
    return [value, `${path} (config file)`];
  }

  string(envName: string | undefined, path: string): string | undefined {
    const [value, where] = this.pick(envName, path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      this.problems.push(`${where}: must be a non-empty string`);
      return undefined;
    }
    return value.trim();
  }

  url(envName: string | undefined, path: string): string | undefined {
    const text = this.string(envName, path);
    if (text === undefined) return undefined;
    try {
      const url = new URL(text);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      return text.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${envName ?? path}: "${text}" is not an http(s) URL`);
      return undefined;
    }
  }

  durationMs(envName: string | undefined, path: string, fallback: number): number {
    const [value, where] = this.pick(envName, path);
    if (value === undefined || value === null) return fallback;
    const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value.trim()) : undefined;
    if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
      this.problems.push(`${where}: "${String(value)}" is not a positive duration (e.g. 2s, 500ms, 1m)`);
      return fallback;
    }
    return ms;
  }

  boolean(envName: string | undefined, path: string, fallback: boolean): boolean {
    const [value, where] = this.pick(envName, path);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    this.problems.push(`${where}: must be true or false`);
    return fallback;
  }

  path(text: string): string {
    return isAbsolute(text) ? text : resolve(this.baseDir, text);
  }

  /** A secret given directly (env/file key) or through a file whose first line is the secret. */
  secret(envName: string, path: string, fileEnvName: string, filePath: string): string | undefined {
    const direct = this.string(envName, path);
    const fromFile = this.string(fileEnvName, filePath);
    if (direct !== undefined && fromFile !== undefined) {
      this.problems.push(`${envName} and ${fileEnvName} are both set: use one`);
      return direct;
    }
    if (fromFile === undefined) return direct;
    try {
      const text = readFileSync(this.path(fromFile), 'utf8').split(/\r?\n/)[0]?.trim() ?? '';
      if (text === '') this.problems.push(`${fileEnvName}: ${fromFile} is empty`);
      return text === '' ? undefined : text;
    } catch (error) {
      this.problems.push(`${fileEnvName}: cannot read ${fromFile} (${error instanceof Error ? error.message : String(error)})`);
      return undefined;
    }
  }
}

function parseListen(reader: Reader): { host: string; port: number } {
  const text = reader.string('GUARDRAIL_LISTEN', 'listen') ?? CONFIG_DEFAULTS.listen;
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port < 0 || port > 65_535) {
    reader.problems.push(`GUARDRAIL_LISTEN / listen: "${text}" is not host:port (e.g. 127.0.0.1:8090)`);
    return { host: '127.0.0.1', port: 8090 };
  }
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

function parsePolicies(reader: Reader): string[] {
  const [value, where] = reader.pick('GUARDRAIL_POLICIES_DIR', 'policies');
  if (value === undefined || value === null) return [reader.path(CONFIG_DEFAULTS.policies)];
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
  if (!list.every((p): p is string => typeof p === 'string' && p.trim() !== '')) {
    reader.problems.push(`${where}: must be a path or a list of paths`);
    return [];
  }
  return list.map((p) => reader.path(p.trim()));
}

function parseProcess(reader: Reader): ProcessActuatorConfig | undefined {
  const commandLine = reader.string('GUARDRAIL_PROCESS_COMMAND', 'actuator.process.command');
  if (commandLine === undefined) return undefined;
  const [argsValue] = reader.pick(undefined, 'actuator.process.args');
  const [envValue] = reader.pick(undefined, 'actuator.process.env');
  // From the environment the command is one line split on spaces; in the file, args are a list.
  const fromEnv = reader.pick('GUARDRAIL_PROCESS_COMMAND', 'actuator.process.command')[1] === 'GUARDRAIL_PROCESS_COMMAND';
  const parts = fromEnv ? commandLine.split(/\s+/) : [commandLine];
  const args = fromEnv ? parts.slice(1) : Array.isArray(argsValue) ? argsValue.map(String) : [];
  const env: Record<string, string> = {};
  if (typeof envValue === 'object' && envValue !== null && !Array.isArray(envValue)) {
    for (const [k, v] of Object.entries(envValue)) env[k] = String(v);
  }
  const cwd = reader.string('GUARDRAIL_PROCESS_CWD', 'actuator.process.cwd');
  const stdio = reader.string('GUARDRAIL_PROCESS_STDIO', 'actuator.process.stdio') ?? 'inherit';
  if (stdio !== 'inherit' && stdio !== 'ignore') reader.problems.push(`GUARDRAIL_PROCESS_STDIO / actuator.process.stdio: "${stdio}" must be inherit or ignore`);
  const shadowText = reader.string('GUARDRAIL_PROCESS_SHADOW_PORT', 'actuator.process.shadowPort');
  const shadowPort = shadowText === undefined ? undefined : Number(shadowText);
  if (shadowPort !== undefined && !(Number.isInteger(shadowPort) && shadowPort >= 1 && shadowPort <= 65_535)) {
    reader.problems.push(`GUARDRAIL_PROCESS_SHADOW_PORT / actuator.process.shadowPort: "${String(shadowText)}" is not a port number`);
  }
  return {
    command: parts[0] ?? commandLine,
    args,
    env,
    stdio: stdio === 'ignore' ? 'ignore' : 'inherit',
    ...(cwd === undefined ? {} : { cwd: reader.path(cwd) }),
    ...(shadowPort === undefined || Number.isNaN(shadowPort) ? {} : { shadowPort }),
  };
}

function parseActuator(reader: Reader): ControllerConfig['actuator'] {
  const kind = reader.string('GUARDRAIL_ACTUATOR', 'actuator.kind') ?? CONFIG_DEFAULTS.actuator;
  if (kind !== 'docker' && kind !== 'process') {
    reader.problems.push(`GUARDRAIL_ACTUATOR / actuator.kind: "${kind}" must be docker or process`);
    return { kind: 'docker' };
  }
  const process = parseProcess(reader);
  if (kind === 'process' && process === undefined) {
    reader.problems.push('the process actuator needs a command: GUARDRAIL_PROCESS_COMMAND or actuator.process.command');
  }
  return process === undefined ? { kind: kind as ActuatorKind } : { kind: kind as ActuatorKind, process };
}

function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`--config ${path}: cannot read (${error instanceof Error ? error.message : String(error)})`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text) as unknown; // YAML is a superset of JSON: one parser for both.
  } catch (error) {
    throw new ConfigError([`--config ${path}: not valid YAML/JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`]);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError([`--config ${path}: must be a mapping of options`]);
  return data as Raw;
}

/** Reads and validates the whole configuration; throws ConfigError listing every problem. */
export function loadConfig(options: { configFile?: string; env?: Env; cwd?: string } = {}): ControllerConfig {
  const env = options.env ?? process.env;
  const file = options.configFile === undefined ? {} : readConfigFile(options.configFile);
  const reader = new Reader(file, env, options.cwd ?? process.cwd());
  const token = reader.secret('GUARDRAIL_TOKEN', 'auth.token', 'GUARDRAIL_TOKEN_FILE', 'auth.tokenFile');
  const webhookToken = reader.secret('GUARDRAIL_WEBHOOK_TOKEN', 'auth.webhookToken', 'GUARDRAIL_WEBHOOK_TOKEN_FILE', 'auth.webhookTokenFile');
  if (token === undefined) reader.problems.push('an API token is required: set GUARDRAIL_TOKEN or GUARDRAIL_TOKEN_FILE (at least 16 characters)');
  else if (token.length < 16) reader.problems.push('GUARDRAIL_TOKEN: must be at least 16 characters');
  const logLevel = reader.string('GUARDRAIL_LOG_LEVEL', 'logLevel') ?? CONFIG_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) reader.problems.push(`GUARDRAIL_LOG_LEVEL / logLevel: "${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  const alertmanagerUrl = reader.url('GUARDRAIL_ALERTMANAGER_URL', 'alerts.alertmanagerUrl');
  const webhookUrl = reader.url('GUARDRAIL_WEBHOOK_URL', 'alerts.webhookUrl');
  const webhookBearerToken = reader.string('GUARDRAIL_WEBHOOK_SINK_TOKEN', 'alerts.webhookBearerToken');
  const alertmanagerUsername = reader.string('GUARDRAIL_ALERTMANAGER_USERNAME', 'alerts.alertmanagerUsername');
  const alertmanagerPassword = reader.secret('GUARDRAIL_ALERTMANAGER_PASSWORD', 'alerts.alertmanagerPassword', 'GUARDRAIL_ALERTMANAGER_PASSWORD_FILE', 'alerts.alertmanagerPasswordFile');
  if ((alertmanagerUsername === undefined) !== (alertmanagerPassword === undefined)) {
    reader.problems.push('Alertmanager basic auth needs both GUARDRAIL_ALERTMANAGER_USERNAME and GUARDRAIL_ALERTMANAGER_PASSWORD(_FILE), or neither');
  }
  if (alertmanagerUsername?.includes(':') === true) reader.problems.push('GUARDRAIL_ALERTMANAGER_USERNAME: a basic-auth user name cannot contain ":"');
  const config: ControllerConfig = {
    prometheus: {
      url: reader.url('GUARDRAIL_PROMETHEUS_URL', 'prometheus.url') ?? CONFIG_DEFAULTS.prometheusUrl,
      timeoutMs: reader.durationMs('GUARDRAIL_PROMETHEUS_TIMEOUT', 'prometheus.timeout', CONFIG_DEFAULTS.prometheusTimeoutMs),
      groupQueries: reader.boolean('GUARDRAIL_PROMETHEUS_GROUP_QUERIES', 'prometheus.groupQueries', CONFIG_DEFAULTS.prometheusGroupQueries),
    },
    policies: parsePolicies(reader),
    stateDir: reader.path(reader.string('GUARDRAIL_STATE_DIR', 'stateDir') ?? CONFIG_DEFAULTS.stateDir),
    listen: parseListen(reader),
    auth: {
      token: token ?? '',
      ...(webhookToken === undefined ? {} : { webhookToken }),
      protectReads: reader.boolean('GUARDRAIL_PROTECT_READS', 'auth.protectReads', false),
      dashboardPublic: reader.boolean('GUARDRAIL_DASHBOARD_PUBLIC', 'auth.dashboardPublic', false),
    },
    alerts: {
      ...(alertmanagerUrl === undefined ? {} : { alertmanagerUrl }),
      ...(alertmanagerUsername === undefined || alertmanagerPassword === undefined ? {} : { alertmanagerUsername, alertmanagerPassword }),
      ...(webhookUrl === undefined ? {} : { webhookUrl }),
      ...(webhookBearerToken === undefined ? {} : { webhookBearerToken }),
      resendIntervalMs: reader.durationMs('GUARDRAIL_ALERT_RESEND_INTERVAL', 'alerts.resendInterval', CONFIG_DEFAULTS.resendIntervalMs),
    },
    actuator: parseActuator(reader),
    logLevel: logLevel as ControllerConfig['logLevel'],
    tickTimeoutMs: reader.durationMs('GUARDRAIL_TICK_TIMEOUT', 'tickTimeout', CONFIG_DEFAULTS.tickTimeoutMs),
    webhookDedupWindowMs: reader.durationMs('GUARDRAIL_WEBHOOK_DEDUP_WINDOW', 'webhook.dedupWindow', CONFIG_DEFAULTS.webhookDedupWindowMs),
  };
  if (config.auth.dashboardPublic && config.auth.protectReads) {
    reader.problems.push('GUARDRAIL_DASHBOARD_PUBLIC=true contradicts GUARDRAIL_PROTECT_READS=true: the dashboard would show without a token what the API protects');
  }
  if (webhookToken !== undefined && webhookToken === token) reader.problems.push('GUARDRAIL_WEBHOOK_TOKEN must differ from GUARDRAIL_TOKEN');
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
