import { type Alert, type CandidateSpec, servicesOf, type ServiceSpec, type VariantValue } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import { appendStart, executeSwitch } from './engine-step.js';
import { reannounce } from './reannounce.js';
import { expectedValue } from './views.js';
import { StateCorruptError } from '../ports/state-store.js';
import { emptyRuntimeState, type InFlightSwitch } from './runtime-state.js';
import { stateProblems } from './state-check.js';
import { candidateSpecOf } from './shadow-keeper.js';

// Startup: bring back the engine's memory (an active rollback keeps its true start), finish or undo a
// switch a crash interrupted, and say loudly when the state file cannot be trusted (safe mode) instead
// of starting fresh and forgetting a rollback.

export function stateCorruptAlert(error: StateCorruptError, nowMs: number): Alert {
  return {
    dedupKey: 'guardrail-state-corrupt',
    name: 'GuardrailStateCorrupt',
    severity: 'critical',
    target: 'guardrail',
    summary: 'Guardrail is in safe mode: its state file cannot be trusted, no automatic rollback will happen',
    description:
      `${error.message}. The controller does not know whether a rollback is active. ` +
      'Check the targets, then act by hand (a manual operation saves a fresh state) or restore the file and restart.',
    labels: { component: 'guardrail' },
    startsAtMs: nowMs,
  };
}

export async function loadState(ctx: RuntimeContext): Promise<void> {
  const { store } = ctx.ports;
  try {
    const loaded = (await store.load()) ?? emptyRuntimeState();
    // Its meaning against the policies: a phase, value or rollback id they do not know is not acted on.
    const problems = stateProblems(loaded, ctx.policies);
    if (problems.length === 0) ctx.state = loaded;
    else enterSafeMode(ctx, await store.distrust(problems.join('; ')));
  } catch (error) {
    if (!(error instanceof StateCorruptError)) throw error;
    enterSafeMode(ctx, error);
  }
}

/** No automatic action, nothing prepared, started, switched or saved, until an operator acts. */
function enterSafeMode(ctx: RuntimeContext, error: StateCorruptError): void {
  ctx.state = emptyRuntimeState();
  ctx.safeMode = `state file cannot be trusted (${error.problem}); no automatic actions until an operator acts`;
  ctx.ports.logger.fatal({ path: error.path, problem: error.problem, keptAt: error.keptAt }, 'SAFE MODE: state file cannot be trusted');
  ctx.ports.notifier.notify(stateCorruptAlert(error, ctx.ports.now()));
}

/**
 * A state that says "rolling back/forward" without an intent cannot come from this code (both are saved
 * in one write) but may come from a hand-restored file: rebuild the intent from the engine's rollback
 * record so the phase and the world converge instead of waiting forever for an actuation result.
 */
function orphanIntents(ctx: RuntimeContext): InFlightSwitch[] {
  const out: InFlightSwitch[] = [];
  for (const policy of ctx.policies) {
    const target = policy.target.name;
    const state = ctx.state.targets[target];
    if (state === undefined || state.rollback === null || ctx.state.inFlight[target] !== undefined) continue;
    if (state.phase !== 'rolling_back' && state.phase !== 'rolling_forward') continue;
    const rollback = state.phase === 'rolling_back';
    const record = state.rollback;
    out.push({
      historyId: rollback ? record.rollbackId : `rf-${target}-${state.phaseSinceMs}`,
      rollbackId: record.rollbackId,
      action: rollback ? 'rollback' : 'rollforward',
      policy: policy.name,
      target,
      value: rollback ? policy.target.rollbackValue : policy.target.normalValue,
      startedAtMs: state.phaseSinceMs,
      trigger: record.trigger,
      reason: record.reason,
      evidence: { policy: policy.name, reason: record.reason, trigger: record.trigger, conditions: [], atMs: state.phaseSinceMs },
      steps: {},
    });
  }
  return out;
}

/** Finishes every switch the journal shows in flight: actuator.reconcile per service, then the switch again (a no-op if done). */
export async function resumeInFlight(ctx: RuntimeContext): Promise<void> {
  for (const orphan of orphanIntents(ctx)) {
    ctx.ports.logger.warn({ target: orphan.target, phase: ctx.state.targets[orphan.target]?.phase }, 'state shows a switch without its intent; resuming it');
    ctx.update((s) => ({ ...s, inFlight: { ...s.inFlight, [orphan.target]: orphan } }));
  }
  for (const intent of Object.values(ctx.state.inFlight)) {
    const policy = ctx.policyOf(intent.target);
    if (policy === undefined) {
      ctx.ports.logger.error({ target: intent.target, rollbackId: intent.rollbackId }, 'in-flight switch for a target no policy names; left as is');
      continue;
    }
    await ctx.queues.for(intent.target).run(async () => {
      // A crash between saving the intent and appending its start record would leave the history without it.
      const recorded = await ctx.ports.history.list({ target: intent.target });
      if (!recorded.some((r) => r.kind === 'start' && r.id === intent.historyId)) await appendStart(ctx, intent);
      await reconcileServices(ctx, intent, servicesOf(policy.target));
      await executeSwitch(ctx, policy, intent);
    });
  }
}

async function reconcileServices(ctx: RuntimeContext, intent: InFlightSwitch, services: ReturnType<typeof servicesOf>): Promise<void> {
  // A roll-forward's candidate: an actuator whose instances died with the controller starts it again.
  const candidate = candidateSpecOf(intent.candidate);
  for (const service of services) {
    const lastStep = intent.steps[service.name];
    try {
      const result = await ctx.ports.actuator.reconcile(service, {
        rollbackId: intent.rollbackId,
        value: intent.value,
        ...(lastStep === undefined ? {} : { lastStep }),
        ...(candidate === undefined ? {} : { candidate }),
      });
      ctx.ports.logger.warn({ target: service.name, rollbackId: intent.rollbackId, outcome: result.outcome, lastStep }, 'reconciled an interrupted switch');
    } catch (error) {
      ctx.ports.logger.error({ target: service.name, rollbackId: intent.rollbackId, err: error }, 'reconcile failed; the switch is retried');
    }
  }
}

/** Brings every service that is not in flight to the value the state says it runs (process children are gone after a restart). */
export async function prepareTargets(ctx: RuntimeContext, prepare: (service: ServiceSpec, value: VariantValue, candidate: CandidateSpec | undefined) => Promise<void>): Promise<void> {
  for (const policy of ctx.policies) {
    if (ctx.state.inFlight[policy.target.name] !== undefined) continue;
    const value = expectedValue(ctx, policy);
    // What the ML side runs (candidate-ops.ts): a promoted candidate serves, a shadowed one runs beside.
    const candidate = candidateSpecOf(ctx.state.candidates?.[policy.target.name]);
    for (const service of servicesOf(policy.target)) {
      try {
        await prepare(service, value, service.shadow === undefined ? undefined : candidate);
      } catch (error) {
        ctx.ports.logger.error({ target: service.name, value, err: error }, 'could not start the target');
      }
    }
  }
}

/** Alertmanager forgets alerts that are not re-posted: send the ones still firing again after a restart. */
export function reannounceActive(ctx: RuntimeContext): void {
  for (const policy of ctx.policies) {
    const state = ctx.state.targets[policy.target.name];
    if (state === undefined) continue;
    for (const alert of reannounce(policy, state, ctx.ports.now())) ctx.ports.notifier.notify(alert);
  }
}
