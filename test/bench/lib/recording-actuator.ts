import type { Actuator, JournalEntry, ReconcileResult, SwitchRequest, SwitchResult, TargetSpec, TargetState } from '../../../controller/ports/actuator.js';

// Wraps the real actuator and notes when the runtime called it (the rollback decision has been taken and
// journaled by then), when the new variant was verified serving, and when the switch returned.

export interface SwitchTimes {
  readonly calledAt: number;
  verifiedAt?: number;
  doneAt?: number;
  error?: string;
}

export class RecordingActuator implements Actuator {
  readonly switches: SwitchTimes[] = [];
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

  inspect(target: TargetSpec): Promise<TargetState> {
    return this.inner.inspect(target);
  }

  reconcile(target: TargetSpec, entry: JournalEntry): Promise<ReconcileResult> {
    return this.inner.reconcile(target, entry);
  }
}
