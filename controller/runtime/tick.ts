import { clippedGateQuery, queriesOf, shadowPhase, type CandidateObservation, type ObservedEvent, type Policy, type PolicyQuery, type Sample, type TickEvent } from '../core/index.js';
import { recordCanAct } from './can-act.js';
import type { RuntimeContext } from './context.js';
import { applyEvent } from './engine-step.js';
import { observeTarget, type TargetObservation } from './observe.js';
import { keepShadows } from './shadow-keeper.js';
import { candidateOf } from './shadow-view.js';
import { keepStandbys } from './standby-keeper.js';
import { retryHeldWebhooks } from './webhook.js';

// One firing of the scheduler: the policies that share an evaluation interval are observed TOGETHER (one
// queryAll() call, so the Prometheus adapter can group their queries, one deadline for the whole tick),
// then each target decides on its own queue. Queries run outside the queues so a slow Prometheus never
// delays a manual operation; each decision is serialised with everything else for its target.

/** A policy's queries never change (a reload makes new policy objects): worked out once, not per tick. */
const queryCache = new WeakMap<Policy, readonly PolicyQuery[]>();

function cachedQueriesOf(policy: Policy): readonly PolicyQuery[] {
  let queries = queryCache.get(policy);
  if (queries === undefined) {
    queries = queriesOf(policy);
    queryCache.set(policy, queries);
  }
  return queries;
}

/**
 * The queries of this tick: the shadow gate's only while the target is on the baseline, where the engine
 * judges them (elsewhere no candidate runs, and their empty answers would only count as evaluation errors).
 */
function tickQueriesOf(ctx: RuntimeContext, policy: Policy, candidate: CandidateObservation | undefined, nowMs: number): readonly PolicyQuery[] {
  const queries = cachedQueriesOf(policy);
  const gate = policy.rollforward.gate;
  if (gate === undefined) return queries;
  const state = ctx.targetState(policy);
  if (!shadowPhase(state.phase, state.pause?.resumeTo) || (candidate !== undefined && 'notReady' in candidate)) return queries.filter((q) => q.purpose !== 'gate');
  return queries.map((q) => (q.purpose === 'gate' ? { ...q, query: clippedGateQuery(gate, q.query, candidate, nowMs) } : q));
}

/**
 * The shadow candidate as its maintenance last found it (shadow-keeper.ts), while the gate is judged; undefined
 * when the actuator runs no candidate (the gate then reads its queries unclipped, as before it knew).
 */
function candidateObservation(ctx: RuntimeContext, policy: Policy): CandidateObservation | undefined {
  if (policy.rollforward.gate === undefined || ctx.ports.actuator.maintainShadow === undefined) return undefined;
  const record = candidateOf(ctx.standbys, policy);
  if (record?.state === 'ready' && record.readySinceMs !== undefined) return { readySinceMs: record.readySinceMs };
  if (record === undefined) return { notReady: 'not looked at yet' };
  return { notReady: `${record.state}: ${record.detail}`, ...(record.state === 'failed' ? { failed: true } : {}) };
}

/** Runs every policy's queries in one batch; the tick event of each policy, by policy name. */
export async function observeAll(ctx: RuntimeContext, policies: readonly Policy[], scheduledAtMs?: number): Promise<Map<string, TickEvent>> {
  const { metricsSource, metrics, now, tickTimeoutMs } = ctx.ports;
  const atMs = scheduledAtMs ?? now();
  const perPolicy = policies.map((policy) => {
    const candidate = candidateObservation(ctx, policy);
    return { policy, candidate, queries: tickQueriesOf(ctx, policy, candidate, atMs) };
  });
  const startedMs = now();
  const results = await metricsSource.queryAll(
    perPolicy.flatMap(({ queries }) => queries.map((q) => q.query)),
    { signal: AbortSignal.timeout(tickTimeoutMs), ...(scheduledAtMs === undefined ? {} : { timeMs: scheduledAtMs }) },
  );
  metrics.evaluationDuration.observe((now() - startedMs) / 1000);
  const events = new Map<string, TickEvent>();
  let next = 0;
  for (const { policy, candidate, queries } of perPolicy) {
    const samples: Record<string, Sample> = {};
    for (const q of queries) {
      const sample: Sample = results[next++] ?? { kind: 'unknown', cause: 'bad_response', detail: 'no result for this query' };
      samples[q.id] = sample;
      if (sample.kind === 'unknown') metrics.evaluationErrors.inc({ target: policy.target.name, cause: sample.cause });
    }
    events.set(policy.name, { type: 'tick', samples, ...(candidate === undefined ? {} : { candidate }) });
  }
  return events;
}

/**
 * observe → decide → act → record for a batch of policies. One promise per policy, in order, settled when
 * that policy's decision (and any switch it started) is done. Safe mode skips it: no automatic action.
 * `scheduledAtMs` (a cron firing's scheduled time) is both the queries' evaluation time and the
 * engine's time for the decision; without it (tickAll) Prometheus and the engine use their own now.
 */
export function reconcileBatch(ctx: RuntimeContext, policies: readonly Policy[], scheduledAtMs?: number): Promise<void>[] {
  if (ctx.safeMode !== null || policies.length === 0) return policies.map(() => Promise.resolve());
  const observed = observeAll(ctx, policies, scheduledAtMs);
  return policies.map(async (policy) => {
    // What runs is read beside the queries (level-triggered truth), then decided on the queue before the tick.
    const looked = lookAt(ctx, policy);
    const event = (await observed).get(policy.name);
    const target = policy.target.name;
    const look = await looked;
    if (event === undefined) return;
    await ctx.queues.for(target).run(async () => {
      // The policy may have been reloaded while the queries ran: decide with the current one.
      const current = ctx.policyOf(target);
      if (current === undefined) return;
      const options = scheduledAtMs === undefined ? {} : { scheduledAtMs };
      // Skipped when a switch of this target ran or runs since the look began: what runs changed on purpose.
      if (look !== undefined && ctx.switchesOf(target) === look.switches) {
        await applyEvent(ctx, current, look.event, options);
        followWhatRuns(ctx, current, look.event);
      }
      const decision = await applyEvent(ctx, current, event, options);
      const atMs = ctx.ports.now();
      ctx.lastEvaluation.set(target, { atMs, verdicts: decision.verdicts });
      ctx.timelines.record(target, atMs, decision.verdicts, ctx.targetState(current).phase);
      // A webhook alert refused for now (pause, hold, switch in flight) may act after this tick's state.
      const latest = ctx.policyOf(target);
      if (latest !== undefined) await retryHeldWebhooks(ctx, latest);
    });
    // After the decision (a rollback it started has run on the queue by now), not part of the tick.
    const current = ctx.policyOf(target);
    if (current !== undefined) keepStandbys(ctx, current);
    if (current !== undefined) keepShadows(ctx, current);
  });
}

/** One look at what runs for the policy's target; recorded as can-act at once. Undefined while a switch is in flight. */
export async function lookAt(ctx: RuntimeContext, policy: Policy): Promise<(TargetObservation & { readonly switches: number }) | undefined> {
  const target = policy.target.name;
  if (ctx.state.inFlight[target] !== undefined) return undefined;
  const switches = ctx.switchesOf(target);
  const look = await observeTarget(ctx.ports.actuator, policy, ctx.ports.now);
  recordCanAct(ctx, policy, look.canAct);
  return { ...look, switches };
}

/**
 * The controller's memory of the value a target runs follows what runs: when every service was read and
 * they run the same value of the policy, that is the value (status, restarts and the hourly warning use it).
 */
function followWhatRuns(ctx: RuntimeContext, policy: Policy, event: ObservedEvent): void {
  const target = policy.target.name;
  const values = [...new Set(event.services.map((s) => s.value))];
  if (event.services.length === 0 || event.services.some((s) => !s.known) || values.length !== 1) return;
  const value = values[0] ?? null;
  if (value !== policy.target.normalValue && value !== policy.target.rollbackValue) return;
  if (ctx.state.variants[target] === value) return;
  ctx.update((s) => ({ ...s, variants: { ...s.variants, [target]: value } }));
}
