// The process actuator: for the embedded runtime without Docker (the `npm start` demo, fast tests). The
// controller runs the service itself as a child process and switches its variant by restarting it with
// the variable changed: SIGTERM, wait, SIGKILL after a timeout; start; verify /health and /version. If
// the new process fails verification the old environment is started again (restored=true).
// It keeps no orphans: every child is killed when the controller exits (the 'exit' hook) or closes.
import { expectedVariant, type CandidateSpec, type ServiceSpec, type VariantValue } from '../../core/index.js';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { ActuationError, newInstanceVerifySpec, notConfiguredError, restoreVerifySpec } from '../../ports/actuator.js';
import type { ActuationStep, Actuator, CandidateSupport, InspectOptions, InstanceState, JournalEntry, ReconcileResult, StandbyReport, StepName, SwitchRequest, SwitchResult, ServiceState } from '../../ports/actuator.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { probeInstance, waitUntilServing } from '../verify/index.js';
import { isAlive, stopChild } from './child.js';
import { ProcessShadows, servingEnv } from './shadow.js';
import type { ProcessTargetConfig } from './target-config.js';

export type { ProcessTargetConfig } from './target-config.js';

export interface ProcessTarget {
  readonly spec: ServiceSpec;
  readonly process: ProcessTargetConfig;
}

export interface ProcessActuatorOptions {
  /** The grace period before SIGKILL, verification and the step timestamps run on it. Default systemClock. */
  readonly clock?: Clock;
}

type RecordStep = (name: StepName, detail: Record<string, string>) => Promise<void>;

interface Running {
  readonly child: ChildProcess;
  readonly value: VariantValue;
}

export class ProcessActuator implements Actuator {
  private readonly targets: ReadonlyMap<string, ProcessTarget>;
  private readonly running = new Map<string, Running>();
  private readonly clock: Clock;
  private readonly shadows: ProcessShadows;
  /** An operator candidate's environment the ML side (shadow, and serving once promoted) runs, by service. */
  private readonly candidateEnv = new Map<string, Readonly<Record<string, string>>>();
  // Synchronous by necessity: 'exit' listeners cannot await. SIGKILL so nothing outlives us.
  private readonly killAllOnExit = () => {
    for (const { child } of this.running.values()) if (isAlive(child)) child.kill('SIGKILL');
    this.shadows.killAll();
  };

  constructor(targets: readonly ProcessTarget[], options: ProcessActuatorOptions = {}) {
    this.targets = new Map(targets.map((t) => [t.spec.name, t]));
    this.clock = options.clock ?? systemClock;
    this.shadows = new ProcessShadows(this.clock);
    process.on('exit', this.killAllOnExit);
  }

  /** The ML candidate beside the serving child while rolled back (shadow.ts), with an operator candidate's environment. */
  async maintainShadow(service: ServiceSpec, wanted: boolean, candidate?: CandidateSpec): Promise<StandbyReport> {
    const target = this.configured(service.name);
    const running = this.running.get(service.name);
    this.adoptCandidate(service, candidate);
    const serving = running !== undefined && isAlive(running.child) ? running.value : undefined;
    return this.shadows.maintain(target.spec, target.process, serving, wanted, this.candidateEnv.get(service.name));
  }

  /**
   * The candidate the ML side runs, as the controller's state records it: children die with the controller,
   * so after a restart the serving child (started next) runs it again, not only after the next switch.
   */
  adoptCandidate(service: ServiceSpec, candidate: CandidateSpec | undefined): void {
    this.configured(service.name);
    if (candidate === undefined) this.candidateEnv.delete(service.name);
    else this.candidateEnv.set(service.name, candidate.env);
  }

  /** A child runs the configured command: a candidate's environment, never an image. */
  candidateSupport(service: ServiceSpec): CandidateSupport {
    this.configured(service.name);
    return { image: false, env: true, detail: 'the process actuator runs its configured command, not an image' };
  }

  /** Starts a target with its configured environment (the original value) and waits until it serves. */
  async start(targetName: string): Promise<InstanceState> {
    const target = this.configured(targetName);
    const current = this.running.get(targetName);
    if (current && isAlive(current.child)) return this.describe(target, current);
    const value = target.process.env[target.spec.variable] ?? null;
    const started = await this.spawnVerified(target, value);
    return this.describe(target, started);
  }

  async switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    const target = this.configured(request.service.name);
    const spec = target.spec;
    const startedAt = this.clock.now();
    const steps: ActuationStep[] = [];
    const record = async (name: StepName, detail: Record<string, string>) => {
      const step: ActuationStep = {
        name,
        target: spec.name,
        rollbackId: request.rollbackId,
        atMs: this.clock.now(),
        detail,
      };
      steps.push(step);
      await request.onStep?.(step);
    };
    const originalValue = target.process.env[spec.variable] ?? null;
    const old = this.running.get(spec.name);
    if (!old || !isAlive(old.child)) {
      throw new ActuationError({
        code: 'GR_ERR_TARGET_NOT_FOUND',
        target: spec.name,
        step: 'precondition',
        restored: true,
        message: 'the service process is not running (call start() first)',
      });
    }
    await record('inspected', { pid: String(old.child.pid) });
    if (request.candidate !== undefined && request.value === spec.shadow?.value) this.candidateEnv.set(spec.name, request.candidate.env);
    const noop = old.value === request.value;
    let degraded: string[] = [];
    if (noop) await record('noop', { value: String(request.value) });
    else degraded = await this.restartWith(target, request, old, record);
    return {
      target: spec.name,
      rollbackId: request.rollbackId,
      containers: [{ id: String(this.running.get(spec.name)?.child.pid), name: spec.name }],
      fromValue: old.value,
      toValue: request.value,
      originalValue,
      noop,
      degraded,
      durationMs: this.clock.now() - startedAt,
      steps,
    };
  }

  /** stopped-old, started-new, verified-new; if any fails, the old value is started again (restored). */
  private async restartWith(target: ProcessTarget, request: SwitchRequest, old: Running, record: RecordStep): Promise<string[]> {
    const spec = target.spec;
    let step: StepName = 'stopped-old';
    try {
      await this.stop(spec.name, target);
      await record(step, { pid: String(old.child.pid) });
      step = 'started-new';
      const fresh = this.spawn(target, request.value);
      await record(step, { pid: String(fresh.child.pid) });
      step = 'verified-new';
      const health = await this.verify(target, fresh, 'switch', request.accept ?? 'healthy');
      const variant = expectedVariant(request.value, spec.verify);
      await record(step, { pid: String(fresh.child.pid), variant, health });
      return health === 'ok' ? [] : [`${spec.name}: serves ${variant}, but ${health}`];
    } catch (cause) {
      const restored = await this.restore(target, old, record);
      throw new ActuationError({
        target: spec.name,
        step,
        restored,
        message: `switch to ${spec.variable}=${String(request.value)} failed at ${step}: ${
          cause instanceof Error ? cause.message : String(cause)
        }; previous process ${restored ? 'restored' : 'NOT restored'}`,
        cause,
      });
    }
  }

  /** Stops the new process and starts the old value again, verified; false if that failed too. */
  private async restore(target: ProcessTarget, old: Running, record: RecordStep): Promise<boolean> {
    try {
      await this.stop(target.spec.name, target);
      await record('removed-new', {});
      const back = await this.spawnVerified(target, old.value, 'restore');
      await record('restored-old', { pid: String(back.child.pid) });
      return true;
    } catch {
      return false;
    }
  }

  async inspect(target: ServiceSpec, options: InspectOptions = {}): Promise<ServiceState> {
    const known = this.configured(target.name);
    const current = this.running.get(target.name);
    if (!current) return { target: target.name, instances: [] };
    const described = this.describe(known, current);
    if (options.probe !== true || !described.running) return { target: target.name, instances: [described] };
    const probe = await probeInstance([`http://127.0.0.1:${known.spec.verify.port}`], known.spec.verify, this.clock);
    return { target: target.name, instances: [{ ...described, probe }] };
  }

  /**
   * A process does not survive its controller, so an interrupted switch leaves nothing running: start the
   * value the switch was setting; if that fails, start the configured (original) environment.
   */
  async reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    const known = this.configured(target.name);
    const current = this.running.get(target.name);
    const done = async (outcome: ReconcileResult['outcome']): Promise<ReconcileResult> => ({
      target: target.name,
      rollbackId: entry.rollbackId,
      outcome,
      state: await this.inspect(target),
    });
    if (current && isAlive(current.child)) return done('nothing-to-do');
    if (entry.candidate !== undefined && entry.value === known.spec.shadow?.value) this.adoptCandidate(target, entry.candidate);
    try {
      await this.spawnVerified(known, entry.value);
      return await done('finished');
    } catch {
      await this.stop(target.name, known);
      await this.spawnVerified(known, known.process.env[known.spec.variable] ?? null, 'restore');
      return done('undone');
    }
  }

  /** Stops every child gracefully and forgets the exit hook. */
  async close(): Promise<void> {
    await this.shadows.close();
    for (const [name, target] of this.targets) await this.stop(name, target);
    process.off('exit', this.killAllOnExit);
  }

  private spawn(target: ProcessTarget, value: VariantValue): Running {
    const candidate = value === target.spec.shadow?.value ? this.candidateEnv.get(target.spec.name) : undefined;
    const env = { ...servingEnv(target.process, target.spec, value), ...candidate };
    const child = spawn(target.process.command, [...target.process.args], {
      env,
      stdio: ['ignore', target.process.stdio ?? 'inherit', target.process.stdio ?? 'inherit'],
      ...(target.process.cwd !== undefined ? { cwd: target.process.cwd } : {}),
    });
    child.on('error', () => undefined); // a spawn failure shows as an exit during verification
    const running = { child, value };
    this.running.set(target.spec.name, running);
    return running;
  }

  private async spawnVerified(
    target: ProcessTarget,
    value: VariantValue,
    purpose: 'restore' | 'start' = 'start',
  ): Promise<Running> {
    const running = this.spawn(target, value);
    try {
      await this.verify(target, running, purpose);
      return running;
    } catch (error) {
      await this.stop(target.spec.name, target);
      throw error;
    }
  }

  private async verify(
    target: ProcessTarget,
    running: Running,
    purpose: 'switch' | 'restore' | 'start' = 'switch',
    accept: 'healthy' | 'serving' = purpose === 'restore' ? 'serving' : 'healthy',
  ): Promise<string> {
    const spec = target.spec.verify;
    const verify = purpose === 'restore' ? restoreVerifySpec(spec) : purpose === 'switch' ? newInstanceVerifySpec(spec) : spec;
    const verified = await waitUntilServing({
      verify,
      expectedVariant: expectedVariant(running.value, verify),
      baseUrls: async () => [`http://127.0.0.1:${verify.port}`],
      problem: async () =>
        isAlive(running.child)
          ? undefined
          : `process exited (code ${String(running.child.exitCode)}, signal ${String(running.child.signalCode)})`,
      clock: this.clock,
      accept,
    });
    return verified.health;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  private async stop(name: string, target: ProcessTarget): Promise<void> {
    const current = this.running.get(name);
    if (!current) return;
    this.running.delete(name);
    await stopChild(current.child, target.process.stopTimeoutMs ?? 5000, this.clock);
  }

  private describe(target: ProcessTarget, running: Running): InstanceState {
    return {
      id: String(running.child.pid),
      name: target.spec.name,
      running: isAlive(running.child),
      value: running.value,
      role: 'current',
      labels: {},
    };
  }

  private configured(name: string): ProcessTarget {
    const target = this.targets.get(name);
    if (!target) throw notConfiguredError(name);
    return target;
  }
}
