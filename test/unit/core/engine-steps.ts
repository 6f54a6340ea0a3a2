// The random steps of the core's property tests (properties.test.ts, decide-shares-state.test.ts) and the
// engine event each becomes in a given state: actuation results answer what is in progress, a look at what
// runs reports one of four service pictures.
import type { EngineEvent, Sample, TargetState } from '../../../controller/core/index.js';
import { SEC, T0, tick } from './fixtures.js';

export type Look = 'normal' | 'rollback' | 'mixed' | 'unknown';
export type Step =
  | { readonly kind: 'tick'; readonly e: Sample; readonly d: Sample; readonly t: Sample }
  | { readonly kind: 'look'; readonly look: Look }
  | { readonly kind: 'rollback' | 'rollforward' | 'webhook' | 'ok' | 'fail' | 'pause' | 'resume' };

function lookEvent(look: Look): EngineEvent {
  const service = (value: string | null, known = true) => ({ service: 'api', known, value, detail: known ? '' : 'unreachable' });
  const services = { normal: [service(null)], rollback: [service('baseline')], mixed: [service(null), { ...service('baseline'), service: 'worker' }], unknown: [service(null, false)] }[look];
  return { type: 'observed', services };
}

/** Turns a step into an event that fits the state; `nowMs` dates a pause's expiry. */
export function eventFor(step: Step, state: TargetState, nowMs: number = T0): EngineEvent {
  const rollbackId = state.rollback?.rollbackId ?? 'none';
  const action = state.phase === 'rolling_forward' ? 'rollforward' : 'rollback';
  switch (step.kind) {
    case 'tick':
      return tick({ 'reasons.errors': step.e, 'reasons.down': step.d, 'evaluation.minRequests': step.t });
    case 'look':
      return lookEvent(step.look);
    case 'rollback':
      return { type: 'manual_rollback', actor: 'p', reason: 'prop' };
    case 'rollforward':
      return { type: 'manual_rollforward', actor: 'p', reason: 'prop' };
    case 'webhook':
      return { type: 'webhook', reason: 'down', alertname: 'Down', labels: {} };
    case 'ok':
      return { type: 'actuation_succeeded', action, rollbackId };
    case 'fail':
      return { type: 'actuation_failed', action, rollbackId, error: 'e' };
    case 'pause':
      return { type: 'pause', actor: 'p', reason: 'prop', untilMs: nowMs + 60 * SEC };
    case 'resume':
      return { type: 'resume', actor: 'p', reason: 'prop' };
  }
}
