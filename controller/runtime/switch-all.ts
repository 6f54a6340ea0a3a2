import type { CandidateSpec, ServiceOutcome, ServiceSpec, VariantValue } from '../core/index.js';
import { isActuationError, type ActuationStep, type Actuator, type SwitchResult } from '../ports/actuator.js';

// Switches every service of one policy target, in order.
// - A rollback moves toward safety one service at a time: a service that reached the baseline stays
//   there whatever happens to the others, a service that fails is reported with its cause (the engine
//   retries it), and it verifies "serves the baseline", not "are its dependencies up" (accept `serving`:
//   a consumer whose Redis is down still runs the baseline).
// - A roll-forward stays all-or-nothing: the API and the consumer must agree on the model, so when one
//   service cannot verify the normal value, the ones already switched go back to the rollback value.

export interface SwitchAllRequest {
  readonly actuator: Actuator;
  readonly services: readonly ServiceSpec[];
  readonly action: 'rollback' | 'rollforward';
  readonly value: VariantValue;
  readonly rollbackId: string;
  readonly onStep?: (step: ActuationStep) => Promise<void>;
  /** A roll-forward's operator candidate: shadowed services switched to their shadow's value run it (it is promoted). */
  readonly candidate?: CandidateSpec;
}

export interface SwitchAllSuccess {
  readonly ok: true;
  readonly results: readonly SwitchResult[];
  /** Services that serve the value while a dependency is down (`name: why`). */
  readonly degraded: readonly string[];
}

export interface SwitchAllFailure {
  readonly ok: false;
  /** One line for the engine, the journal and the alert. */
  readonly error: string;
  /** True when every service serves its previous value again (the failed one restored by its actuator). */
  readonly restored: boolean;
  /** Where each service stands: on the value or not, and why. */
  readonly services: readonly ServiceOutcome[];
}

export type SwitchAllOutcome = SwitchAllSuccess | SwitchAllFailure;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function switchOne(request: SwitchAllRequest, service: ServiceSpec, value: VariantValue, rollbackId: string): Promise<SwitchResult> {
  const accept = request.action === 'rollback' || value !== request.value ? 'serving' : 'healthy';
  const promotes = request.candidate !== undefined && service.shadow !== undefined && value === service.shadow.value;
  const base = { service, value, rollbackId, accept, ...(promotes ? { candidate: request.candidate } : {}) } as const;
  return request.actuator.switchVariant(request.onStep === undefined ? base : { ...base, onStep: request.onStep });
}

export function switchAll(request: SwitchAllRequest): Promise<SwitchAllOutcome> {
  return request.action === 'rollback' ? switchEach(request) : switchTogether(request);
}

/** Rollback: every service on its own; the outcome names each one that did not get there. */
async function switchEach(request: SwitchAllRequest): Promise<SwitchAllOutcome> {
  const results: SwitchResult[] = [];
  const services: ServiceOutcome[] = [];
  const errors: string[] = [];
  let restored = true;
  for (const service of request.services) {
    try {
      const result = await switchOne(request, service, request.value, request.rollbackId);
      results.push(result);
      const degraded = result.degraded.join('; ');
      services.push({ service: service.name, onValue: true, detail: degraded === '' ? `serves ${String(request.value)}` : degraded });
    } catch (error) {
      restored &&= isActuationError(error) ? error.restored : false;
      errors.push(`${service.name}: ${messageOf(error)}`);
      services.push({ service: service.name, onValue: false, detail: messageOf(error) });
    }
  }
  if (errors.length === 0) return { ok: true, results, degraded: results.flatMap((r) => r.degraded) };
  return { ok: false, error: errors.join('; '), restored, services };
}

/** Roll-forward: all or nothing. */
async function switchTogether(request: SwitchAllRequest): Promise<SwitchAllOutcome> {
  const done: SwitchResult[] = [];
  for (const service of request.services) {
    try {
      done.push(await switchOne(request, service, request.value, request.rollbackId));
    } catch (error) {
      const restoredHere = isActuationError(error) ? error.restored : false;
      const undo = await undoSwitched(request, done);
      const undoNote = undo.length === 0 ? '' : `; switching back ${undo.map((u) => u.note).join('; ')}`;
      const back: ServiceOutcome[] = request.services.map((s) => {
        const undone = undo.find((u) => u.service === s.name);
        return { service: s.name, onValue: false, detail: s.name === service.name ? messageOf(error) : (undone?.note ?? 'not switched') };
      });
      return { ok: false, error: `${service.name}: ${messageOf(error)}${undoNote}`, restored: restoredHere && undo.every((u) => u.ok), services: back };
    }
  }
  return { ok: true, results: done, degraded: done.flatMap((r) => r.degraded) };
}

/** Switches the already-switched services back (newest first). */
async function undoSwitched(request: SwitchAllRequest, done: readonly SwitchResult[]): Promise<{ service: string; ok: boolean; note: string }[]> {
  const notes: { service: string; ok: boolean; note: string }[] = [];
  for (const result of [...done].reverse()) {
    const service = request.services.find((s) => s.name === result.target);
    if (service === undefined || result.noop) continue;
    try {
      await switchOne(request, service, result.fromValue, `${request.rollbackId}-undo`);
      notes.push({ service: result.target, ok: true, note: `${result.target} ok` });
    } catch (error) {
      notes.push({ service: result.target, ok: false, note: `${result.target} FAILED: ${messageOf(error)}` });
    }
  }
  return notes;
}
