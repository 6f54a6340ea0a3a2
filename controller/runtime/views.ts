import { nextWarningAtMs, type Policy, type TargetState, servicesOf } from '../core/index.js';
import type { PoliciesView, PolicySummaryView, StandbyView, TargetStatusView, TimelineView } from '../ports/controller.js';
import type { RuntimeContext } from './context.js';
import { candidateOf, shadowView } from './shadow-view.js';
import { heldFor } from './webhook-memory.js';

// Read models for the API: plain JSON built from the runtime's memory, never from the world.

const iso = (ms: number): string => new Date(ms).toISOString();

/** The value the target runs as far as the controller knows: what it last switched to, else what the phase implies. */
export function expectedValue(ctx: RuntimeContext, policy: Policy): string | null {
  return variantOf(ctx, policy, ctx.targetState(policy));
}

function variantOf(ctx: RuntimeContext, policy: Policy, state: TargetState): string | null {
  // What runs as last set by a switch or last observed (tick.ts follows what runs), else what the phase implies.
  const known = ctx.state.variants[policy.target.name];
  if (known !== undefined) return known;
  const onBaseline =
    state.phase === 'rolled_back' || state.phase === 'partially_rolled_back' || state.phase === 'rolling_forward' || state.pause?.resumeTo === 'rolled_back';
  return onBaseline ? policy.target.rollbackValue : policy.target.normalValue;
}

export function targetStatus(ctx: RuntimeContext, policy: Policy): TargetStatusView {
  const state = ctx.targetState(policy);
  const nowMs = ctx.ports.now();
  const evaluation = ctx.lastEvaluation.get(policy.target.name);
  return {
    target: policy.target.name,
    policy: policy.name,
    phase: state.phase,
    phaseSince: iso(state.phaseSinceMs),
    variant: variantOf(ctx, policy, state),
    services: (state.observed?.services ?? []).map((s) => ({ ...s, since: iso(state.observed?.atMs ?? nowMs) })),
    canAct: canActView(ctx, policy),
    rollback:
      state.rollback === null
        ? null
        : {
            id: state.rollback.rollbackId,
            reason: state.rollback.reason,
            trigger: state.rollback.trigger,
            startedAt: iso(state.rollback.startedAtMs),
            ageSeconds: Math.max(0, Math.round((nowMs - state.rollback.startedAtMs) / 1000)),
            baselineBreach:
              state.rollback.baselineBreach === undefined ? null : { reason: state.rollback.baselineBreach.reason, since: iso(state.rollback.baselineBreach.sinceMs) },
            attempts: state.rollback.attempts ?? 1,
            nextAttemptAt: state.rollback.retryAtMs === undefined || state.rollback.retryAtMs === null ? null : iso(state.rollback.retryAtMs),
            services: state.rollback.services ?? [],
            warningsSent: state.rollback.warningsSent,
            nextWarningAt: iso(nextWarningAtMs(state.rollback.startedAtMs, state.rollback.warningsSent, policy.warnAfterMs, policy.warnEveryMs)),
          },
    pause: state.pause === null ? null : { until: iso(state.pause.untilMs), actor: state.pause.actor, reason: state.pause.reason },
    hold: state.hold === null ? null : { cause: state.hold.cause, detail: state.hold.detail, since: iso(state.hold.sinceMs) },
    lastEvaluation: evaluation === undefined ? null : { at: iso(evaluation.atMs), verdicts: evaluation.verdicts },
    lastError: state.lastError ?? ctx.safeMode,
    inFlight: ctx.operations.inFlight(policy.target.name),
    standbys: standbyViews(ctx, policy),
    heldTriggers: heldFor(ctx.state.seenWebhooks, policy.target.name).map((e) => ({
      alertname: e.trigger?.alertname ?? 'unknown',
      reason: e.trigger?.reason ?? 'unknown',
      fingerprint: e.trigger?.fingerprint ?? '',
      since: iso(e.firstSeenMs),
      why: e.note,
    })),
    shadow: shadowView(policy, state, candidateOf(ctx.standbys, policy), nowMs, ctx.state.candidates?.[policy.target.name]),
  };
}

function canActView(ctx: RuntimeContext, policy: Policy): TargetStatusView['canAct'] {
  const canAct = ctx.canAct.get(policy.target.name);
  return canAct === undefined ? null : { ok: canAct.ok, detail: canAct.detail, since: iso(canAct.sinceMs), checkedAt: iso(canAct.atMs) };
}

/** Only services that are configured with a standby and were looked at since the policy was loaded. */
function standbyViews(ctx: RuntimeContext, policy: Policy): StandbyView[] {
  return servicesOf(policy.target).flatMap((service) => {
    if (service.warmStandby === undefined) return [];
    const record = ctx.standbys.latest.get(service.name);
    if (record === undefined) return [];
    return [
      {
        service: service.name,
        state: record.state,
        detail: record.detail,
        container: record.instance?.name ?? null,
        checkedAt: iso(record.checkedAtMs),
      },
    ];
  });
}

function summary(policy: Policy, file: string): PolicySummaryView {
  return {
    name: policy.name,
    file,
    target: policy.target.name,
    reasons: policy.reasons.map((r) => r.name),
    vetoes: policy.vetoes.map((v) => v.name),
    alerts: policy.alerts.map((a) => a.name),
  };
}

export function policiesView(ctx: RuntimeContext): PoliciesView {
  return {
    policies: ctx.policies.map((p, i) => summary(p, ctx.policyFiles[i] ?? '')),
    loadedAt: ctx.policiesLoadedAtMs === null ? null : iso(ctx.policiesLoadedAtMs),
    lastReloadError: ctx.lastReloadError === null ? null : { at: iso(ctx.lastReloadError.atMs), errors: ctx.lastReloadError.errors },
  };
}

/** Every target's last hour of tick results; a target with no tick yet has none. */
export function timelinesView(ctx: RuntimeContext): TimelineView[] {
  const nowMs = ctx.ports.now();
  return ctx.policies.flatMap((p) => ctx.timelines.view(p.target.name, nowMs) ?? []);
}
