// The controller's configuration after validation: what controller/main.ts composes from. Every option
// is documented in docs/configuration.md (file key, environment variable, default).

export type ActuatorKind = 'docker' | 'process';

export interface ProcessActuatorConfig {
  /** The program that serves the target, e.g. `node`. */
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment for the child (PORT ...); the variant variable is set by the actuator. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Where the child's output goes: the controller's own stdout/stderr, or nowhere. */
  readonly stdio?: 'inherit' | 'ignore';
  /** The port of the ML candidate in shadow while rolled back (policy rollforward.shadow); absent: none runs. */
  readonly shadowPort?: number;
}

export interface ControllerConfig {
  readonly prometheus: {
    readonly url: string;
    readonly timeoutMs: number;
    /** Ask queries that differ only in one label's value as one grouped query (docs/adapters.md); loadConfig always sets it. */
    readonly groupQueries?: boolean;
  };
  /** Policy files and/or directories (non-recursive *.yaml). */
  readonly policies: readonly string[];
  /** Holds state.json (engine state + switch intents) and history.jsonl. */
  readonly stateDir: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly auth: {
    readonly token: string;
    readonly webhookToken?: string;
    readonly protectReads: boolean;
    /** The dashboard's data (GET /api/v1/dashboard) without a token; refused together with protectReads. */
    readonly dashboardPublic: boolean;
  };
  readonly alerts: {
    readonly alertmanagerUrl?: string;
    /** Basic auth for an Alertmanager behind `--web.config.file` (the stack's): both or neither. */
    readonly alertmanagerUsername?: string;
    readonly alertmanagerPassword?: string;
    readonly webhookUrl?: string;
    readonly webhookBearerToken?: string;
    readonly resendIntervalMs: number;
  };
  readonly actuator: { readonly kind: ActuatorKind; readonly process?: ProcessActuatorConfig };
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** Deadline of one tick's queries. */
  readonly tickTimeoutMs: number;
  /** Webhook alerts are remembered this long after their last re-send (default 8 h). */
  readonly webhookDedupWindowMs?: number;
}

export const CONFIG_DEFAULTS = {
  prometheusUrl: 'http://127.0.0.1:9090',
  prometheusTimeoutMs: 2_000,
  prometheusGroupQueries: true,
  policies: 'policies',
  stateDir: '.guardrail',
  listen: '127.0.0.1:8090',
  resendIntervalMs: 60_000,
  actuator: 'docker',
  logLevel: 'info',
  tickTimeoutMs: 10_000,
  webhookDedupWindowMs: 8 * 3_600_000,
} as const;

/** A configuration problem, naming where the value came from (file key or environment variable). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}
