import { queriesOf, type Policy, type Sample, type TickEvent } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import { applyEvent } from './engine-step.js';

// One evaluation of one policy: run its queries (bounded concurrency, one deadline for the whole tick),
// then decide on the target's queue. Queries run outside the queue so a slow Prometheus never delays a
// manual operation; the decision itself is serialised with everything else for the target.

export async function observe(ctx: RuntimeContext, policy: Policy): Promise<TickEvent> {
  const { metricsSource, metrics, now, tickTimeoutMs } = ctx.ports;
  const queries = queriesOf(policy);
  const startedMs = now();
  const results = await metricsSource.queryAll(
    queries.map((q) => q.query),
    { signal: AbortSignal.timeout(tickTimeoutMs) },
  );
  metrics.evaluationDuration.observe((now() - startedMs) / 1000);
  const samples: Record<string, Sample> = {};
  queries.forEach((q, i) => {
    const sample: Sample = results[i] ?? { kind: 'unknown', cause: 'bad_response', detail: 'no result for this query' };
    samples[q.id] = sample;
    if (sample.kind === 'unknown') metrics.evaluationErrors.inc({ target: policy.target.name, cause: sample.cause });
  });
  return { type: 'tick', samples };
}

/** observe → decide → act → record, for one policy. Safe mode skips it: no automatic action. */
export async function reconcileOnce(ctx: RuntimeContext, policy: Policy): Promise<void> {
  if (ctx.safeMode !== null) return;
  const event = await observe(ctx, policy);
  const target = policy.target.name;
  await ctx.queues.for(target).run(async () => {
    // The policy may have been reloaded while the queries ran: decide with the current one.
    const current = ctx.policyOf(target);
    if (current === undefined) return;
    const decision = await applyEvent(ctx, current, event);
    ctx.lastEvaluation.set(target, { atMs: ctx.ports.now(), verdicts: decision.verdicts });
  });
}
