// A runtime wired for unit tests of its orchestration: the real engine, policy loader, state file and
// history log (cheap, in a temp dir), with scripted metrics, a recording actuator and a recording alert
// sink, on a hand-driven clock. Ticks are driven by `tickAll()`, not by cron.
import { filePolicySource } from '../../../controller/adapters/policy/index.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { expectedVariant, type Alert, type Sample, type ServiceSpec, type VariantValue } from '../../../controller/core/index.js';
import { ActuationError, type Actuator, type InspectOptions, type JournalEntry, type ReconcileResult, type StandbyReport, type SwitchRequest, type SwitchResult, type ServiceState } from '../../../controller/ports/actuator.js';
import type { AlertSink } from '../../../controller/ports/alert-sink.js';
import type { MetricsSource } from '../../../controller/ports/metrics-source.js';
import { Runtime, type RuntimeOptions } from '../../../controller/runtime/runtime.js';
import { openStorage } from '../../../controller/wiring/storage.js';

const DEMO_POLICY = join(import.meta.dirname, '../../../policies/examples/demo.yaml');

export interface Metrics {
  errorRatio: Sample;
  latency: Sample;
  traffic: Sample;
}

const value = (v: number): Sample => ({ kind: 'value', value: v });

/** Answers by what the PromQL measures; `metrics` is changed by the test between ticks. */
export class ScriptedMetrics implements MetricsSource {
  metrics: Metrics = { errorRatio: value(0), latency: value(0.05), traffic: value(200) };
  /** What `count(ALERTS{alertstate="firing",…})` answers: no_data (no firing series) unless a test sets it. */
  firingAlerts: Sample = { kind: 'unknown', cause: 'no_data', detail: 'empty vector' };
  /** The shadow candidate's metrics: none (no shadow_* series: the gate is UNKNOWN), a good or a failing candidate. */
  shadow: 'none' | 'good' | 'failing' = 'none';
  calls = 0;
  readonly promqls: string[] = [];

  query(promql: string): Promise<Sample> {
    this.calls += 1;
    this.promqls.push(promql);
    if (promql.includes('ALERTS{')) return Promise.resolve(this.firingAlerts);
    if (promql.includes('shadow_')) return Promise.resolve(this.shadowAnswer(promql));
    if (promql.includes('increase(')) return Promise.resolve(this.metrics.traffic);
    if (promql.includes('status_code')) return Promise.resolve(this.metrics.errorRatio);
    if (promql.includes('histogram_quantile')) return Promise.resolve(this.metrics.latency);
    return Promise.resolve(value(0));
  }

  queryAll(promqls: readonly string[]): Promise<Sample[]> {
    return Promise.all(promqls.map((q) => this.query(q)));
  }

  /** The gate's queries (core/gate.ts), and BaselineDiffersFromML's paired comparison (0 when nothing was compared). */
  private shadowAnswer(promql: string): Sample {
    if (promql.includes('agreement="differ"')) return value(0);
    if (this.shadow === 'none') return { kind: 'unknown', cause: 'no_data', detail: 'empty vector' };
    if (promql.includes('increase(')) return value(600);
    if (promql.includes('outcome!="ok"')) return value(this.shadow === 'failing' ? 0.5 : 0);
    if (promql.includes('histogram_quantile')) return value(0.1);
    return value(0.97); // agreement
  }

  isReachable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  errorRatio(v: number): void {
    this.metrics = { ...this.metrics, errorRatio: value(v) };
  }

  blind(): void {
    const unknown: Sample = { kind: 'unknown', cause: 'unreachable', detail: 'connection refused' };
    this.metrics = { errorRatio: unknown, latency: unknown, traffic: unknown };
    this.firingAlerts = unknown;
  }
}

export interface SwitchCall {
  readonly target: string;
  readonly value: VariantValue;
  readonly rollbackId: string;
}

type Behaviour = (request: SwitchRequest) => Promise<void>;

/** Records every call; each switch reports the docker-like steps to onStep. `behaviour` can delay or fail. */
export class RecordingActuator implements Actuator {
  readonly calls: SwitchCall[] = [];
  readonly reconciles: { target: string; entry: JournalEntry }[] = [];
  readonly values = new Map<string, VariantValue>();
  /** Every maintainStandby call, and every switch, in order: `switch <target>` / `standby <target>`. */
  readonly events: string[] = [];
  readonly standbyCalls: ServiceSpec[] = [];
  behaviour: Behaviour = () => Promise.resolve();
  standbyBehaviour: (target: ServiceSpec) => Promise<StandbyReport> = (target) =>
    Promise.resolve({ target: target.name, state: target.warmStandby === undefined ? 'not-needed' : 'ready', detail: 'scripted', actions: [] });

  maintainStandby(target: ServiceSpec): Promise<StandbyReport> {
    this.standbyCalls.push(target);
    this.events.push(`standby ${target.name}`);
    return this.standbyBehaviour(target);
  }

  async switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    const name = request.service.name;
    this.calls.push({ target: name, value: request.value, rollbackId: request.rollbackId });
    this.events.push(`switch ${name}`);
    const from = this.values.get(name) ?? null;
    const step = async (stepName: 'inspected' | 'created-new' | 'verified-new'): Promise<void> =>
      request.onStep?.({ name: stepName, target: name, rollbackId: request.rollbackId, atMs: 0, detail: {} });
    await step('inspected');
    await this.behaviour(request);
    await step('created-new');
    await step('verified-new');
    this.values.set(name, request.value);
    return { target: name, rollbackId: request.rollbackId, containers: [], fromValue: from, toValue: request.value, originalValue: null, noop: from === request.value, degraded: [], durationMs: 1, steps: [] };
  }

  /** What inspect answers: one running container per service, on the value last switched to (absent = null). */
  inspectBehaviour: (target: ServiceSpec, options: InspectOptions) => Promise<ServiceState> = (target, options) => {
    const value = this.values.get(target.name) ?? null;
    const probe = options.probe === true ? { probe: { variant: expectedVariant(value, target.verify), detail: 'ok' } } : {};
    return Promise.resolve({
      target: target.name,
      instances: [{ id: `id-${target.name}`, name: target.name, running: true, value, role: 'current', labels: {}, ...probe }],
    });
  };

  inspect(target: ServiceSpec, options: InspectOptions = {}): Promise<ServiceState> {
    return this.inspectBehaviour(target, options);
  }

  reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    this.reconciles.push({ target: target.name, entry });
    return Promise.resolve({ target: target.name, rollbackId: entry.rollbackId, outcome: 'nothing-to-do', state: { target: target.name, instances: [] } });
  }
}

/** Fails every switch of `target` to `value` (default: any value but the absent one). */
export function failWith(target: string, restored: boolean, value?: VariantValue): Behaviour {
  return (request) =>
    request.service.name === target && (value === undefined ? request.value !== null : request.value === value)
      ? Promise.reject(new ActuationError({ target, step: 'verified-new', restored, message: 'health check never passed' }))
      : Promise.resolve();
}

export class RecordingSink implements AlertSink {
  readonly name: string;
  readonly alerts: Alert[] = [];
  failing = false;

  constructor(name = 'recording') {
    this.name = name;
  }

  send(alert: Alert): Promise<void> {
    if (this.failing) return Promise.reject(new Error('receiver down'));
    this.alerts.push(alert);
    return Promise.resolve();
  }

  names(): string[] {
    return this.alerts.map((a) => `${a.name}${a.resolvedAtMs === undefined ? '' : ':resolved'}`);
  }
}

export interface Harness {
  readonly dir: string;
  readonly policiesDir: string;
  readonly stateDir: string;
  readonly metrics: ScriptedMetrics;
  readonly actuator: RecordingActuator;
  readonly sink: RecordingSink;
  clock: number;
  runtime: Runtime;
  /** Advances the clock by the demo policy's 2 s interval and runs one tick of every policy. */
  tick(): Promise<void>;
  /** A new Runtime on the same state dir (a controller restart); the old one is abandoned, like a crash. */
  restart(overrides?: Partial<RuntimeOptions>): Promise<Runtime>;
  cleanup(): Promise<void>;
}

/** Writes the demo policy (optionally edited) and starts a runtime on it. */
export async function createHarness(editPolicy: (yaml: string) => string = (y) => y): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-runtime-unit-'));
  const policiesDir = join(dir, 'policies');
  const stateDir = join(dir, 'state');
  await mkdir(policiesDir);
  await writeFile(join(policiesDir, 'demo.yaml'), editPolicy(await readFile(DEMO_POLICY, 'utf8')));
  const metrics = new ScriptedMetrics();
  const actuator = new RecordingActuator();
  const sink = new RecordingSink();
  const logger = pino({ level: 'silent' });
  const harness: Harness = {
    dir,
    policiesDir,
    stateDir,
    metrics,
    actuator,
    sink,
    clock: Date.parse('2026-11-27T10:00:00Z'),
    runtime: undefined as unknown as Runtime,
    async tick() {
      harness.clock += 2_000;
      await harness.runtime.tickAll();
      await harness.runtime.idle();
    },
    async restart(overrides = {}) {
      const { store, history } = await openStorage(stateDir);
      const runtime = new Runtime({
        policyPaths: [policiesDir],
        policySource: filePolicySource,
        metricsSource: metrics,
        actuator,
        sinks: [sink],
        store,
        history,
        logger,
        now: () => harness.clock,
        schedule: false,
        watch: false,
        ...overrides,
      });
      harness.runtime = runtime;
      await runtime.start();
      await runtime.idle();
      return runtime;
    },
    async cleanup() {
      await harness.runtime.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await harness.restart();
  return harness;
}
