// One card per target: phase and serving variant, the active rollback (how long, next hourly warning),
// pause, holds and held alerts, the operation in flight, and each condition's value against its
// threshold with its verdict, cause, `for` progress and last-hour chart.
import type { TargetStatusView, TimelineView } from '../../controller/ports/controller.js';
import type { Verdict } from '../../controller/core/index.js';
import { conditionChart } from './chart.js';
import { el } from './dom.js';
import { clock, conditionName, duration, secondsBetween, value } from './format.js';

const VERDICT_LABEL = { ok: 'OK', breach: 'BREACH', unknown: 'UNKNOWN' } as const;

const notice = (cls: string, text: string): HTMLElement => el('p', { class: `notice ${cls}` }, text);

function rollbackNotices(r: NonNullable<TargetStatusView['rollback']>, nowMs: number): HTMLElement[] {
  const who = r.trigger.kind === 'manual' ? `manual by ${r.trigger.actor}: ${r.trigger.reason}` : r.trigger.kind === 'webhook' ? `alert ${r.trigger.alertname}` : 'automatic';
  const untilNext = -secondsBetween(r.nextWarningAt, nowMs);
  const out = [
    notice(
      'rollback',
      `Rollback ${r.id}: ${r.reason} (${who}), on the baseline for ${duration(secondsBetween(r.startedAt, nowMs))} since ${clock(r.startedAt)}; ` +
        `next "still rolled back" warning ${untilNext <= 0 ? 'due now' : `in ${duration(untilNext)} (${clock(r.nextWarningAt)})`}, ${r.warningsSent} sent.`,
    ),
  ];
  for (const s of r.services.filter((x) => !x.onValue)) out.push(notice('critical', `${s.service} is NOT on the baseline: ${s.detail}`));
  if (r.baselineBreach !== null) out.push(notice('critical', `The baseline breaches too (${r.baselineBreach.reason}) since ${clock(r.baselineBreach.since)}: the rollback did not help.`));
  return out;
}

function notices(t: TargetStatusView, nowMs: number): HTMLElement[] {
  const out: HTMLElement[] = t.rollback === null ? [] : rollbackNotices(t.rollback, nowMs);
  if (t.canAct !== null && !t.canAct.ok) out.push(notice('critical', `CANNOT ACT since ${clock(t.canAct.since)}: ${t.canAct.detail}`));
  if (t.pause !== null) out.push(notice('pause', `Paused by ${t.pause.actor} until ${clock(t.pause.until)}: ${t.pause.reason}`));
  if (t.hold !== null) out.push(notice('hold', `Held (${t.hold.cause}) since ${clock(t.hold.since)}: ${t.hold.detail}`));
  for (const h of t.heldTriggers) out.push(notice('hold', `Alert ${h.alertname} (${h.reason}) held since ${clock(h.since)}: ${h.why}`));
  if (t.inFlight !== null) {
    const message = t.inFlight.message === null ? '' : `: ${t.inFlight.message}`;
    out.push(notice('busy', `In flight: ${t.inFlight.kind} ${t.inFlight.id} (${t.inFlight.status})${message}`));
  }
  const shadow = shadowNotice(t.shadow, nowMs);
  if (shadow !== undefined) out.push(shadow);
  if (t.lastError !== null) out.push(notice('critical', `Error: ${t.lastError}`));
  return out;
}

/** The ML candidate in shadow and its roll-forward gate, while judged (its bounds are rows of the table). */
function shadowNotice(s: TargetStatusView['shadow'] | undefined, nowMs: number): HTMLElement | undefined {
  if (s === undefined || s === null || s.verdict === 'not_judged') return undefined;
  const since = s.since === null ? '' : ` for ${duration(secondsBetween(s.since, nowMs))}`;
  const how = s.mode === 'automatic' ? 'rolls forward on its own once passed' : 'roll forward by hand';
  const text =
    `Shadow candidate ${s.candidate ?? ''} ${s.state} (${s.detail}); roll-forward gate ${VERDICT_LABEL[s.verdict]}${since}, ` +
    `passing ${duration(s.passingSeconds)} / ${duration(s.forSeconds)} (${how}).`;
  return notice(s.state === 'failed' || s.verdict === 'breach' ? 'hold' : 'busy', text);
}

function forCell(v: Verdict): HTMLElement {
  if (v.forMs <= 0) return el('td', { class: 'for' }, v.status === 'breach' ? 'at once' : '—');
  const progress = el('progress', { max: v.forMs, value: Math.min(v.sustainedMs, v.forMs) });
  return el(
    'td',
    { class: 'for' },
    progress,
    ` ${duration(v.sustainedMs / 1000)} / ${duration(v.forMs / 1000)}${v.sustained ? ' sustained' : ''}`,
  );
}

function conditionRow(v: Verdict, timeline: TimelineView | undefined): HTMLElement {
  const { kind, name } = conditionName(v.conditionId);
  const series = timeline?.conditions.find((c) => c.conditionId === v.conditionId);
  const cause =
    v.status === 'unknown'
      ? `${v.cause ?? 'unknown'}${v.detail === undefined ? '' : `: ${v.detail}`}`
      : (v.detail ?? '');
  return el(
    'tr',
    { 'data-condition': v.conditionId, class: `verdict-${v.status}` },
    el('td', {}, el('span', { class: 'kind' }, kind), ' ', name),
    el('td', { class: 'num' }, value(v.value)),
    el('td', { class: 'num' }, `${v.comparison === 'above' ? '>' : '<'} ${value(v.threshold)}`),
    el('td', {}, el('span', { class: `verdict v-${v.status}` }, VERDICT_LABEL[v.status])),
    forCell(v),
    el('td', { class: 'cause' }, cause),
    el('td', {}, series === undefined || timeline === undefined ? '' : conditionChart(timeline, series)),
  );
}

function conditionTable(t: TargetStatusView, timeline: TimelineView | undefined, nowMs: number): HTMLElement {
  if (t.lastEvaluation === null) return el('p', { class: 'muted' }, 'No evaluation yet.');
  const head = el(
    'tr',
    {},
    ...['condition', 'value', 'threshold', 'verdict', 'for', 'cause', 'last hour'].map((h) =>
      el('th', {}, h),
    ),
  );
  return el(
    'div',
    {},
    el(
      'p',
      { class: 'muted' },
      `Last evaluation ${clock(t.lastEvaluation.at)} (${duration(secondsBetween(t.lastEvaluation.at, nowMs))} ago)`,
    ),
    el(
      'table',
      { class: 'conditions' },
      el('thead', {}, head),
      el('tbody', {}, ...t.lastEvaluation.verdicts.map((v) => conditionRow(v, timeline))),
    ),
  );
}

export function targetCard(
  t: TargetStatusView,
  timeline: TimelineView | undefined,
  nowMs: number,
): HTMLElement {
  return el(
    'article',
    { class: `target phase-${t.phase}`, 'data-target': t.target },
    el(
      'h2',
      {},
      t.target,
      ' ',
      el('span', { class: `phase badge-${t.phase}`, 'data-phase': t.phase }, t.phase.replace('_', ' ')),
      ' ',
      el('span', { class: 'variant' }, `serving ${t.variant ?? 'normal (variable unset)'}`),
    ),
    el(
      'p',
      { class: 'muted' },
      `policy ${t.policy} · ${t.phase.replace('_', ' ')} for ${duration(secondsBetween(t.phaseSince, nowMs))}`,
    ),
    ...notices(t, nowMs),
    conditionTable(t, timeline, nowMs),
  );
}
