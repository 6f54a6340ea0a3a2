import type {
  ActuationStep,
  Actuator,
  StandbyReport,
  SwitchRequest,
  SwitchResult,
  TargetSpec,
} from '../../../controller/ports/actuator.js';
import { RecordingActuator } from './recording-actuator.js';

// RecordingActuator for a target with a warm standby. Two things the plain one cannot do:
// - forward maintainStandby: it is an optional Actuator method, so a wrapper without it silently turns the
//   runtime's standby upkeep off (the runtime sees an actuator "without standbys");
// - keep every switch step with its detail: `created-new` says `fromStandby: 'true'` when the switch took
//   the standby over instead of creating and booting a container.

export interface TimedStandbyReport extends StandbyReport {
  /** When maintainStandby returned (epoch ms). */
  readonly at: number;
}

export class StandbyRecordingActuator extends RecordingActuator {
  /** The steps of every switch, in order. */
  readonly steps: ActuationStep[] = [];
  /** Every maintainStandby report, in order (the runtime calls it on its ticks). */
  readonly standbyReports: TimedStandbyReport[] = [];
  private readonly standbyInner: Actuator;

  constructor(inner: Actuator) {
    super(inner);
    this.standbyInner = inner;
  }

  override switchVariant(request: SwitchRequest): Promise<SwitchResult> {
    return super.switchVariant({
      ...request,
      onStep: async (step) => {
        this.steps.push(step);
        await request.onStep?.(step);
      },
    });
  }

  async maintainStandby(target: TargetSpec): Promise<StandbyReport> {
    if (this.standbyInner.maintainStandby === undefined)
      throw new Error('the wrapped actuator keeps no standbys');
    const report = await this.standbyInner.maintainStandby(target);
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
