import { servicesOf, shadowPhase, type Alert, type CandidateSpec, type Policy, type ServiceSpec } from '../core/index.js';
import type { StandbyReport } from '../ports/actuator.js';
import type { RuntimeContext } from './context.js';
import type { StandbyRecord } from './standby-book.js';

// Keeps each target's shadow candidates (policy rollforward.shadow) in line after every tick, like the warm
// standbys (standby-keeper.ts): the actuator's maintainShadow is level-triggered, so calling it each tick
// creates the candidate once the target is rolled back, replaces a stale or dead one, and removes it once
// the target serves the normal value again (or the policy dropped the shadow: checked once per service).
// A candidate that fails (exits, crash-loops: a model that will not load) raises a WARNING, resolved once
// it serves or is no longer wanted: it is never promoted (the gate is UNKNOWN while it is not `ready`,
// BREACH while `failed`, and judges only what it answered since: readySince below).

const FAILED_ALERT = 'GuardrailShadowCandidateFailed';

/** Queues candidate maintenance for the policy's services (fire and forget: failures are logged and shown). */
export function keepShadows(ctx: RuntimeContext, policy: Policy): void {
  if (ctx.ports.actuator.maintainShadow === undefined) return;
  const services = servicesOf(policy.target).filter((service) => {
    if (service.shadow !== undefined) {
      ctx.standbys.shadowCheckedUnwanted.delete(service.name);
      return true;
    }
    if (ctx.standbys.shadowCheckedUnwanted.has(service.name)) return false;
    ctx.standbys.shadowCheckedUnwanted.add(service.name);
    return true;
  });
  if (services.length === 0) return;
  void ctx.queues.for(policy.target.name).run(async () => {
    const state = ctx.targetState(policy);
    const wanted = shadowPhase(state.phase, state.pause?.resumeTo);
    const candidate = candidateSpecOf(ctx.state.candidates?.[policy.target.name]);
    for (const service of services) await maintainOne(ctx, policy, service, wanted, candidate);
  });
}

/** One service's candidate maintenance (also run at once when an operator sets a candidate: candidate-ops.ts). */
export async function maintainOne(ctx: RuntimeContext, policy: Policy, service: ServiceSpec, wanted: boolean, candidate: CandidateSpec | undefined): Promise<StandbyReport> {
  const { actuator, logger, now } = ctx.ports;
  if (actuator.maintainShadow === undefined) return { target: service.name, state: 'not-needed', detail: 'the actuator runs no shadow candidate', actions: [] };
  const previous = ctx.standbys.shadows.get(service.name);
  let result: StandbyReport;
  try {
    result = await (candidate === undefined ? actuator.maintainShadow(service, wanted) : actuator.maintainShadow(service, wanted, candidate));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result = { target: service.name, state: 'failed', detail: `maintenance failed: ${detail}`, actions: [] };
  }
  if (service.shadow === undefined) ctx.standbys.shadows.delete(service.name);
  else ctx.standbys.shadows.set(service.name, { ...result, checkedAtMs: now(), ...readySince(previous, result, now()) });
  alertOnFailure(ctx, policy, service, result);
  const fields = { target: service.name, candidate: result.state, detail: result.detail, actions: result.actions };
  if (result.state === 'failed' && previous?.state !== 'failed') logger.warn(fields, 'shadow candidate failed');
  else if (result.actions.length > 0 || previous?.state !== result.state) logger.info(fields, `shadow candidate ${result.state}`);
  return result;
}

/** The actuator's view of an operator's candidate record (undefined: none, the image's own). */
export function candidateSpecOf(record: { readonly image?: string; readonly env: Readonly<Record<string, string>> } | undefined): CandidateSpec | undefined {
  if (record === undefined) return undefined;
  return record.image === undefined ? { env: record.env } : { image: record.image, env: record.env };
}

/**
 * Since when the candidate has been verified serving: kept while the same instance stays `ready`, restarted
 * for a new or restarted instance (the gate judges only its own evidence: core/gate.ts clippedGateQuery).
 */
function readySince(previous: StandbyRecord | undefined, result: StandbyReport, nowMs: number): Pick<StandbyRecord, 'readySinceMs'> {
  if (result.state !== 'ready') return {};
  const same = previous?.state === 'ready' && previous.instance?.id === result.instance?.id && previous.readySinceMs !== undefined;
  return { readySinceMs: same ? previous.readySinceMs : nowMs };
}

function failedAlert(policy: Policy, service: ServiceSpec, detail: string, sinceMs: number): Alert {
  return {
    dedupKey: `shadow-candidate-failed:${service.name}`,
    name: FAILED_ALERT,
    severity: 'warning',
    target: policy.target.name,
    summary: `The ML candidate in shadow for ${service.name} does not run: it cannot be judged or promoted`,
    description: `${detail}. While it does not run, the roll-forward gate's candidate bound breaches and nothing is promoted; fix the model or image (docker logs of the candidate), and it is replaced.`,
    labels: { policy: policy.name, service: service.name },
    startsAtMs: sinceMs,
  };
}

/** One WARNING per failure of a candidate, resolved once it serves or is no longer wanted. */
function alertOnFailure(ctx: RuntimeContext, policy: Policy, service: ServiceSpec, result: StandbyReport): void {
  const sinceMs = ctx.standbys.shadowFailedSinceMs.get(service.name);
  if (result.state === 'failed' && sinceMs === undefined) {
    const now = ctx.ports.now();
    ctx.standbys.shadowFailedSinceMs.set(service.name, now);
    ctx.ports.notifier.notify(failedAlert(policy, service, result.detail, now));
  } else if (sinceMs !== undefined && (result.state === 'ready' || result.state === 'not-needed')) {
    ctx.standbys.shadowFailedSinceMs.delete(service.name);
    ctx.ports.notifier.notify({ ...failedAlert(policy, service, result.detail, sinceMs), resolvedAtMs: ctx.ports.now() });
  }
}
