import { decide, matchAlertmanager, webhookFate, type Decision, type Policy, type WebhookEvent } from '../core/index.js';
import type { IncomingAlert, OperationView, WebhookOutcome } from '../ports/controller.js';
import type { RuntimeContext } from './context.js';
import { refusalOfUncorroborated } from './corroborate.js';
import { applyEvent } from './engine-step.js';
import { queueOperation } from './queue-operation.js';
import type { RuntimeState, WebhookTrigger } from './runtime-state.js';
import { forgetHeld, heldFor, prune, recall, remember, touch, webhookKey, type Remembered } from './webhook-memory.js';

// Alertmanager webhooks: each firing alert is matched against the policies' triggers and decided as a
// `webhook` event on its target's queue. What is remembered (webhook-memory.ts) depends on the engine's
// answer: an alert that acted, or was refused for a lasting reason, makes its re-sends duplicates (also
// after a restart: it is saved with the decision, in one write); an alert refused only for now (pause,
// hold, a switch in flight, safe mode) is HELD and decided again after each tick of its target, so the
// trigger is not lost. A resolved alert never rolls back, and ends a held one. A check before acting
// belongs in decideWebhook, before applyEvent: a refusal that may change later should leave it held.
// Such a check: an alert the engine would act on must first be corroborated by Prometheus
// (corroborate.ts); one that is not is refused for good (its re-sends are duplicates, one WARNING).

export { webhookKey } from './webhook-memory.js';

interface Counts {
  queued: OperationView[];
  duplicates: number;
  held: number;
  resolvedIgnored: number;
  unmatched: number;
}

export async function handleWebhook(ctx: RuntimeContext, alerts: readonly IncomingAlert[]): Promise<WebhookOutcome> {
  const { logger, metrics, now, webhookMemory } = ctx.ports;
  const counts: Counts = { queued: [], duplicates: 0, held: 0, resolvedIgnored: 0, unmatched: 0 };
  ctx.update((s) => ({ ...s, seenWebhooks: prune(s.seenWebhooks, now(), webhookMemory) }));
  for (const alert of alerts) {
    const key = webhookKey(alert);
    if (alert.status === 'resolved') {
      counts.resolvedIgnored += 1;
      ctx.update((s) => ({ ...s, seenWebhooks: forgetHeld(s.seenWebhooks, key) }));
      continue;
    }
    const matches = matchAlertmanager(ctx.policies, alert.labels);
    if (matches.length === 0) {
      counts.unmatched += 1;
      logger.info({ labels: alert.labels, fingerprint: alert.fingerprint }, 'webhook alert matches no policy trigger');
      continue;
    }
    for (const match of matches) {
      const trigger: WebhookTrigger = { reason: match.reason, alertname: alert.labels['alertname'] ?? 'unknown', labels: alert.labels, fingerprint: alert.fingerprint };
      admit(ctx, counts, key, match.target, trigger);
    }
  }
  metrics.webhookAlerts.inc({ outcome: 'queued' }, counts.queued.length);
  metrics.webhookAlerts.inc({ outcome: 'duplicate' }, counts.duplicates);
  metrics.webhookAlerts.inc({ outcome: 'held' }, counts.held);
  metrics.webhookAlerts.inc({ outcome: 'resolved_ignored' }, counts.resolvedIgnored);
  metrics.webhookAlerts.inc({ outcome: 'unmatched' }, counts.unmatched);
  // Refreshed and forgotten entries; a decision saves its own fate. Safe mode writes nothing.
  if (ctx.safeMode === null) await ctx.persist();
  // A re-send of a held trigger is a duplicate for Alertmanager: nothing new was done now.
  return { queued: counts.queued, duplicates: counts.duplicates + counts.held, resolvedIgnored: counts.resolvedIgnored, unmatched: counts.unmatched };
}

/** A firing alert for one target: a re-send of a remembered or queued one does nothing new, else it is queued. */
function admit(ctx: RuntimeContext, counts: Counts, key: string, target: string, trigger: WebhookTrigger): void {
  const known = recall(ctx.state.seenWebhooks, key, target);
  if (known !== undefined) {
    ctx.update((s) => ({ ...s, seenWebhooks: touch(s.seenWebhooks, known, ctx.ports.now()) }));
    if (known.fate === 'held') counts.held += 1;
    else counts.duplicates += 1;
    return;
  }
  const queuedKey = `${target} ${key}`;
  if (ctx.webhooksQueued.has(queuedKey)) {
    counts.duplicates += 1;
    return;
  }
  ctx.webhooksQueued.add(queuedKey);
  const op = ctx.operations.create('webhook', target);
  counts.queued.push(op);
  const decideIt = () => decideWebhook(ctx, { key, target, trigger }, op.id);
  void queueOperation(ctx, target, op, decideIt, 'webhook event failed').finally(() => ctx.webhooksQueued.delete(queuedKey));
}

interface Pending {
  readonly key: string;
  readonly target: string;
  readonly trigger: WebhookTrigger;
}

function eventOf(trigger: WebhookTrigger): WebhookEvent {
  return { type: 'webhook', reason: trigger.reason, alertname: trigger.alertname, labels: trigger.labels, fingerprint: trigger.fingerprint };
}

/** Decides one webhook alert on its target's queue, and remembers its fate with the decision. */
async function decideWebhook(ctx: RuntimeContext, pending: Pending, opId: string): Promise<void> {
  const policy = ctx.policyOf(pending.target);
  if (policy === undefined) {
    ctx.operations.update(opId, 'refused', 'the policy is gone');
    return;
  }
  if (ctx.safeMode !== null) {
    // Kept in memory only (safe mode never writes the state file): decided again once safe mode ends.
    ctx.update((s) => rememberFate(ctx, s, { ...pending, fate: 'held', note: `safe mode: ${ctx.safeMode ?? ''}` }));
    ctx.operations.update(opId, 'refused', `held until safe mode ends: ${ctx.safeMode}`);
    return;
  }
  ctx.operations.update(opId, 'running');
  if (await refusedAsUncorroborated(ctx, policy, pending, opId)) return;
  let fate: ReturnType<typeof webhookFate> | undefined;
  const alsoRecord = (decision: Decision, state: RuntimeState): RuntimeState => {
    fate = webhookFate(decision);
    return rememberFate(ctx, state, { ...pending, ...fate });
  };
  const decision = await applyEvent(ctx, policy, eventOf(pending.trigger), { operationId: opId, alsoRecord });
  if (fate?.fate === 'held') {
    ctx.ports.logger.info({ target: pending.target, alert: pending.trigger.alertname, why: fate.note }, 'webhook alert held: decided again after each tick');
    ctx.operations.update(opId, 'refused', `held, decided again after each tick: ${fate.note}`);
    return;
  }
  if (decision.refused !== undefined) {
    ctx.operations.update(opId, 'refused', decision.refused.reason);
    return;
  }
  if (ctx.operations.get(opId)?.status === 'running') ctx.operations.update(opId, 'done', decision.commands.length === 0 ? 'nothing to do' : null);
}

/**
 * An alert is a claim: when the engine would act on it now, Prometheus must back it first. Refused for
 * good when it does not (remembered, so Alertmanager's re-sends are duplicates). An alert the engine would
 * hold or refuse anyway is not checked now: it is checked when it is decided for real.
 */
async function refusedAsUncorroborated(ctx: RuntimeContext, policy: Policy, pending: Pending, opId: string): Promise<boolean> {
  const dryRun = decide(policy, ctx.targetState(policy), eventOf(pending.trigger), ctx.ports.now());
  if (webhookFate(dryRun).fate !== 'acted') return false;
  const refusal = await refusalOfUncorroborated(ctx, policy, pending.trigger);
  if (refusal === undefined) return false;
  ctx.update((s) => rememberFate(ctx, s, { ...pending, fate: 'refused', note: refusal }));
  await ctx.persist();
  ctx.operations.update(opId, 'refused', refusal);
  return true;
}

function rememberFate(ctx: RuntimeContext, state: RuntimeState, fact: Remembered): RuntimeState {
  return { ...state, seenWebhooks: remember(state.seenWebhooks, fact, ctx.ports.now(), ctx.ports.webhookMemory) };
}

/**
 * After a tick of `policy`'s target, on its queue: each held trigger the engine would now act on (or
 * refuse for good) is decided for real, as a new `webhook` operation. A trigger still held stays as it
 * is, silently: the dry run is pure and writes nothing.
 */
export async function retryHeldWebhooks(ctx: RuntimeContext, policy: Policy): Promise<void> {
  if (ctx.safeMode !== null) return;
  const target = policy.target.name;
  // Every target runs this after every tick: the state is replaced only when the pruning changed something.
  const pruned = prune(ctx.state.seenWebhooks, ctx.ports.now(), ctx.ports.webhookMemory);
  if (pruned !== ctx.state.seenWebhooks) ctx.update((s) => ({ ...s, seenWebhooks: pruned }));
  for (const entry of heldFor(ctx.state.seenWebhooks, target)) {
    if (entry.trigger === undefined) continue;
    const dryRun = decide(policy, ctx.targetState(policy), eventOf(entry.trigger), ctx.ports.now());
    if (webhookFate(dryRun).fate === 'held') continue;
    const op = ctx.operations.create('webhook', target);
    ctx.ports.logger.info({ target, alert: entry.trigger.alertname, heldSince: new Date(entry.firstSeenMs).toISOString() }, 'held webhook alert decided again');
    await decideWebhook(ctx, { key: entry.key, target, trigger: entry.trigger }, op.id);
  }
}
