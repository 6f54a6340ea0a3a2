// The process actuator's shadow candidate (ServiceSpec.shadow, for the demo and tests without Docker): while
// the service runs its rollback value, a second child runs the normal value (the ML model) on the
// configured shadow port, and the serving child mirrors to it (SHADOW_URL=http://127.0.0.1:<shadowPort>,
// set at its spawn). Level-triggered like the Docker candidate (adapters/docker/shadow.ts): started when
// wanted, probed, restarted when the environment it was started with changed (the demo's `--clear` removes
// the fault from it: the next candidate is the fixed one), left dead for SHADOW_RETRY_MS when it exits (a
// model that will not load: reported `failed`), stopped when not wanted. It never takes over the serving
// port: a roll-forward restarts the serving child as usual, and the candidate is stopped afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { expectedVariant, type ServiceSpec, type VariantValue } from '../../core/index.js';
import type { StandbyReport } from '../../ports/actuator.js';
import type { Clock } from '../../ports/clock.js';
import { probeInstance } from '../verify/index.js';
import { isAlive as alive, stopChild } from './child.js';
import type { ProcessTargetConfig } from './target-config.js';

/** How long a candidate that exited is left before it is started again. */
export const SHADOW_RETRY_MS = 60_000;
const SHADOW_VARIABLES = ['SHADOW_URL', 'SHADOW_SHARE', 'SHADOW_TIMEOUT_MS'] as const;

/**
 * The environment of the serving child for `value`: the variable, and with a shadow where to mirror (or,
 * for the candidate's own value or without a shadow port, not). Without a shadow the variables are left alone.
 */
export function servingEnv(config: ProcessTargetConfig, spec: ServiceSpec, value: VariantValue): Record<string, string> {
  const env: Record<string, string> = { ...config.env };
  if (value === null) delete env[spec.variable];
  else env[spec.variable] = value;
  const shadow = spec.shadow;
  if (shadow === undefined) return env;
  for (const name of SHADOW_VARIABLES) delete env[name];
  if (config.shadowPort !== undefined && value !== shadow.value) {
    Object.assign(env, { SHADOW_URL: `http://127.0.0.1:${config.shadowPort}`, SHADOW_SHARE: String(shadow.share), SHADOW_TIMEOUT_MS: String(shadow.timeoutMs) });
  }
  return env;
}

interface Candidate {
  readonly child: ChildProcess;
  /** The environment it was started with, to notice a changed one. */
  readonly envKey: string;
  endedAtMs?: number;
}

export class ProcessShadows {
  private readonly candidates = new Map<string, Candidate>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Converges the candidate of `spec`; `servingValue` is what the serving child runs (undefined: none runs). */
  async maintain(spec: ServiceSpec, config: ProcessTargetConfig, servingValue: VariantValue | undefined, wanted: boolean, candidateEnv: Readonly<Record<string, string>> = {}): Promise<StandbyReport> {
    const report = (state: StandbyReport['state'], detail: string, actions: string[] = []): StandbyReport => ({ target: spec.name, state, detail, actions, ...this.instance(spec) });
    const shadow = spec.shadow;
    const unwanted =
      shadow === undefined ? 'no shadow configured' : !wanted ? 'the candidate runs only while the target is rolled back' : servingValue === shadow.value ? 'the service already runs the candidate\'s value' : undefined;
    if (shadow === undefined || unwanted !== undefined) return { ...report('not-needed', unwanted ?? ''), actions: await this.stopped(spec.name) };
    // A configuration gap, not a failing candidate: shown in status, not alerted (the evidence stays UNKNOWN).
    if (config.shadowPort === undefined) return report('waiting', 'no shadow port configured for the process actuator (actuator.process.shadowPort): no candidate runs');
    if (servingValue === undefined) return report('waiting', 'the service is not running');
    const env = { ...servingEnv(config, spec, shadow.value), ...candidateEnv, PORT: String(config.shadowPort) };
    const envKey = JSON.stringify(env);
    const kept = this.candidates.get(spec.name);
    const actions: string[] = [];
    if (kept !== undefined && kept.envKey !== envKey) actions.push(...(await this.stopped(spec.name, 'removed-stale')));
    else if (kept !== undefined && !alive(kept.child)) {
      kept.endedAtMs ??= this.clock.now();
      const why = `exited (code ${String(kept.child.exitCode)}, signal ${String(kept.child.signalCode)})`;
      if (this.clock.now() - kept.endedAtMs < SHADOW_RETRY_MS) return report('failed', `${why}; started again ${SHADOW_RETRY_MS / 1000} s after it ended`);
      actions.push(...(await this.stopped(spec.name, 'removed-dead')));
    } else if (kept !== undefined) {
      const probe = await probeInstance([`http://127.0.0.1:${config.shadowPort}`], { ...spec.verify, timeoutMs: 1_000 }, this.clock);
      const variant = expectedVariant(shadow.value, spec.verify);
      return probe.variant === variant && probe.detail === 'ok' ? report('ready', `serves ${variant} on 127.0.0.1:${config.shadowPort}`) : report('starting', probe.detail);
    }
    this.start(spec.name, config, env, envKey);
    return report('starting', `started on 127.0.0.1:${config.shadowPort}`, [...actions, `created ${spec.name} candidate`]);
  }

  /** Stops every candidate (the actuator's close). */
  async close(): Promise<void> {
    for (const name of [...this.candidates.keys()]) await this.stopped(name);
  }

  /** Kills every candidate at once (the process 'exit' hook: it cannot wait). */
  killAll(): void {
    for (const { child } of this.candidates.values()) if (alive(child)) child.kill('SIGKILL');
  }

  private instance(spec: ServiceSpec): Partial<Pick<StandbyReport, 'instance'>> {
    const pid = this.candidates.get(spec.name)?.child.pid;
    return pid === undefined ? {} : { instance: { id: String(pid), name: `${spec.name} candidate (pid ${pid})` } };
  }

  private start(name: string, config: ProcessTargetConfig, env: Record<string, string>, envKey: string): void {
    const child = spawn(config.command, [...config.args], {
      env,
      stdio: ['ignore', config.stdio ?? 'inherit', config.stdio ?? 'inherit'],
      ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
    });
    child.on('error', () => undefined); // a spawn failure shows as an exit at the next look
    this.candidates.set(name, { child, envKey });
  }

  /** Stops the candidate (SIGTERM, SIGKILL after 5 s); the action it took, if any. */
  private async stopped(name: string, action = 'removed'): Promise<string[]> {
    const candidate = this.candidates.get(name);
    if (candidate === undefined) return [];
    this.candidates.delete(name);
    await stopChild(candidate.child, 5_000, this.clock);
    return [`${action} ${name} candidate`];
  }
}
