// bench:mitigation runs the SHIPPED policy (policies/prediction-service.yaml): its reasons, windows,
// thresholds and `for`s, with only the target moved to the bench's compose project. A scenario may scale
// the traffic reasons' durations down by a factor (windows, offsets, `for`, the tick), so a 30-minute burn
// window takes 3; the thresholds never change, and the health reasons (up, model_info) stay in real time. The DIY chain gets the same reasons as Prometheus alerting rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { parseDuration } from '../../../controller/core/duration.js';
import type { Condition, Policy, Reason } from '../../../controller/core/index.js';

export const SHIPPED_POLICY = join(import.meta.dirname, '../../../policies/prediction-service.yaml');

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function scaledMs(text: string, factor: number): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`not a duration: ${text}`);
  return Math.round(ms / factor);
}

/** Every `[5m]`, `[1m:15s]` and `offset 30m` in a query, divided by `factor`. */
export function scaleQuery(query: string, factor: number): string {
  if (factor === 1) return query;
  return query
    .replaceAll(/\[(\d+[smhdwy])(:(\d+[smhdwy])?)?\]/g, (_m, range: string, colon?: string, step?: string) =>
      `[${formatMs(scaledMs(range, factor))}${colon === undefined ? '' : `:${step === undefined ? '' : formatMs(scaledMs(step, factor))}`}]`,
    )
    .replaceAll(/offset (\d+[smhdwy])/g, (_m, d: string) => `offset ${formatMs(scaledMs(d, factor))}`);
}

/** The tick after scaling: node-cron ticks on whole seconds, so 15s/10 = 1.5s becomes 2s. */
export function scaledIntervalMs(intervalText: string, factor: number): number {
  return Math.max(1000, Math.ceil(scaledMs(intervalText, factor) / 1000) * 1000);
}

function scaleCondition(node: unknown, factor: number, minForMs: number): void {
  if (!isMap(node)) return;
  const query = node.get('query');
  if (typeof query === 'string') node.set('query', scaleQuery(query, factor));
  const forText = node.get('for');
  if (typeof forText === 'string') node.set('for', formatMs(Math.max(minForMs, scaledMs(forText, factor))));
}

function scaleDocument(doc: Document, factor: number): void {
  if (factor === 1) return;
  const intervalMs = scaledIntervalMs(String(doc.getIn(['evaluation', 'interval'])), factor);
  doc.setIn(['evaluation', 'interval'], formatMs(intervalMs));
  doc.setIn(['evaluation', 'minRequests', 'query'], scaleQuery(String(doc.getIn(['evaluation', 'minRequests', 'query'])), factor));
  doc.setIn(['evaluation', 'minRequests', 'window'], formatMs(scaledMs(String(doc.getIn(['evaluation', 'minRequests', 'window'])), factor)));
  for (const section of ['reasons', 'vetoes', 'alerts']) {
    const list = doc.get(section);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      // Health reasons (needsTraffic: false — up, model_info, the backlog gauge) keep their real-time `for`
      // and windows: a container restart takes the same seconds at any scale, and a 6 s `for` would read the
      // bad deploy's own restart gap as a model that will not load. Their `for` still covers the tick.
      if (section === 'reasons' && isMap(item) && item.get('needsTraffic') === false) continue;
      // Reasons need `for` >= the tick; vetoes and alert rules may have none.
      scaleCondition(item, factor, section === 'reasons' ? intervalMs : 0);
      const allOf = isMap(item) ? item.get('allOf') : undefined;
      if (isSeq(allOf)) allOf.items.forEach((c) => scaleCondition(c, factor, intervalMs));
    }
  }
}

export interface BenchTarget {
  readonly project: string;
  /** `target.strategy`, `stopSignal`, `warmStandby` ... replacing the shipped ones. */
  readonly strategy: Readonly<Record<string, unknown>>;
  /** `target.verify.via` (the shipped policy has none: auto). */
  readonly verifyVia?: string;
}

/** The shipped policy's text with the bench's target (api only) and every duration divided by `factor`. */
export function benchPolicyYaml(target: BenchTarget, factor: number): string {
  const doc = parseDocument(readFileSync(SHIPPED_POLICY, 'utf8'));
  doc.setIn(['target', 'compose', 'project'], target.project);
  doc.setIn(['target', 'compose', 'services'], doc.createNode(['api']));
  const t = doc.get('target');
  if (!isMap(t)) throw new Error('the shipped policy has no target');
  for (const key of ['strategy', 'stopSignal', 'warmStandby', 'settle']) t.delete(key);
  for (const [key, value] of Object.entries(target.strategy)) t.set(key, doc.createNode(value));
  if (target.verifyVia !== undefined) doc.setIn(['target', 'verify', 'via'], target.verifyVia);
  scaleDocument(doc, factor);
  return doc.toString();
}

const op = (c: Condition): string => (c.comparison === 'above' ? '>' : '<');

/** A reason's condition as one PromQL expression: every condition true at once (`and on()`). */
export function reasonExpr(reason: Reason): string {
  return reason.conditions.map((c) => `(${c.query.trim()}) ${op(c)} ${c.threshold}`).join(' and on() ');
}

/** The DIY chain's rule file: one alerting rule per automatic reason, with its `for` and the traffic guard. */
export function diyRulesYaml(policy: Policy): string {
  const guard = policy.evaluation.minRequests;
  const rules = policy.reasons
    .filter((r) => r.conditions.length > 0)
    .map((r) => {
      const traffic = guard !== undefined && r.conditions.some((c) => c.needsTraffic) ? ` and on() (${guard.query}) >= ${guard.min}` : '';
      const forMs = Math.max(...r.conditions.map((c) => c.forMs));
      return `      - alert: ${JSON.stringify(`Rollback_${r.name}`)}\n        expr: ${JSON.stringify(`${reasonExpr(r)}${traffic}`)}\n        for: ${formatMs(forMs)}\n        labels: { severity: ${r.severity} }`;
    });
  return `groups:\n  - name: diy\n    interval: ${formatMs(policy.evaluation.intervalMs)}\n    rules:\n${rules.join('\n')}\n`;
}
