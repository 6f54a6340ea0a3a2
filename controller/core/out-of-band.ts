// Level-triggered truth: every tick the runtime reads what actually runs for each service of a target
// (an `observed` event). When that differs from what the phase says, someone changed it outside Guardrail:
// the change is recorded in history (actor `out-of-band`), announced with a WARNING, and the phase follows
// what runs, so the normal rules guard it from then on. Pure.

import type { Command, RecordCommand, Trigger } from './commands.js';
import type { EffectContext } from './effect-context.js';
import type { ObservedEvent, ObservedService } from './events.js';
import { completeRollback } from './incomplete-rollback.js';
import type { LifecycleEvent } from './lifecycle.js';
import { notify, outOfBandAlert, resolveIncomplete, resolveRollbackAlerts, resolved } from './notifications.js';
import type { Phase, Policy } from './policy.js';
import type { ObservedRecord, RollbackRecord, TargetState } from './state.js';

/** An out-of-band WARNING resolves after this long (it says what happened; it does not last). */
export const OUT_OF_BAND_ALERT_MS = 3_600_000;

interface Applied {
  readonly state: TargetState;
  readonly commands: readonly Command[];
}

export function classifyObserved(policy: Policy, event: ObservedEvent): LifecycleEvent {
  const services = event.services;
  if (services.length === 0 || services.some((s) => !s.known)) return 'observed_unknown';
  if (services.every((s) => s.value === policy.target.normalValue)) return 'observed_normal';
  if (services.every((s) => s.value === policy.target.rollbackValue)) return 'observed_rollback';
  return 'observed_mixed';
}

/** What runs, in words: `api runs ml, consumer runs baseline`. */
export function describeObserved(services: readonly ObservedService[]): string {
  return services.map((s) => (s.known ? `${s.service} runs ${s.value ?? '(variable absent)'}` : `${s.service}: ${s.detail}`)).join(', ');
}

function driftKeyOf(services: readonly ObservedService[]): string {
  return services.map((s) => `${s.service}=${String(s.value)}`).join(',');
}

export function driftIsNew(state: TargetState, event: ObservedEvent): boolean {
  return driftKeyOf(event.services) !== (state.observed?.driftKey ?? null);
}

/** Field by field: every target is looked at every tick, and two JSON.stringify calls were ~3% of a 1000-target tick. */
function sameServices(a: readonly ObservedService[], b: readonly ObservedService[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return y !== undefined && x.service === y.service && x.known === y.known && x.value === y.value && x.detail === y.detail;
  });
}

/** Before the row: remember what runs; forget the announced drift once what runs is as the phase says. */
export function observeSideStep(policy: Policy, state: TargetState, event: ObservedEvent, nowMs: number): Applied {
  const kind = classifyObserved(policy, event);
  const expected: Partial<Record<Phase, LifecycleEvent>> = { watching: 'observed_normal', pending: 'observed_normal', rolled_back: 'observed_rollback' };
  const previous = state.observed;
  const asExpected = expected[state.phase] === kind;
  const commands: Command[] = [];
  let driftSinceMs = previous?.driftSinceMs ?? null;
  if (driftSinceMs !== null && nowMs - driftSinceMs >= OUT_OF_BAND_ALERT_MS) {
    commands.push(resolved(outOfBandAlert(policy, '', driftSinceMs), nowMs));
    driftSinceMs = null;
  }
  const driftKey = asExpected ? null : (previous?.driftKey ?? null);
  const same =
    previous !== undefined &&
    previous.driftKey === driftKey &&
    previous.driftSinceMs === driftSinceMs &&
    sameServices(previous.services, event.services);
  // Unchanged, the record stays as it was (atMs = since when it is so): a tick that finds nothing new saves nothing.
  if (same) return { state, commands };
  const observed: ObservedRecord = { atMs: nowMs, services: event.services, driftKey, driftSinceMs };
  return { state: { ...state, observed }, commands };
}

function outOfBandTrigger(what: string): Trigger {
  return { kind: 'manual', actor: 'out-of-band', reason: what };
}

/** The history record and the WARNING of one out-of-band change; the drift is remembered as announced. */
function announce(policy: Policy, state: TargetState, ctx: EffectContext, action: RecordCommand['action'], nowMs: number): Applied {
  const services = ctx.event.type === 'observed' ? ctx.event.services : [];
  const what = describeObserved(services);
  const record: RecordCommand = { type: 'record', action, trigger: outOfBandTrigger(what), reason: 'out-of-band', notes: `observed: ${what}`, atMs: nowMs };
  const commands: Command[] = [];
  const since = state.observed?.driftSinceMs ?? null;
  if (since !== null) commands.push(resolved(outOfBandAlert(policy, '', since), nowMs));
  commands.push(record, notify(outOfBandAlert(policy, what, nowMs)));
  const observed: ObservedRecord = { atMs: nowMs, services, driftKey: driftKeyOf(services), driftSinceMs: nowMs };
  return { state: { ...state, observed }, commands };
}

/** The rollback ended outside Guardrail: its alerts resolve, `for` timers start again on what now runs. */
export function outOfBandForward(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const announced = announce(policy, state, ctx, 'rollforward', nowMs);
  const record = state.rollback;
  const closing = record === null ? [] : [...resolveIncomplete(policy, record, nowMs), ...resolveRollbackAlerts(policy, record, { ...ctx.evidence, reason: record.reason, trigger: record.trigger }, nowMs)];
  const next: TargetState = { ...announced.state, rollback: null, timers: {}, hold: null, allOkSinceMs: null, lastError: null };
  return { state: next, commands: [...announced.commands, ...closing] };
}

/** Every service runs the rollback value without Guardrail: a rollback with actor out-of-band. */
export function outOfBandRollback(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const announced = announce(policy, state, ctx, 'rollback', nowMs);
  const trigger = announced.commands.find((c): c is RecordCommand => c.type === 'record')?.trigger ?? outOfBandTrigger('');
  const record: RollbackRecord = { rollbackId: `oob-${policy.target.name}-${nowMs}`, startedAtMs: nowMs, reason: 'out-of-band', trigger, warningsSent: 0 };
  return { state: { ...announced.state, rollback: record, lastError: null }, commands: announced.commands };
}

/** A service left the rollback value: the rollback is incomplete again and retried at once. */
export function outOfBandPartial(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const announced = announce(policy, state, ctx, 'rollforward', nowMs);
  const record = announced.state.rollback;
  if (record === null) return announced;
  return { state: { ...announced.state, rollback: { ...record, retryAtMs: nowMs } }, commands: announced.commands };
}

/** An incomplete rollback was finished outside Guardrail: every service runs the rollback value. */
export function rollbackCompletedOutOfBand(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const announced = announce(policy, state, ctx, 'rollback', nowMs);
  const completed = completeRollback(policy, announced.state, nowMs);
  return { state: completed.state, commands: [...announced.commands, ...completed.commands] };
}

/** What runs differs from the phase and nothing is to be done about it (e.g. one service on the baseline). */
export function announceDrift(policy: Policy, state: TargetState, ctx: EffectContext, nowMs: number): Applied {
  const services = ctx.event.type === 'observed' ? ctx.event.services : [];
  const toward = services.some((s) => s.known && s.value === policy.target.rollbackValue) ? 'rollback' : 'rollforward';
  return announce(policy, state, ctx, toward, nowMs);
}
