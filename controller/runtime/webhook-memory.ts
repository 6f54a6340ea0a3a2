import type { SeenWebhook, WebhookFate, WebhookTrigger } from './runtime-state.js';

// The memory of webhook alerts (pure functions over RuntimeState.seenWebhooks). Alertmanager re-sends a
// firing alert, same fingerprint and startsAt, every repeat_interval and after its restarts; a replay must
// not act twice, and a trigger refused only for now must not be lost. So:
//   - only alerts acted on or refused for a lasting reason deduplicate; an alert refused for now is held
//     and decided again after each tick of its target (and never counted as done);
//   - the memory is bounded by TIME: an entry lives a dedup window after the last time Alertmanager sent
//     it (set the window above the route's repeat_interval, twice is the default), so a still-firing
//     alert stays remembered however old it is, and a resolved one is forgotten a window later;
//   - and by count only where losing an entry is harmless: refused and held entries are capped (oldest
//     first; a dropped one is decided again on its next re-send), entries that acted never are — one per
//     rollback, so the hourly rollback limit bounds them. A payload of 1,000 alerts, matched or not,
//     cannot flush the memory of one that acted; unmatched alerts are not remembered at all.

export interface WebhookMemoryLimits {
  /** Forget an entry this long after its last re-send. */
  readonly windowMs: number;
  readonly maxRefused: number;
  readonly maxHeld: number;
}

export const WEBHOOK_MEMORY_LIMITS = { windowMs: 8 * 3_600_000, maxRefused: 1_000, maxHeld: 200 } as const;

/** A re-send refreshes lastSeenMs at most this often: a storm of re-sends does not rewrite the state file each time. */
const REFRESH_MS = 60_000;

export function webhookKey(alert: { readonly fingerprint: string; readonly startsAt: string }): string {
  return `${alert.fingerprint}@${alert.startsAt}`;
}

/** The entry for this alert and target (legacy entries match every target). */
export function recall(seen: readonly SeenWebhook[], key: string, target: string): SeenWebhook | undefined {
  return seen.find((e) => e.key === key && (e.target === target || e.target === '*'));
}

/** A re-send of a remembered alert: it still fires, keep it a window longer. Same list when nothing changes. */
export function touch(seen: readonly SeenWebhook[], entry: SeenWebhook, nowMs: number): readonly SeenWebhook[] {
  if (nowMs - entry.lastSeenMs < REFRESH_MS) return seen;
  return seen.map((e) => (e === entry ? { ...e, lastSeenMs: nowMs } : e));
}

export interface Remembered {
  readonly key: string;
  readonly target: string;
  readonly fate: WebhookFate;
  readonly note: string;
  readonly trigger: WebhookTrigger;
}

/** Records the engine's answer for an alert (replacing a held entry of the same alert), then prunes. */
export function remember(seen: readonly SeenWebhook[], fact: Remembered, nowMs: number, limits: WebhookMemoryLimits): readonly SeenWebhook[] {
  const previous = recall(seen, fact.key, fact.target);
  const entry: SeenWebhook = {
    key: fact.key,
    target: fact.target,
    fate: fact.fate,
    note: fact.note.slice(0, 200),
    firstSeenMs: previous?.firstSeenMs ?? nowMs,
    lastSeenMs: nowMs,
    ...(fact.fate === 'held' ? { trigger: fact.trigger } : {}),
  };
  return prune([...seen.filter((e) => e !== previous), entry], nowMs, limits);
}

/** Alertmanager says the alert is over: a held trigger for it must not act any more. */
export function forgetHeld(seen: readonly SeenWebhook[], key: string): readonly SeenWebhook[] {
  return seen.some((e) => e.key === key && e.fate === 'held') ? seen.filter((e) => !(e.key === key && e.fate === 'held')) : seen;
}

/** Held triggers of a target, oldest first. */
export function heldFor(seen: readonly SeenWebhook[], target: string): SeenWebhook[] {
  return seen.filter((e) => e.fate === 'held' && e.target === target);
}

/**
 * Drops entries a window past their last re-send, then the oldest refused / held entries beyond their
 * caps. Legacy entries (lastSeenMs 0) start their window now. Same list when nothing changes.
 */
export function prune(seen: readonly SeenWebhook[], nowMs: number, limits: WebhookMemoryLimits): readonly SeenWebhook[] {
  // Run for every target after every tick; nothing remembered (the usual case) needs no lists and sets.
  if (seen.length === 0) return seen;
  const adopted = seen.some((e) => e.lastSeenMs === 0) ? seen.map((e) => (e.lastSeenMs === 0 ? { ...e, lastSeenMs: nowMs } : e)) : seen;
  const live = adopted.filter((e) => nowMs - e.lastSeenMs < limits.windowMs);
  const over = (fate: WebhookFate, max: number): Set<SeenWebhook> => {
    const of = live.filter((e) => e.fate === fate);
    return new Set(of.slice(0, Math.max(0, of.length - max)));
  };
  const dropped = new Set([...over('refused', limits.maxRefused), ...over('held', limits.maxHeld)]);
  const kept = dropped.size === 0 ? live : live.filter((e) => !dropped.has(e));
  return kept.length === seen.length && adopted === seen ? seen : kept;
}
