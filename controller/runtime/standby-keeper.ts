import { type Policy, servicesOf, type ServiceSpec } from '../core/index.js';
import type { StandbyReport } from '../ports/actuator.js';
import type { RuntimeContext } from './context.js';

// Keeps warm standbys (policy target.warmStandby) in line after every tick: the actuator's maintainStandby
// is level-triggered, so calling it each tick creates a missing standby, replaces a stale one (the service
// was recreated, a roll-forward ran) and removes one that is not wanted (the target runs the rollback value,
// or the policy dropped warmStandby: that is checked once per service). It runs on the target's queue, after
// the tick's decision and never beside a switch, but the tick does not wait for it.

/** Queues standby maintenance for the policy's services (fire and forget: failures are logged). */
export function keepStandbys(ctx: RuntimeContext, policy: Policy): void {
  const { actuator } = ctx.ports;
  if (actuator.maintainStandby === undefined) return;
  const services = servicesOf(policy.target).filter((service) => {
    if (service.warmStandby !== undefined) {
      ctx.standbys.checkedUnwanted.delete(service.name);
      return true;
    }
    if (ctx.standbys.checkedUnwanted.has(service.name)) return false;
    ctx.standbys.checkedUnwanted.add(service.name);
    return true;
  });
  if (services.length === 0) return;
  void ctx.queues.for(policy.target.name).run(async () => {
    for (const service of services) await maintainOne(ctx, service);
  });
}

async function maintainOne(ctx: RuntimeContext, service: ServiceSpec): Promise<void> {
  const { actuator, logger, metrics, now } = ctx.ports;
  if (actuator.maintainStandby === undefined) return;
  const previous = ctx.standbys.latest.get(service.name);
  let result: StandbyReport;
  try {
    result = await actuator.maintainStandby(service);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result = { target: service.name, state: 'failed', detail: `maintenance failed: ${detail}`, actions: [] };
    metrics.standbyActions.inc({ target: service.name, action: 'error' });
  }
  for (const action of result.actions) {
    metrics.standbyActions.inc({ target: service.name, action: action.split(' ')[0] ?? action });
  }
  if (service.warmStandby === undefined) {
    ctx.standbys.latest.delete(service.name);
    metrics.standbyReady.remove({ target: service.name });
  } else {
    ctx.standbys.latest.set(service.name, { ...result, checkedAtMs: now() });
    metrics.standbyReady.set({ target: service.name }, result.state === 'ready' ? 1 : 0);
  }
  const fields = { target: service.name, standby: result.state, detail: result.detail, actions: result.actions };
  if (result.state === 'failed' && previous?.state !== 'failed') logger.warn(fields, 'warm standby failed');
  else if (result.actions.length > 0 || previous?.state !== result.state) logger.info(fields, `warm standby ${result.state}`);
}
