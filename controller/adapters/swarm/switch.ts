// One switch of a Swarm service (docs/swarm.md, "The switch"):
//   inspected → updated-service (spec with the variable set, order and parallelism of the policy, Swarm's
//   failure_action rollback) → update-completed (Swarm says so, every wanted task runs the new value) →
//   verified-new (each task answers the expected variant on its own address).
// On any failure after the update was submitted — Swarm rolled it back itself, it paused, it did not verify
// in time, the journal hook threw — the service goes back to its previous spec: `rollback-started` (by Swarm
// or requested here), then `restored-old` once every task serves the previous value again. The
// ActuationError says whether that worked (`restored`).
import { expectedVariant, type ServiceSpec } from '../../core/index.js';
import { ActuationError, type SwitchRequest, type SwitchResult } from '../../ports/actuator.js';
import type { SwarmContext } from './context.js';
import type { VerifiedTask } from './probe-tasks.js';
import { describeFailure, rollBack, taskList, type Failure } from './rollback.js';
import { awaitRollout } from './rollout.js';
import { findService, submitSpec, swarmFailure } from './service-ops.js';
import { planSwitch, replicasOf, updateOrder, type SwarmService, type SwitchPlan } from './service-spec.js';
import { StepJournal } from './step-journal.js';
import { desiredTasks } from './tasks.js';

/** Swarm is rolling out something else, or a rollout is stuck half-way: Guardrail does not step in. */
function refuseUnsettled(target: ServiceSpec, service: SwarmService): void {
  const status = service.UpdateStatus;
  const state = status?.State;
  const said = status?.Message === undefined || status.Message === '' ? '' : `: ${status.Message}`;
  let message: string | undefined;
  if (state === 'updating' || state === 'rollback_started') {
    message = `Swarm is rolling out another change of ${service.Spec.Name ?? service.ID} (${state} since ${status?.StartedAt ?? '?'}${said}); Guardrail does not interrupt a rollout it did not start`;
  } else if (state === 'paused' || state === 'rollback_paused') {
    message = `the last rollout of ${service.Spec.Name ?? service.ID} is ${state}${said}: its tasks may run two specs; resolve it first (docker service rollback, or deploy again)`;
  }
  if (message !== undefined)
    throw new ActuationError({ target: target.name, step: 'precondition', restored: true, message });
}

interface Prepared {
  readonly service: SwarmService;
  readonly plan: SwitchPlan;
  readonly parallelism: number;
  readonly expected: string;
}

/** Finds the service, refuses an unsettled one, plans the new spec and journals `inspected` (and `noop`). */
async function prepare(
  ctx: SwarmContext,
  target: ServiceSpec,
  request: SwitchRequest,
  journal: StepJournal,
): Promise<Prepared> {
  const service = await findService(ctx.docker, target);
  refuseUnsettled(target, service);
  const parallelism = target.parallelism ?? 1;
  const expected = expectedVariant(request.value, target.verify);
  const plan = planSwitch(service.Spec, {
    variable: target.variable,
    value: request.value,
    rollbackId: request.rollbackId,
    targetName: target.name,
    expectedVariant: expected,
    strategy: target.strategy,
    parallelism,
  });
  try {
    await journal.record('inspected', {
      serviceId: service.ID,
      version: String(service.Version.Index),
      value: String(plan.fromValue),
      replicas: String(replicasOf(service.Spec) ?? 'global'),
      updateState: service.UpdateStatus?.State ?? 'none',
    });
    if (plan.fromValue === request.value) await journal.record('noop', { value: String(request.value) });
  } catch (cause) {
    const message = `journal hook failed before any change: ${cause instanceof Error ? cause.message : String(cause)}`;
    throw new ActuationError({
      target: target.name,
      step: journal.last() ?? 'inspected',
      restored: true,
      message,
      cause,
    });
  }
  return { service, plan, parallelism, expected };
}

export async function switchService(
  ctx: SwarmContext,
  target: ServiceSpec,
  request: SwitchRequest,
): Promise<SwitchResult> {
  const started = ctx.clock.now();
  const journal = new StepJournal(ctx.clock, target.name, request);
  const prepared = await prepare(ctx, target, request, journal);
  const { service, plan } = prepared;
  const result = (containers: SwitchResult['containers'], noop: boolean): SwitchResult => ({
    target: target.name,
    rollbackId: request.rollbackId,
    containers,
    fromValue: plan.fromValue,
    toValue: request.value,
    originalValue: plan.originalValue,
    noop,
    // A Swarm update verifies through the service's own health checks: no dependency-degraded notes.
    degraded: [],
    durationMs: ctx.clock.now() - started,
    steps: journal.steps,
  });
  if (plan.fromValue === request.value) {
    const tasks = await desiredTasks(ctx.docker, service, target.variable);
    return result(
      tasks.map((t) => ({ id: t.id, name: t.name })),
      true,
    );
  }
  const verified = await rollOut(ctx, target, request, journal, prepared, started);
  return result(
    verified.map((t) => ({ id: t.task.id, name: t.task.name })),
    false,
  );
}

/** Submits the new spec and follows Swarm's rollout to verified tasks, or rolls back and throws. */
async function rollOut(
  ctx: SwarmContext,
  target: ServiceSpec,
  request: SwitchRequest,
  journal: StepJournal,
  { service, plan, parallelism, expected }: Prepared,
  started: number,
): Promise<readonly VerifiedTask[]> {
  const name = service.Spec.Name ?? service.ID;
  const since = service.UpdateStatus?.StartedAt;
  try {
    await submitSpec(ctx.docker, service.ID, service.Version.Index, plan.spec);
  } catch (error) {
    throw swarmFailure(
      target.name,
      `Swarm refused the update of ${name} (nothing changed)`,
      error,
      true,
      'updated-service',
    );
  }
  let failure: Failure;
  try {
    await journal.record('updated-service', {
      serviceId: service.ID,
      fromVersion: String(service.Version.Index),
      value: String(request.value),
      order: updateOrder(target.strategy),
      parallelism: String(parallelism),
    });
    const outcome = await awaitRollout(ctx.docker, ctx.clock, {
      serviceId: service.ID,
      variable: target.variable,
      value: request.value,
      rollout: 'update',
      since,
      deadlineMs: started + target.verify.timeoutMs,
      verify: target.verify,
    });
    if (outcome.kind === 'verified') {
      await journal.record('update-completed', {
        state: outcome.state,
        elapsedMs: String(ctx.clock.now() - started),
      });
      await journal.record('verified-new', { variant: expected, tasks: taskList(outcome.tasks) });
      return outcome.tasks;
    }
    failure = outcome;
  } catch (error) {
    failure = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  return undoAndThrow(ctx, target, request, journal, { service, plan, since, failure });
}

/** After a failed rollout: back to the previous spec, then the ActuationError that says whether that worked. */
async function undoAndThrow(
  ctx: SwarmContext,
  target: ServiceSpec,
  request: SwitchRequest,
  journal: StepJournal,
  {
    service,
    plan,
    since,
    failure,
  }: { service: SwarmService; plan: SwitchPlan; since: string | undefined; failure: Failure },
): Promise<never> {
  const name = service.Spec.Name ?? service.ID;
  const step = journal.last() ?? 'updated-service';
  const restored = await rollBack(ctx, target, journal, {
    serviceId: service.ID,
    since,
    value: plan.fromValue,
    failure,
  });
  const outcome = restored.ok ? 'restored and verified' : `NOT restored (${restored.problem})`;
  throw new ActuationError({
    target: target.name,
    step,
    restored: restored.ok,
    message: `switch of ${name} to ${target.variable}=${String(request.value)} failed: ${describeFailure(failure, target.verify.timeoutMs)}; previous spec ${outcome}`,
  });
}
