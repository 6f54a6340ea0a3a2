import type { ServiceSpec, VariantValue } from '../core/index.js';
import { isActuationError, type ActuationStep, type Actuator, type SwitchResult } from '../ports/actuator.js';

// Switches every service of one policy target, in order. They must change together (the API and the
// stream consumer must agree on the model), so when one fails the ones already switched are switched
// back to the value they had, and the whole switch is reported as failed.

export interface SwitchAllRequest {
  readonly actuator: Actuator;
  readonly services: readonly ServiceSpec[];
  readonly value: VariantValue;
  readonly rollbackId: string;
  readonly onStep?: (step: ActuationStep) => Promise<void>;
}

export interface SwitchAllSuccess {
  readonly ok: true;
  readonly results: readonly SwitchResult[];
}

export interface SwitchAllFailure {
  readonly ok: false;
  /** One line for the engine, the journal and the alert. */
  readonly error: string;
  /** True when every service serves its previous value again (the failed one restored by its actuator). */
  readonly restored: boolean;
}

export type SwitchAllOutcome = SwitchAllSuccess | SwitchAllFailure;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function switchAll(request: SwitchAllRequest): Promise<SwitchAllOutcome> {
  const done: SwitchResult[] = [];
  for (const service of request.services) {
    try {
      const base = { service, value: request.value, rollbackId: request.rollbackId };
      done.push(await request.actuator.switchVariant(request.onStep === undefined ? base : { ...base, onStep: request.onStep }));
    } catch (error) {
      const restoredHere = isActuationError(error) ? error.restored : false;
      const undo = await undoSwitched(request, done);
      const undoNote = undo.length === 0 ? '' : `; switching back ${undo.join('; ')}`;
      return {
        ok: false,
        error: `${service.name}: ${messageOf(error)}${undoNote}`,
        restored: restoredHere && undo.every((u) => u.endsWith('ok')),
      };
    }
  }
  return { ok: true, results: done };
}

/** Switches the already-switched services back (newest first); returns a note per service. */
async function undoSwitched(request: SwitchAllRequest, done: readonly SwitchResult[]): Promise<string[]> {
  const notes: string[] = [];
  for (const result of [...done].reverse()) {
    const service = request.services.find((s) => s.name === result.target);
    if (service === undefined || result.noop) continue;
    try {
      await request.actuator.switchVariant({ service, value: result.fromValue, rollbackId: `${request.rollbackId}-undo` });
      notes.push(`${result.target} ok`);
    } catch (error) {
      notes.push(`${result.target} FAILED: ${messageOf(error)}`);
    }
  }
  return notes;
}
