// The steps of one Swarm switch, each handed to the runtime's journal hook (SwitchRequest.onStep) once done.
import type { ActuationStep, StepName, SwitchRequest } from '../../ports/actuator.js';
import type { Clock } from '../../ports/clock.js';

export class StepJournal {
  readonly steps: ActuationStep[] = [];
  private readonly clock: Clock;
  private readonly target: string;
  private readonly request: Pick<SwitchRequest, 'rollbackId' | 'onStep'>;

  constructor(clock: Clock, target: string, request: Pick<SwitchRequest, 'rollbackId' | 'onStep'>) {
    this.clock = clock;
    this.target = target;
    this.request = request;
  }

  /** Records the step and awaits the hook; a hook that throws fails the switch (it is then rolled back). */
  async record(name: StepName, detail: Record<string, string>): Promise<void> {
    const step: ActuationStep = {
      name,
      target: this.target,
      rollbackId: this.request.rollbackId,
      atMs: this.clock.now(),
      detail,
    };
    this.steps.push(step);
    await this.request.onStep?.(step);
  }

  /** While rolling back: a failing hook must not stop the rollback; the step is kept in the result anyway. */
  async recordDuringRollback(name: StepName, detail: Record<string, string>): Promise<void> {
    await this.record(name, detail).catch(() => undefined);
  }

  last(): StepName | undefined {
    return this.steps.at(-1)?.name;
  }
}
