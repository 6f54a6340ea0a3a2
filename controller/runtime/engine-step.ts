import { decide, type Command, type Decision, type EngineEvent, type Policy, type RecordCommand, type RollbackCommand, type RollforwardCommand, servicesOf } from '../core/index.js';
import { recordPhase } from '../metrics.js';
import type { ActuationStep } from '../ports/actuator.js';
import { recordCanAct } from './can-act.js';
import type { RuntimeContext } from './context.js';
import { observeTarget } from './observe.js';
import type { InFlightSwitch, RuntimeState } from './runtime-state.js';
import { candidateSpecOf } from './shadow-keeper.js';
import { switchAll } from './switch-all.js';

// One event for one target, start to finish: decide → save the new state AND the switch intent in one
// atomic write → hand alerts to the notifier → run the switch through the actuator (each step journaled)
// → feed its result back into the engine. Must run on the target's queue.

type SwitchCommand = RollbackCommand | RollforwardCommand;

function isSwitch(command: Command): command is SwitchCommand {
  return command.type === 'rollback' || command.type === 'rollforward';
}

function rollbackActive(phase: string, pausedOnBaseline: boolean): boolean {
  return phase === 'rolling_back' || phase === 'rolled_back' || phase === 'partially_rolled_back' || phase === 'rolling_forward' || pausedOnBaseline;
}

/** A rollback's first attempt is its id; a retry is its own history entry. */
function historyIdOf(policy: Policy, command: SwitchCommand, nowMs: number): string {
  if (command.type === 'rollforward') return `rf-${policy.target.name}-${nowMs}`;
  return command.attempt > 1 ? `${command.rollbackId}-retry${command.attempt - 1}` : command.rollbackId;
}

function intentOf(ctx: RuntimeContext, policy: Policy, command: SwitchCommand, nowMs: number): InFlightSwitch {
  // A roll-forward runs the ML side's candidate, if an operator set one (candidate-ops.ts): it promotes it.
  const candidate = command.type === 'rollforward' ? candidateSpecOf(ctx.state.candidates?.[policy.target.name]) : undefined;
  return {
    ...(candidate === undefined ? {} : { candidate }),
    historyId: historyIdOf(policy, command, nowMs),
    rollbackId: command.rollbackId,
    action: command.type,
    policy: policy.name,
    target: policy.target.name,
    value: command.value,
    startedAtMs: nowMs,
    trigger: command.evidence.trigger,
    reason: command.evidence.reason,
    evidence: command.evidence,
    steps: {},
  };
}

export interface StepOptions {
  /** The API operation this event belongs to (its status follows the actuation). */
  readonly operationId?: string;
  /** A scheduled tick's time: the engine decides at it (see decision-clock.ts) instead of now(). */
  readonly scheduledAtMs?: number;
  /** More to record about this decision in the SAME atomic save (a webhook's fate: webhook.ts). */
  readonly alsoRecord?: (decision: Decision, state: RuntimeState) => RuntimeState;
}

/** Decides one event and carries out what the engine asked for. Returns the first decision. */
export async function applyEvent(ctx: RuntimeContext, policy: Policy, event: EngineEvent, options: StepOptions = {}): Promise<Decision> {
  const { logger, metrics, notifier } = ctx.ports;
  const target = policy.target.name;
  const before = ctx.targetState(policy);
  const nowMs = ctx.clock.next(target, before, options.scheduledAtMs);
  const decision = decide(policy, before, event, nowMs);
  const command = decision.commands.find(isSwitch);
  const intent = command === undefined ? undefined : intentOf(ctx, policy, command, nowMs);
  ctx.setTarget(target, decision.state, intent);
  // In the same save as the decision, so a crash cannot keep one without the other.
  const alsoRecord = options.alsoRecord;
  if (alsoRecord !== undefined) ctx.update((s) => alsoRecord(decision, s));
  await ctx.persistTarget(target);

  if (decision.transition !== undefined && decision.transition.from !== decision.transition.to) {
    logger.info({ target, from: decision.transition.from, to: decision.transition.to, event: event.type, row: decision.transition.row }, 'phase changed');
  }
  if (decision.refused !== undefined) logger.info({ target, refused: decision.refused }, 'event refused by the engine');
  // Eight gauge sets per target per tick otherwise; the gauge was set when the target was seeded.
  if (decision.state.phase !== before.phase) recordPhase(metrics, target, decision.state.phase);
  // Set when it changes, not on every decision (a label set's lookup per target per tick, twice).
  const active = rollbackActive(decision.state.phase, decision.state.pause?.resumeTo === 'rolled_back') ? 1 : 0;
  if (ctx.rollbackActiveShown.get(target) !== active) {
    metrics.rollbackActive.set({ target }, active);
    ctx.rollbackActiveShown.set(target, active);
  }
  for (const c of decision.commands) if (c.type === 'notify') notifier.notify(c.alert);
  for (const c of decision.commands) if (c.type === 'record') await appendOutOfBand(ctx, policy, c);

  if (command !== undefined && intent !== undefined) {
    if (command.type === 'rollback') metrics.rollbacksTotal.inc({ target, reason: command.evidence.reason, trigger: command.evidence.trigger.kind });
    logger.warn({ target, action: command.type, rollbackId: command.rollbackId, value: command.value, evidence: command.evidence }, `${command.type} decided`);
    await appendStart(ctx, intent);
    await executeSwitch(ctx, policy, intent, options.operationId === undefined ? {} : { operationId: options.operationId });
  }
  return decision;
}

/** A change found in what runs that Guardrail did not make: one history entry, actor out-of-band. */
async function appendOutOfBand(ctx: RuntimeContext, policy: Policy, record: RecordCommand): Promise<void> {
  const target = policy.target.name;
  const id = `oob-${target}-${record.atMs}`;
  const evidence = { policy: policy.name, reason: record.reason, trigger: record.trigger, conditions: [], atMs: record.atMs };
  const { history, logger } = ctx.ports;
  logger.warn({ target, action: record.action, notes: record.notes }, 'out-of-band change found in what runs');
  await history.append({ kind: 'start', id, target, policy: policy.name, action: record.action, trigger: record.trigger, reason: record.reason, evidence, atMs: record.atMs });
  await history.append({ kind: 'end', id, target, result: 'out_of_band', notes: record.notes, atMs: record.atMs });
}

export async function appendStart(ctx: RuntimeContext, intent: InFlightSwitch): Promise<void> {
  await ctx.ports.history.append({
    kind: 'start',
    id: intent.historyId,
    target: intent.target,
    policy: intent.policy,
    action: intent.action,
    trigger: intent.trigger,
    reason: intent.reason,
    evidence: intent.evidence,
    atMs: intent.startedAtMs,
    ...(intent.candidate === undefined ? {} : { candidate: { image: intent.candidate.image ?? null, env: intent.candidate.env } }),
  });
}

/**
 * Runs a decided switch through the actuator and feeds the result to the engine. Also used after a
 * restart for a switch the journal shows in flight: switching to the value a service already has is a
 * no-op, so running it again finishes the work without a second restart.
 */
export async function executeSwitch(ctx: RuntimeContext, policy: Policy, intent: InFlightSwitch, options: StepOptions = {}): Promise<void> {
  const { actuator, logger, metrics, now } = ctx.ports;
  const target = policy.target.name;
  const opId = options.operationId ?? ctx.operations.create(intent.action, target, intent.historyId).id;
  ctx.operations.update(opId, 'running', `${intent.action} to ${intent.value ?? '(variable absent)'}`);
  ctx.countSwitch(target);
  const startedMs = now();
  const onStep = async (step: ActuationStep): Promise<void> => {
    const current = ctx.state.inFlight[target];
    if (current === undefined) return;
    ctx.update((s) => ({ ...s, inFlight: { ...s.inFlight, [target]: { ...current, steps: { ...current.steps, [step.target]: step.name } } } }));
    await ctx.persist();
  };
  const services = servicesOf(policy.target);
  const candidate = candidateSpecOf(intent.candidate);
  const outcome = await switchAll({ actuator, services, action: intent.action, value: intent.value, rollbackId: intent.rollbackId, onStep, ...(candidate === undefined ? {} : { candidate }) });
  ctx.countSwitch(target);
  const partial = !outcome.ok && outcome.services.some((s) => s.onValue);
  const result = outcome.ok ? 'succeeded' : partial ? 'partial' : outcome.restored ? 'restored' : 'failed';
  metrics.actuationDuration.observe({ target, action: intent.action, result }, (now() - startedMs) / 1000);

  const degraded = outcome.ok && outcome.degraded.length > 0 ? `; ${outcome.degraded.join('; ')}` : '';
  const notes = outcome.ok
    ? `verified ${intent.value ?? policy.target.verify.absentVariant} in ${((now() - startedMs) / 1000).toFixed(1)} s${degraded}`
    : partial
      ? outcome.services.map((s) => `${s.service}: ${s.onValue ? 'on ' + String(intent.value) : s.detail}`).join('; ')
      : outcome.error;
  // The end record goes BEFORE the state that clears the intent: a crash in between re-runs the switch
  // (a no-op) and appends a second end for the same id, which the history view folds into one.
  await ctx.ports.history.append({ kind: 'end', id: intent.historyId, target, result, notes, atMs: now() });
  ctx.update((s) => {
    const { [target]: _done, ...inFlight } = s.inFlight;
    return { ...s, inFlight, variants: outcome.ok ? { ...s.variants, [target]: intent.value } : s.variants, candidates: promoted(s, target, intent, outcome.ok, now()) };
  });
  const event: EngineEvent = outcome.ok
    ? { type: 'actuation_succeeded', action: intent.action, rollbackId: intent.rollbackId }
    : { type: 'actuation_failed', action: intent.action, rollbackId: intent.rollbackId, error: outcome.error, services: outcome.services };
  await applyEvent(ctx, policy, event);
  ctx.operations.update(opId, outcome.ok ? 'done' : 'failed', notes);
  if (outcome.ok) logger.info({ target, action: intent.action, rollbackId: intent.rollbackId, notes }, `${intent.action} verified`);
  else logger.error({ target, action: intent.action, rollbackId: intent.rollbackId, error: outcome.error }, `${intent.action} failed`);
  await lookAfterSwitch(ctx, policy);
}

/** The candidates after a switch: a verified roll-forward that ran the target's candidate promoted it (it serves now). */
function promoted(s: RuntimeState, target: string, intent: InFlightSwitch, ok: boolean, nowMs: number): NonNullable<RuntimeState['candidates']> {
  const candidates = s.candidates ?? {};
  const record = candidates[target];
  if (!ok || intent.action !== 'rollforward' || intent.candidate === undefined || record === undefined || record.promotedAtMs !== undefined) return candidates;
  return { ...candidates, [target]: { ...record, promotedAtMs: nowMs } };
}

/**
 * Level-triggered truth right after acting: what runs is read again at once, so status and /readyz show
 * the containers the switch left (not the look taken before it) without waiting for the next tick.
 */
async function lookAfterSwitch(ctx: RuntimeContext, policy: Policy): Promise<void> {
  const look = await observeTarget(ctx.ports.actuator, policy, ctx.ports.now);
  recordCanAct(ctx, policy, look.canAct);
  await applyEvent(ctx, policy, look.event);
}
