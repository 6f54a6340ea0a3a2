import type { ServiceSpec } from '../../../controller/core/index.js';
import type { ActuationStep, Actuator, InspectOptions, JournalEntry, ReconcileResult, StandbyReport, SwitchRequest, SwitchResult, ServiceState } from '../../../controller/ports/actuator.js';

// Wraps the real actuator and notes when the runtime called it (the rollback decision has been taken and
// journaled by then), when the new variant was verified serving, and when the switch returned; keeps every
// switch step with its detail (`created-new` says `fromStandby: 'true'` when a warm standby took over) and
// every standby report. maintainStandby is forwarded: it is an optional Actuator method, so a wrapper
// without it would silently turn the runtime's standby upkeep off.

export interface SwitchTimes {
  readonly calledAt: number;
  verifiedAt?: number;
  doneAt?: number;
  error?: string;
}

export interface TimedStandbyReport extends StandbyReport {
  /** When maintainStandby returned (epoch ms). */
  readonly at: number;
}

export class RecordingActuator implements Actuator {
  readonly switches: SwitchTimes[] = [];
  /** The steps of every switch, in order. */
  readonly steps: ActuationStep[] = [];
  /** Every maintainStandby report, in order (the runtime calls it after its ticks). */
  readonly standbyReports: TimedStandbyReport[] = [];
  private readonly inner: Actuator;

  constructor(inner: Actuator) {
    this.inner = inner;
  }

  async switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    const times: SwitchTimes = { calledAt: Date.now() };
    this.switches.push(times);
    try {
      const result = await this.inner.switchVariant({
        ...request,
        onStep: async (step) => {
          this.steps.push(step);
          if (step.name === 'verified-new') times.verifiedAt = step.atMs;
          await request.onStep?.(step);
        },
      });
      return result;
    } catch (error) {
      times.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      times.doneAt = Date.now();
    }
  }

  inspect(target: ServiceSpec, options?: InspectOptions): Promise<ServiceState> {
    return this.inner.inspect(target, options);
  }

  reconcile(target: ServiceSpec, entry: JournalEntry): Promise<ReconcileResult> {
    return this.inner.reconcile(target, entry);
  }

  async maintainStandby(target: ServiceSpec): Promise<StandbyReport> {
    if (this.inner.maintainStandby === undefined) throw new Error('the wrapped actuator keeps no standbys');
    const report = await this.inner.maintainStandby(target);
    this.standbyReports.push({ ...report, at: Date.now() });
    return report;
  }

  /** True / false once a switch created its new instance; undefined before. */
  fromStandby(): boolean | undefined {
    const created = this.steps.find((s) => s.name === 'created-new');
    return created === undefined ? undefined : created.detail['fromStandby'] === 'true';
  }

  /** The last standby state reported at or before `at`: was the standby ready when the decision came? */
  standbyStateAt(at: number): StandbyReport['state'] | undefined {
    return this.standbyReports.filter((r) => r.at <= at).at(-1)?.state;
  }
}
