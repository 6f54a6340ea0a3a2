import type { Alert, Policy } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import type { CanAct } from './observe.js';

// Readiness means able to act: each observation says whether the actuator answers, every service of the
// target is found and its verify endpoint is reachable. The gauge guardrail_can_act follows it; a WARNING
// fires when a target cannot be acted on (at startup too) and resolves when it can again.

export function cannotActAlert(policy: Policy, detail: string, sinceMs: number): Alert {
  return {
    dedupKey: `cannot-act:${policy.target.name}`,
    name: 'GuardrailCannotAct',
    severity: 'warning',
    target: policy.target.name,
    summary: `Guardrail cannot act on ${policy.target.name}: ${detail}`,
    description: 'A rollback would fail now. Fix what the summary names (Docker socket, containers, their verify port).',
    labels: { policy: policy.name, target: policy.target.name },
    startsAtMs: sinceMs,
  };
}

/** Records one observation's verdict: gauge, status, and the WARNING on a change. */
export function recordCanAct(ctx: RuntimeContext, policy: Policy, canAct: CanAct): void {
  const target = policy.target.name;
  const previous = ctx.canAct.get(target);
  // The gauge already shows an unchanged answer (it goes with the entry when a target is forgotten): every
  // target is looked at every tick, and a label set's lookup is not free at 1000 targets.
  if (previous?.ok !== canAct.ok) ctx.ports.metrics.canAct.set({ target }, canAct.ok ? 1 : 0);
  const sinceMs = previous !== undefined && previous.ok === canAct.ok ? previous.sinceMs : canAct.atMs;
  ctx.canAct.set(target, { ...canAct, sinceMs });
  if (!canAct.ok && (previous === undefined || previous.ok || previous.detail !== canAct.detail)) {
    ctx.ports.logger.warn({ target, detail: canAct.detail }, 'Guardrail cannot act on this target');
    ctx.ports.notifier.notify(cannotActAlert(policy, canAct.detail, sinceMs));
  } else if (canAct.ok && previous !== undefined && !previous.ok) {
    ctx.ports.logger.info({ target }, 'Guardrail can act on this target again');
    ctx.ports.notifier.notify({ ...cannotActAlert(policy, previous.detail, previous.sinceMs), resolvedAtMs: canAct.atMs });
  }
}
